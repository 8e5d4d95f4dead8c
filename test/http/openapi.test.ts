import { registerSchema, validate } from "@hyperjump/json-schema/openapi-3-1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken, type Call } from "../support/api";
import { startApp, type RunningApp } from "../support/app-server";
import { HttpClient, uniqueUsername } from "../support/http-client";
import { pngImage } from "../support/images";

// /api/openapi.json: a valid OpenAPI 3.1 document (checked with @hyperjump/json-schema's
// OpenAPI 3.1 dialect, against the specification's own schema), and true to the API: real
// requests and answers of every operation are validated against the schemas it describes.

let app: RunningApp;
let token: string;
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};
let doc: Doc;
const DOC_URI = "https://quill.test/api/openapi.json";

beforeAll(async () => {
  app = await startApp();
  const browser = new HttpClient(app.url);
  await browser.signup(uniqueUsername("spec"));
  token = await createToken(browser);
  const response = await fetch(`${app.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  doc = await response.json();
  registerSchema(structuredClone(doc) as never, DOC_URI, "https://spec.openapis.org/oas/3.1/dialect/base");
});
afterAll(() => app?.stop());

const OAS_SCHEMA = "https://spec.openapis.org/oas/3.1/schema-base";

describe("the OpenAPI description", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(OAS_SCHEMA, doc as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it("would be caught by the validator if it were broken", async () => {
    const noInfo: Record<string, unknown> = structuredClone(doc);
    delete noInfo.info;
    expect((await validate(OAS_SCHEMA, noInfo as never)).valid).toBe(false);
    const badSchema = structuredClone(doc);
    badSchema.components.schemas.Post = { type: "no-such-type" };
    expect((await validate(OAS_SCHEMA, badSchema as never)).valid).toBe(false);
  });

  it("describes the tutorial's shapes, generated from the zod schemas (exact keys, no others)", () => {
    const post = doc.components.schemas.Post as { required: string[]; additionalProperties: boolean };
    expect(post.required).toEqual(["id", "owner", "editor", "title", "text"]);
    expect(post.additionalProperties).toBe(false);
    expect((doc.components.schemas.PostListItem as { required: string[] }).required).toEqual(["id", "owner", "editor", "title"]);
    // What the API validates requests with: "title" required, unknown keys (the tutorial's "owner") allowed.
    const create = doc.components.schemas.PostCreate as { required: string[]; additionalProperties?: unknown };
    expect(create.required).toEqual(["title"]);
    expect(create.additionalProperties).toBeUndefined();
  });
});

/** The response schema the description gives for this operation and status, as a validator. */
async function responseValidator(pathTemplate: string, method: string, status: number) {
  const operation = doc.paths[pathTemplate]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathTemplate} is described`).toBeDefined();
  const response = operation.responses[String(status)];
  expect(response, `${method} ${pathTemplate} ${status} is described`).toBeDefined();
  expect(response.content?.["application/json"]?.schema, `${method} ${pathTemplate} ${status} has a JSON schema`).toBeDefined();
  const pointer = `/paths/${pathTemplate.replaceAll("~", "~0").replaceAll("/", "~1")}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  return validate(`${DOC_URI}#${pointer.split("/").map(encodeURIComponent).join("/")}`);
}

async function requestValidator(pathTemplate: string, method: string) {
  const pointer = `/paths/${pathTemplate.replaceAll("/", "~1")}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
  expect(doc.paths[pathTemplate][method.toLowerCase()].requestBody?.content["application/json"]?.schema).toBeDefined();
  return validate(`${DOC_URI}#${pointer.split("/").map(encodeURIComponent).join("/")}`);
}

/** Sends a real request and checks its body (if JSON) and its answer against the description. */
async function checked(pathTemplate: string, path: string, call: Call & { method?: string }, status: number) {
  const method = call.method ?? "GET";
  if (call.json !== undefined) {
    const output = (await requestValidator(pathTemplate, method))(call.json as never);
    expect(output.valid, `${method} ${path} request body: ${JSON.stringify(output)}`).toBe(true);
  }
  const response = await callApi(app.url, path, call);
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  const output = (await responseValidator(pathTemplate, method, status))(body);
  expect(output.valid, `${method} ${path} ${status}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

describe("real answers match the description", () => {
  it("for every operation, in the default shape and with ?fields=", async () => {
    const created = await checked("/api", "/api", { method: "POST", token, json: { owner: "Anonymous", title: "Described", text: "Body" } }, 201);
    const id = created.data.id as number;
    await checked("/api", "/api?fields=id,owner,editor,title,text,version,createdAt,updatedAt,image,imageAlt", { method: "POST", token, json: { title: "Rich" } }, 201);
    await checked("/api", "/api", {}, 200);
    await checked("/api", "/api?limit=1&fields=title,version,createdAt,updatedAt,image", {}, 200);
    await checked("/api/{postId}", `/api/${id}`, {}, 200);
    await checked("/api/{postId}", `/api/${id}?fields=version,createdAt,updatedAt,image,imageAlt`, {}, 200);
    await checked("/api/{postId}", `/api/${id}`, { method: "PATCH", token, json: { editor: "Anonymous", title: "Edited" } }, 200);
    await checked("/api/{postId}", `/api/${id}`, { method: "PATCH", token, json: { text: "stale" }, headers: { "If-Match": '"1"' } }, 412);
    await checked("/api/{postId}", `/api/${id}`, { method: "PATCH", token, json: { text: "stale", version: 1 } }, 409);
    await checked("/api/{postId}/image", `/api/${id}/image?fields=image,imageAlt`, { method: "PUT", token, body: await pngImage(), headers: { "Content-Type": "image/png" } }, 200);
    await checked("/api/{postId}/revisions", `/api/${id}/revisions?limit=1`, {}, 200);
    await checked("/api/{postId}/revisions/{version}", `/api/${id}/revisions/1`, {}, 200);
    await checked("/api/{postId}/revisions/{version}/restore", `/api/${id}/revisions/1/restore`, { method: "POST", token, json: { version: 3 } }, 201);
    await checked("/api/{postId}", `/api/${id}`, { method: "DELETE", token }, 200);
    await checked("/api/{postId}", `/api/${id}`, {}, 404);
    await checked("/api", "/api", { method: "POST", json: { title: "No credentials" } }, 401);
    await checked("/api", "/api", { token: "quill_short" }, 401);
    await checked("/api", "/api?fields=nope", {}, 400);
  });

  it("and the schemas reject what the API would never answer (the check can fail)", async () => {
    const post = await validate(`${DOC_URI}#/components/schemas/Post`);
    expect(post({ id: 1, owner: "a", editor: "a", title: "t", text: "x" }).valid).toBe(true);
    expect(post({ id: 1, owner: "a", editor: "a", title: "t", text: "x", createdAt: "2026-01-01T00:00:00Z" }).valid).toBe(false);
    expect(post({ id: 1, owner: "a", editor: "a", title: "t" }).valid).toBe(false);
  });
});
