/** How pages name someone whose account no longer exists (docs/decisions/007). */
export const DELETED_USER = "a deleted user";

/** The name to show for a post's last editor. */
export function editorName(post: { editor: { username: string } | null }) {
  return post.editor?.username ?? DELETED_USER;
}
