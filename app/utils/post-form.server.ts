import { parseWithZod } from "@conform-to/zod/v4";
import type { SubmissionResult } from "@conform-to/react";
import { data } from "@remix-run/node";
import type { PostInput } from "~/models/post.server";
import type { ConflictChanges } from "~/models/revision.server";
import { DATABASE_BUSY_MESSAGE, isDatabaseBusy } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { ImageError, imageTooLarge, MAX_IMAGE_BYTES, processImage, type ProcessedImage } from "~/utils/image.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { POST_FORM_FIELDS, PostDraftSchema, PostFormSchema } from "~/utils/post-schema";
import { firstOfEach } from "~/utils/validation";

/** What the post forms' actions answer when the form comes back (errors, preview, conflict). */
export type PostFormReply = {
  result: SubmissionResult<string[]>;
  /** The text rendered as the post would show it ("Preview"). */
  preview: string | null;
  /** A file was sent but not kept: without JavaScript it must be chosen again. */
  imageNotKept: boolean;
  /** A refused save (409): the version saved meanwhile, and what changed since this edit began. */
  conflict: { title: string; text: string; editor: string; version: number; changes: ConflictChanges | null } | null;
};

export type PostSubmission =
  | { kind: "save"; input: PostInput; imageAlt: string; image: ProcessedImage | "remove" | undefined; baseVersion: number | null; result: () => SubmissionResult<string[]> }
  | { kind: "reply"; status: 200 | 400 | 413 | 503; reply: PostFormReply };

/**
 * Reads the new-post and edit forms with their schema (PostFormSchema): every field is
 * checked and every problem reported at once, and what the user typed comes back so the form
 * can show it again. "Preview" (intent=preview) renders the text and saves nothing.
 */
export async function readPostSubmission(request: Request, uploader: number): Promise<PostSubmission> {
  const { formData, files, oversized, cutOff } = await readForm(request, {
    fields: POST_FORM_FIELDS,
    files: { image: MAX_IMAGE_BYTES },
  });
  // A body cut off at 16 MB was cut in its image (files come last): too large, too.
  const imageSent = files.has("image") || oversized.has("image") || cutOff;

  if (formData.get("intent") === "preview") {
    const draft = parseWithZod(firstOfEach(formData), { schema: PostDraftSchema });
    const text = draft.status === "success" ? (draft.value.text ?? "") : "";
    const reply: PostFormReply = { result: draft.reply(), preview: renderMarkdown(text.replace(/\r\n/g, "\n")), imageNotKept: imageSent, conflict: null };
    return { kind: "reply", status: 200, reply };
  }

  const submission = parseWithZod(firstOfEach(formData), { schema: PostFormSchema });
  const fieldErrors: Record<string, string[]> = {};
  let status: 400 | 413 | 503 = 400;
  for (const [field, name] of [["title", "title"], ["text", "text"], ["imageAlt", "image description"]] as const) {
    if (oversized.has(field)) {
      fieldErrors[field] = [`The ${name} is far too long.`];
      status = 413;
    }
  }

  let image: ProcessedImage | undefined = undefined;
  try {
    if (oversized.has("image") || cutOff) throw imageTooLarge();
    const upload = files.get("image");
    if (upload) image = await processImage(upload, { uploader });
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    fieldErrors.image = [error.message];
    if (error.status !== 400) status = error.status;
  }

  if (submission.status !== "success" || Object.keys(fieldErrors).length > 0) {
    // A good image was read but the form has other problems: it is not kept either (the
    // form says so at the file input when it comes back without the file, imageNotKept).
    const reply: PostFormReply = { result: submission.reply({ fieldErrors }), preview: null, imageNotKept: imageSent, conflict: null };
    return { kind: "reply", status, reply };
  }
  const { title, text, imageAlt, removeImage, baseVersion } = submission.value;
  return {
    kind: "save",
    input: { title, text },
    imageAlt,
    image: image ?? (removeImage ? "remove" : undefined),
    baseVersion,
    result: () => submission.reply(),
  };
}

/** The form back, with what was typed, a message for the form as a whole, and a status. */
export function formReply(
  submission: Extract<PostSubmission, { kind: "save" }>,
  status: number,
  message: string,
  extra: Partial<PostFormReply> = {},
  headers?: HeadersInit,
) {
  const reply: PostFormReply = {
    result: { ...submission.result(), error: { "": [message] }, status: "error" },
    preview: null,
    imageNotKept: submission.image !== undefined && submission.image !== "remove",
    conflict: null,
    ...extra,
  };
  return data(reply, { status, headers });
}

/**
 * When saving ran into a busy database (isDatabaseBusy), the form comes back with what
 * was typed, a 503 and Retry-After; anything else is thrown on.
 */
export function busyFormOrThrow(error: unknown, submission: Extract<PostSubmission, { kind: "save" }>) {
  if (!isDatabaseBusy(error)) throw error;
  return formReply(submission, 503, `${DATABASE_BUSY_MESSAGE} Your text is still here.`, {}, { "Retry-After": "2" });
}

/** Passes an action's Retry-After (429, 503) on to the response; Remix keeps only Set-Cookie by itself. */
export function retryAfterHeaders({ actionHeaders }: { actionHeaders: Headers }) {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
}
