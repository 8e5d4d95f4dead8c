/** How many ids one part of the sitemap covers. */
export const SITEMAP_SIZE = 10_000;

/** The names of the sitemap's parts: "pages", "posts-1", "posts-2"..., "authors-1"... */
export function sitemapParts({ lastPostId, lastUserId }: { lastPostId: number; lastUserId: number }): string[] {
  const ranges = (last: number, kind: string) => Array.from({ length: Math.ceil(last / SITEMAP_SIZE) }, (_, index) => `${kind}-${index + 1}`);
  return ["pages", ...ranges(lastPostId, "posts"), ...ranges(lastUserId, "authors")];
}

/** A part's name read back: what it lists, and which ids (`from < id <= to`). */
export function parseSitemapPart(name: string): { kind: "pages" } | { kind: "posts" | "authors"; from: number; to: number } | null {
  if (name === "pages") return { kind: "pages" };
  const match = /^(posts|authors)-([1-9][0-9]{0,5})$/.exec(name);
  if (!match) return null;
  const index = Number(match[2]);
  return { kind: match[1] as "posts" | "authors", from: (index - 1) * SITEMAP_SIZE, to: index * SITEMAP_SIZE };
}
