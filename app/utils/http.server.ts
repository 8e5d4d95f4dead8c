import { data } from "@remix-run/node";
import { wasDeleted } from "~/models/post.server";
import { MAX_ID } from "~/utils/db.server";

/** Throws a real HTTP error (shown by the error boundaries) unless `condition` holds. */
export function invariantResponse(
  condition: unknown,
  message: string,
  status = 400,
): asserts condition {
  if (!condition) throw data(message, { status });
}

/** A positive integer id from a URL segment, or null when it cannot name a row. */
export function parseId(raw: string | undefined | null): number | null {
  if (!raw || !/^[1-9][0-9]{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}

/** The post id from `params.postId`, or a 404. */
export function requirePostId(raw: string | undefined): number {
  const id = parseId(raw);
  invariantResponse(id !== null, "No post has that address.", 404);
  return id;
}

/** Thrown when a post id finds nothing: 410 Gone if the post was deleted, else 404. */
export async function postNotFound(id: number): Promise<never> {
  if (await wasDeleted(id)) throw data("Its author deleted it. Nothing lives at this address any more.", { status: 410 });
  throw data("No post has that address.", { status: 404 });
}

/** A version number from `params.version`, or a 404. */
export function requireVersion(raw: string | undefined): number {
  const version = parseId(raw);
  invariantResponse(version !== null, "This post has no such version.", 404);
  return version;
}
