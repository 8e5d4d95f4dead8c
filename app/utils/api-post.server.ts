import { validatePostInput, type PostDetail, type PostInput, type PostSummary } from "~/models/post.server";
import { apiError } from "~/utils/api.server";
import { postImageUrl } from "~/utils/image-url";

// Posts as the JSON API shows them and reads them; the rules themselves stay in
// post.server.ts (validatePostInput), shared with the forms.

export function apiPostSummary(post: PostSummary) {
  return {
    id: post.id,
    owner: post.owner.username,
    editor: post.editor?.username ?? null,
    title: post.title,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    image: post.imageHash ? postImageUrl(post) : null,
  };
}

export function apiPost(post: PostDetail) {
  const { id, owner, editor, title, ...rest } = apiPostSummary(post);
  return { id, owner, editor, title, text: post.text, version: post.version, ...rest };
}

// Prisma's Int is 32-bit.
const MAX_VERSION = 2_147_483_647;

type Fields = { title?: string; text?: string };

/** `title` and `text` when present; a value of the wrong JSON type is a 400 naming it. */
function stringFields(body: Record<string, unknown>): Fields {
  const fields: Fields = {};
  for (const name of ["title", "text"] as const) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (typeof value !== "string") throw apiError(400, `Invalid "${name}": it must be a string (got ${jsonType(value)}).`);
    fields[name] = value;
  }
  return fields;
}

function jsonType(value: unknown) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function checked(fields: Fields, given: (keyof Fields)[]): Partial<PostInput> {
  // validatePostInput checks each field on its own, so a field that was not sent can stand
  // in with a valid value and its (absent) errors be ignored.
  const result = validatePostInput({ title: fields.title ?? "untitled", text: fields.text ?? "" });
  if (!result.ok) {
    const problems = given.filter((name) => result.errors[name]).map((name) => `Invalid "${name}": ${result.errors[name]}`);
    throw apiError(400, problems.join(" "));
  }
  const input: Partial<PostInput> = {};
  for (const name of given) input[name] = result.value[name];
  return input;
}

/** A new post from `{"title", "text"}`: title required, text optional; other keys ignored. */
export function readNewPost(body: Record<string, unknown>): PostInput {
  const fields = stringFields(body);
  const { title = "", text = "" } = checked({ title: fields.title ?? "", text: fields.text }, ["title", "text"]);
  return { title, text };
}

/** An edit: any of `title` and `text`, and optionally the `version` it was based on. */
export function readPostEdit(body: Record<string, unknown>): { input: Partial<PostInput>; baseVersion: number | null } {
  const fields = stringFields(body);
  const given = (["title", "text"] as const).filter((name) => fields[name] !== undefined);
  if (given.length === 0) throw apiError(400, 'Send "title", "text" or both to change a post.');
  return { input: checked(fields, given), baseVersion: readBaseVersion(body) };
}

/** The optional `version` a write is based on: it is refused (409) if the post has moved on. */
export function readBaseVersion(body: Record<string, unknown>): number | null {
  const version = body.version ?? null;
  const validVersion = typeof version === "number" && Number.isInteger(version) && version >= 1 && version <= MAX_VERSION;
  if (version !== null && !validVersion) {
    throw apiError(400, 'Invalid "version": it must be a whole number, the "version" of the post you started from.');
  }
  return validVersion ? version : null;
}
