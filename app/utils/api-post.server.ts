import { z } from "zod";
import { getPost, type PostDetail, type PostInput, type PostSummary } from "~/models/post.server";
import { apiError, preconditionFailed, readIfMatch, versionTag } from "~/utils/api.server";
import { postImageUrl } from "~/utils/image-url";
import { baseVersionSchema, PostCreateSchema, PostEditSchema } from "~/utils/post-schema";
import { apiProblems } from "~/utils/validation";

// Posts as the JSON API shows them and reads them. The rules for what it reads are the
// forms' schemas (app/utils/post-schema.ts), so a rule lives in one place; what it shows is
// described below, and /api/openapi.json is generated from both (app/utils/openapi.server.ts).

/** Every field a post can show. */
export const ApiPostSchema = z
  .object({
    id: z.int().min(1),
    owner: z.string().meta({ description: "Who wrote the post: the account whose credentials created it." }),
    editor: z
      .string()
      .nullable()
      .meta({ description: "Who saved it last (the credentials of that save); null once that account is deleted." }),
    title: z.string(),
    text: z.string(),
    version: z.int().min(1).meta({ description: "Bumped by every save; also the post's ETag." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    image: z.string().nullable().meta({ description: "The image's address on this site, or null." }),
    imageAlt: z.string().meta({ description: "The image's description." }),
  })
  .strict();

type ApiPostField = keyof z.infer<typeof ApiPostSchema>;

// The tutorial's shapes, the default: its client builds a record with exactly these keys
// and takes any other key as an error. More on request, with ?fields=.
const POST_DEFAULT = ["id", "owner", "editor", "title", "text"] as const;
const SUMMARY_DEFAULT = ["id", "owner", "editor", "title"] as const;
export const POST_FIELDS = ApiPostSchema.keyof().options;
// Lists never read a post's text or its image description (app/models/post.server.ts).
export const SUMMARY_FIELDS: readonly ApiPostField[] = POST_FIELDS.filter((field) => field !== "text" && field !== "imageAlt");

/** One post as the tutorial shows it (GET /api/:id, and what writes answer). */
export const ApiPostDefaultSchema = ApiPostSchema.pick({ id: true, owner: true, editor: true, title: true, text: true }).strict();
/** A listed post as the tutorial shows it (GET /api). */
export const ApiSummaryDefaultSchema = ApiPostSchema.pick({ id: true, owner: true, editor: true, title: true }).strict();
/** One post with the fields asked for with ?fields= (id always). */
export const ApiPostFieldsSchema = ApiPostSchema.partial().required({ id: true }).strict();
/** A listed post with the fields asked for with ?fields= (id always). */
export const ApiSummaryFieldsSchema = ApiPostSchema.omit({ text: true, imageAlt: true }).partial().required({ id: true }).strict();

export type ApiPostFields = { kind: "post" | "list"; fields: readonly ApiPostField[] };

const FIELDS_HELP = (allowed: readonly string[]) => `Choose from ${allowed.join(", ")}, separated by commas, as in ?fields=${allowed.slice(0, 3).join(",")}.`;

/**
 * The fields a post shows, from `?fields=` (a comma-separated list, as JSON:API's and
 * Google's sparse fieldsets: exactly those, and `id` always), else the tutorial's. An
 * unknown name is a 400, so a typo never silently drops a field.
 */
export function readFields(request: Request, kind: "post" | "list"): ApiPostFields {
  const raw = new URL(request.url).searchParams.get("fields");
  const allowed: readonly ApiPostField[] = kind === "post" ? POST_FIELDS : SUMMARY_FIELDS;
  if (raw === null) return { kind, fields: kind === "post" ? POST_DEFAULT : SUMMARY_DEFAULT };
  const asked = raw.split(",");
  const unknown = asked.find((name) => !(allowed as readonly string[]).includes(name));
  if (unknown !== undefined) {
    const what = unknown === "" ? "an empty name" : `"${unknown}"`;
    const where = kind === "list" && (POST_FIELDS as readonly string[]).includes(unknown) ? " in a list (it is in /api/<id>)" : "";
    throw apiError(400, `Invalid "fields": ${what} is not a field of a post${where}. ${FIELDS_HELP(allowed)}`);
  }
  return { kind, fields: allowed.filter((field) => field === "id" || asked.includes(field)) };
}

type Shown = { [K in ApiPostField]?: z.infer<typeof ApiPostSchema>[K] };

function pick(all: Shown, fields: readonly ApiPostField[]): Shown {
  return Object.fromEntries(fields.map((field) => [field, all[field]]));
}

function summaryFields(post: PostSummary) {
  return {
    id: post.id,
    owner: post.owner.username,
    editor: post.editor?.username ?? null,
    title: post.title,
    version: post.version,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    image: post.imageHash ? postImageUrl(post) : null,
  } satisfies Shown;
}

export function apiPostSummary(post: PostSummary, { fields }: ApiPostFields = { kind: "list", fields: SUMMARY_DEFAULT }): Shown {
  return pick(summaryFields(post), fields);
}

export function apiPost(post: PostDetail, { fields }: ApiPostFields = { kind: "post", fields: POST_DEFAULT }): Shown {
  const all = { ...summaryFields(post), text: post.text, imageAlt: post.imageAlt } satisfies z.infer<typeof ApiPostSchema>;
  return pick(all, fields);
}

/**
 * A new post from `{"title", "text"}`: title required. Other keys, such as the tutorial's
 * "owner", are ignored: the credentials say who writes. A bad field is a 400 naming it.
 */
export function readNewPost(body: Record<string, unknown>): PostInput {
  const parsed = PostCreateSchema.safeParse(body);
  if (!parsed.success) throw apiError(400, apiProblems(parsed.error));
  return parsed.data;
}

/**
 * An edit: any of `title`, `text` and `imageAlt`, and optionally the `version` it was based
 * on (If-Match does the same with the ETag). "editor" is ignored, as "owner" is on a create.
 */
export function readPostEdit(body: Record<string, unknown>): { input: Partial<PostInput>; imageAlt?: string; baseVersion: number | null } {
  const parsed = PostEditSchema.safeParse(body);
  if (!parsed.success) throw apiError(400, apiProblems(parsed.error));
  const { title, text, imageAlt, version } = parsed.data;
  const input: Partial<PostInput> = {};
  if (title !== undefined) input.title = title;
  if (text !== undefined) input.text = text;
  return { input, imageAlt, baseVersion: version ?? null };
}

/** The optional `version` a write is based on: it is refused (409) if the post has moved on. */
export function readBaseVersion(body: Record<string, unknown>): number | null {
  const parsed = baseVersionSchema.safeParse(body.version);
  if (!parsed.success) throw apiError(400, `Invalid "version": ${parsed.error.issues[0].message}`);
  return parsed.data ?? null;
}

/**
 * The version a conditional write (If-Match, RFC 9110 13.1.1) is pinned to: the post's
 * current one when the header names it, null without the header or with `*`. A missing
 * post is a 404 and a version the header does not name a 412, before anything is written;
 * `check` runs first (the owner-only rule of a delete answers 403 before any 412).
 */
export async function ifMatchVersion(request: Request, id: number, check?: (post: PostDetail) => void): Promise<number | null> {
  const ifMatch = readIfMatch(request);
  if (ifMatch === null) return null;
  const current = await getPost(id);
  if (!current) throw apiError(404, POST_NOT_FOUND);
  check?.(current);
  if (ifMatch === "any") return null;
  if (!ifMatch.includes(current.version)) throw preconditionFailed(current);
  return current.version;
}

export const POST_NOT_FOUND = "No post has that id.";

/** The headers of an answer showing a post: its version as a strong ETag. */
export function postHeaders(post: { version: number }, headers: Record<string, string> = {}): Record<string, string> {
  return { ETag: versionTag(post.version), ...headers };
}
