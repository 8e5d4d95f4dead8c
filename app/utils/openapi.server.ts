import { z } from "zod";
import {
  ApiPostDefaultSchema,
  ApiPostFieldsSchema,
  ApiSummaryDefaultSchema,
  ApiSummaryFieldsSchema,
  POST_FIELDS,
  SUMMARY_FIELDS,
} from "~/utils/api-post.server";
import { ApiRevisionSchema, ApiRevisionSummarySchema } from "~/utils/api-revision.server";
import { MAX_LIMIT } from "~/utils/api.server";
import { baseVersionSchema, PostCreateSchema, PostEditSchema } from "~/utils/post-schema";
import { SESSION_COOKIE } from "~/utils/session.server";

// The OpenAPI 3.1 description served at /api/openapi.json. The schemas of what the API
// reads and answers are generated from the zod schemas the routes parse and answer with
// (zod's toJSONSchema), so the description cannot drift from the code; only the paths,
// which say which route takes what, are written here. test/http/openapi.test.ts validates
// it with an OpenAPI validator and checks real answers against it.

type JsonObject = { [key: string]: unknown };

/** Both directions' schemas in one `components.schemas`: what requests send (zod's input side) and what answers hold (its output side). */
function componentSchemas(): JsonObject {
  const responses = z.registry<{ id: string }>();
  const ok = (fields: z.ZodRawShape) => z.object({ status: z.literal("ok"), ...fields }).strict();
  const next = z.string().nullable().meta({ description: 'The cursor of the next page (also in the Link header, rel="next"), or null on the last page.' });
  responses.add(ApiPostDefaultSchema, { id: "Post" });
  responses.add(ApiSummaryDefaultSchema, { id: "PostListItem" });
  responses.add(ApiPostFieldsSchema, { id: "PostFields" });
  responses.add(ApiSummaryFieldsSchema, { id: "PostListItemFields" });
  responses.add(ApiRevisionSummarySchema, { id: "RevisionListItem" });
  responses.add(ApiRevisionSchema, { id: "Revision" });
  responses.add(ok({ data: z.union([ApiPostDefaultSchema, ApiPostFieldsSchema]) }), { id: "PostAnswer" });
  responses.add(ok({ data: z.union([z.array(ApiSummaryDefaultSchema), z.array(ApiSummaryFieldsSchema)]), next }), { id: "PostList" });
  responses.add(ok({ id: z.int().min(1) }), { id: "Deleted" });
  responses.add(ok({ data: ApiRevisionSchema }), { id: "RevisionAnswer" });
  responses.add(ok({ data: z.array(ApiRevisionSummarySchema), next }), { id: "RevisionList" });
  responses.add(z.object({ status: z.literal("failed"), reason: z.string() }).strict(), { id: "Failure" });

  const requests = z.registry<{ id: string }>();
  requests.add(PostCreateSchema, { id: "PostCreate" });
  requests.add(PostEditSchema, { id: "PostEdit" });
  requests.add(z.object({ version: baseVersionSchema }), { id: "RestoreCondition" });

  const uri = (id: string) => `#/components/schemas/${id}`;
  const generated = {
    ...z.toJSONSchema(responses, { target: "draft-2020-12", io: "output", uri }).schemas,
    ...z.toJSONSchema(requests, { target: "draft-2020-12", io: "input", uri }).schemas,
  };
  // Each comes out as a document of its own; inside OpenAPI's they are plain subschemas
  // (a fragment-only $id is not allowed there), under the document's dialect.
  return Object.fromEntries(
    Object.entries(generated).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]),
  );
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: JsonObject) => ({ "application/json": { schema } });
const failure = (description: string, headers?: JsonObject) => ({ description, headers, content: json(ref("Failure")) });
const header = (description: string) => ({ description, schema: { type: "string" } });

const ETAG = { ETag: header('The post\'s version as a strong entity tag, such as "3".') };
const COMMON_FAILURES = {
  "400": failure("A parameter or the body is not understood; the reason names it."),
  "401": failure("The credentials are malformed, unknown, revoked or name another account (on any request), or a write came without any.", {
    "WWW-Authenticate": header('Both challenges: Bearer realm="Quill" and Basic realm="Quill".'),
  }),
  "503": failure("The server is busy; try again after Retry-After seconds.", { "Retry-After": header("Seconds.") }),
};
const NOT_FOUND = { "404": failure("No post has that id (or no such version).") };
const PRECONDITION = {
  "412": failure("If-Match does not name the post's current version: nothing was changed.", ETAG),
};

// Reads need nothing; writes take a token as Bearer or as Basic's password, or the browser's session.
const READ_SECURITY = [{}, { bearer: [] }, { basic: [] }];
const WRITE_SECURITY = [{ bearer: [] }, { basic: [] }, { session: [] }];

const fieldsPattern = (fields: readonly string[]) => `^(${fields.join("|")})(,(${fields.join("|")}))*$`;

function parameters(): JsonObject {
  return {
    postId: { name: "postId", in: "path", required: true, schema: { type: "integer", minimum: 1, maximum: 2_147_483_647 } },
    version: { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1, maximum: 2_147_483_647 } },
    limit: {
      name: "limit",
      in: "query",
      description: `How many items a page has (default 50); more than ${MAX_LIMIT} is refused, not cut down.`,
      schema: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: 50 },
    },
    cursor: { name: "cursor", in: "query", description: 'The "next" value of the page before.', schema: { type: "string" } },
    postFields: {
      name: "fields",
      in: "query",
      description: `The fields each post shows, comma-separated (id always). Without it, the tutorial's: id, owner, editor, title, text. Any of: ${POST_FIELDS.join(", ")}.`,
      schema: { type: "string", pattern: fieldsPattern(POST_FIELDS) },
    },
    listFields: {
      name: "fields",
      in: "query",
      description: `The fields each listed post shows, comma-separated (id always). Without it, the tutorial's: id, owner, editor, title. Any of: ${SUMMARY_FIELDS.join(", ")}.`,
      schema: { type: "string", pattern: fieldsPattern(SUMMARY_FIELDS) },
    },
    ifMatch: {
      name: "If-Match",
      in: "header",
      description: 'Makes the write conditional: the ETag of the version you read, such as "3" (or *). 412 when the post is no longer at it.',
      schema: { type: "string" },
    },
  };
}

const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

function paths(): JsonObject {
  const postAnswer = (description: string, extraHeaders: JsonObject = {}) => ({
    description,
    headers: { ...ETAG, ...extraHeaders },
    content: json(ref("PostAnswer")),
  });
  const nextLink = { Link: header('The next page, as <...>; rel="next" (RFC 8288), when there is one.') };
  return {
    "/api": {
      get: {
        operationId: "listPosts",
        summary: "Posts, newest first, a page at a time",
        security: READ_SECURITY,
        parameters: [param("limit"), param("cursor"), param("listFields")],
        responses: { "200": { description: "A page of posts.", headers: nextLink, content: json(ref("PostList")) }, ...COMMON_FAILURES },
      },
      post: {
        operationId: "createPost",
        summary: "Writes a post",
        description: 'The credentials say who writes it: an "owner" in the body is ignored, and the answer shows the real owner and editor.',
        security: WRITE_SECURITY,
        parameters: [param("postFields")],
        requestBody: { required: true, content: json(ref("PostCreate")) },
        responses: {
          "201": postAnswer("The new post.", { Location: header("/api/<id>") }),
          ...COMMON_FAILURES,
          "403": failure("A browser's session from another site."),
          "413": failure("The body is over 1 MB."),
          "415": failure("The body is not JSON."),
        },
      },
    },
    "/api/{postId}": {
      parameters: [param("postId")],
      get: {
        operationId: "getPost",
        summary: "One post, with its text",
        security: READ_SECURITY,
        parameters: [param("postFields")],
        responses: { "200": postAnswer("The post."), ...COMMON_FAILURES, ...NOT_FOUND },
      },
      patch: {
        operationId: "updatePost",
        summary: "Edits a post (anyone signed in), credited to the credentials' account as its editor",
        description: 'An "editor" in the body is ignored. A "version" in the body (409 if stale) or If-Match (412) makes it conditional.',
        security: WRITE_SECURITY,
        parameters: [param("postFields"), param("ifMatch")],
        requestBody: { required: true, content: json(ref("PostEdit")) },
        responses: {
          "200": postAnswer("The post as saved."),
          ...COMMON_FAILURES,
          ...NOT_FOUND,
          "409": failure('The body\'s "version" is not the post\'s: nothing was saved.'),
          ...PRECONDITION,
        },
      },
      delete: {
        operationId: "deletePost",
        summary: "Deletes a post (its owner only)",
        security: WRITE_SECURITY,
        parameters: [param("ifMatch")],
        responses: {
          "200": { description: "Deleted.", content: json(ref("Deleted")) },
          ...COMMON_FAILURES,
          "403": failure("Only the owner may delete a post."),
          ...NOT_FOUND,
          ...PRECONDITION,
        },
      },
    },
    "/api/{postId}/image": {
      parameters: [param("postId")],
      put: {
        operationId: "putPostImage",
        summary: "Sets the post's image (the raw image as the body, at most 10 MB)",
        security: WRITE_SECURITY,
        parameters: [param("postFields"), param("ifMatch")],
        requestBody: {
          required: true,
          content: Object.fromEntries(["image/png", "image/jpeg", "image/webp", "image/gif"].map((type) => [type, {}])),
        },
        responses: {
          "200": postAnswer("The post with its new image."),
          ...COMMON_FAILURES,
          ...NOT_FOUND,
          ...PRECONDITION,
          "413": failure("The image is over 10 MB."),
          "415": failure("Not one of the image types taken."),
        },
      },
    },
    "/api/{postId}/revisions": {
      parameters: [param("postId")],
      get: {
        operationId: "listRevisions",
        summary: "A post's saves, newest first",
        security: READ_SECURITY,
        parameters: [param("limit"), param("cursor")],
        responses: { "200": { description: "A page of revisions.", headers: nextLink, content: json(ref("RevisionList")) }, ...COMMON_FAILURES, ...NOT_FOUND },
      },
    },
    "/api/{postId}/revisions/{version}": {
      parameters: [param("postId"), param("version")],
      get: {
        operationId: "getRevision",
        summary: "One save of a post, with its text",
        security: READ_SECURITY,
        responses: { "200": { description: "The revision.", content: json(ref("RevisionAnswer")) }, ...COMMON_FAILURES, ...NOT_FOUND },
      },
    },
    "/api/{postId}/revisions/{version}/restore": {
      parameters: [param("postId"), param("version")],
      post: {
        operationId: "restoreRevision",
        summary: "Puts that version back, as a new save credited to the caller",
        security: WRITE_SECURITY,
        parameters: [param("ifMatch")],
        requestBody: { required: false, content: json(ref("RestoreCondition")) },
        responses: {
          "201": { description: "The new revision.", headers: { Location: header("/api/<id>/revisions/<version>") }, content: json(ref("RevisionAnswer")) },
          ...COMMON_FAILURES,
          ...NOT_FOUND,
          "409": failure('The body\'s "version" is not the post\'s: nothing was restored.'),
          ...PRECONDITION,
        },
      },
    },
    "/api/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This description",
        security: READ_SECURITY,
        responses: { "200": { description: "OpenAPI 3.1.", content: { "application/json": {} } } },
      },
    },
  };
}

let document: JsonObject | undefined;

/** The whole description, made once per process. */
export function openApiDocument(): JsonObject {
  document ??= {
    openapi: "3.1.0",
    info: {
      title: "Quill API",
      version: "1",
      description:
        'Every answer is JSON: {"status": "ok", ...} or {"status": "failed", "reason": "..."}. Posts come in the aiohttp tutorial\'s shape unless ?fields= asks for more. See docs/api.md.',
    },
    paths: paths(),
    components: {
      schemas: componentSchemas(),
      parameters: parameters(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A personal API token (make one at /settings/tokens)." },
        basic: {
          type: "http",
          scheme: "basic",
          description: "Your username and a personal API token as the password (http://you:TOKEN@host). Never the account's password.",
        },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "A browser signed in on this site (same-origin requests only)." },
      },
    },
  };
  return document;
}
