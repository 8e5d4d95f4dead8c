/**
 * The address of a post's image. `v` is the image's content hash, so a new image gets a new
 * URL and browsers may cache each one forever.
 */
export function postImageUrl(post: { id: number; imageHash: string | null }, size: "full" | "thumbnail" = "full") {
  const params = new URLSearchParams();
  if (size === "thumbnail") params.set("size", "thumbnail");
  params.set("v", post.imageHash ?? "none");
  return `/${post.id}/image?${params}`;
}
