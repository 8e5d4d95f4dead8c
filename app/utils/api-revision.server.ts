import { z } from "zod";
import type { Revision, RevisionSummary } from "~/models/revision.server";

// Revisions as the JSON API shows them (docs/decisions/012-revisions.md); the schemas are
// what /api/openapi.json describes them with.

export const ApiRevisionSummarySchema = z
  .object({
    version: z.int().min(1),
    editor: z.string().nullable().meta({ description: "Who made this save; null once that account is deleted." }),
    createdAt: z.iso.datetime(),
    charsAdded: z.int().min(0),
    charsRemoved: z.int().min(0),
    imageChanged: z.boolean(),
    restoredFrom: z.int().min(1).nullable().meta({ description: "The version this save put back, if it was a restore." }),
  })
  .strict();

export const ApiRevisionSchema = ApiRevisionSummarySchema.extend({
  postId: z.int().min(1),
  title: z.string(),
  text: z.string(),
  image: z.string().nullable(),
  imageAlt: z.string(),
}).strict();

export function apiRevisionSummary(revision: RevisionSummary): z.infer<typeof ApiRevisionSummarySchema> {
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

export function apiRevision(revision: Revision): z.infer<typeof ApiRevisionSchema> {
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
