import type { Revision, RevisionSummary } from "~/models/revision.server";

// Revisions as the JSON API shows them (docs/decisions/012-revisions.md).

export function apiRevisionSummary(revision: RevisionSummary) {
  return {
    version: revision.version,
    editor: revision.editor?.username ?? null,
    createdAt: revision.createdAt.toISOString(),
    charsAdded: revision.charsAdded,
    charsRemoved: revision.charsRemoved,
    imageChanged: revision.imageChanged,
    restoredFrom: revision.restoredFrom,
  };
}

export function apiRevision(revision: Revision) {
  const { version, editor, createdAt, ...rest } = apiRevisionSummary(revision);
  return {
    postId: revision.postId,
    version,
    title: revision.title,
    text: revision.text,
    image: revision.imageHash ? `/${revision.postId}/history/${revision.version}/image` : null,
    imageAlt: revision.imageAlt,
    editor,
    createdAt,
    ...rest,
  };
}
