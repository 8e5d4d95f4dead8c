import { data } from "@remix-run/node";
import { validatePostInput, type PostInput } from "~/models/post.server";
import { DATABASE_BUSY_MESSAGE, isDatabaseBusy } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { ImageError, imageTooLarge, MAX_IMAGE_BYTES, processImage, type ProcessedImage } from "~/utils/image.server";
import { textField, type FieldErrors } from "~/utils/validation";

export type PostFormField = "title" | "text" | "image";

export type PostSubmission =
  | { ok: true; input: PostInput; image: ProcessedImage | null; baseVersion: number | null }
  | { ok: false; status: 400 | 413 | 503; errors: FieldErrors<PostFormField>; values: PostInput };

/**
 * Reads the new-post and edit forms: every field is checked and every problem reported at
 * once, and what the user typed comes back so the form can show it again.
 */
export async function readPostSubmission(request: Request, uploader: number): Promise<PostSubmission> {
  const { formData, files, oversized, cutOff } = await readForm(request, {
    fields: ["title", "text", "version"],
    files: { image: MAX_IMAGE_BYTES },
  });
  const values = { title: textField(formData, "title"), text: textField(formData, "text") };
  const errors: FieldErrors<PostFormField> = {};
  let status: 400 | 413 | 503 = 400;

  const validated = validatePostInput(values);
  if (!validated.ok) Object.assign(errors, validated.errors);
  for (const field of ["title", "text"] as const) {
    if (oversized.has(field)) {
      errors[field] = `The ${field} is far too long.`;
      status = 413;
    }
  }

  let image: ProcessedImage | null = null;
  const upload = files.get("image");
  try {
    // A body cut off at 16 MB was cut in its image (files come last): too large, too.
    if (oversized.has("image") || cutOff) throw imageTooLarge();
    if (upload) image = await processImage(upload, { uploader });
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    errors.image = error.message;
    if (error.status !== 400) status = error.status;
  }

  const rawVersion = textField(formData, "version");
  const baseVersion = /^[0-9]{1,9}$/.test(rawVersion) ? Number(rawVersion) : null;
  if (rawVersion && baseVersion === null) errors.form = "The form is damaged: reload the page and try again.";

  if (!validated.ok || Object.keys(errors).length > 0) return { ok: false, status, errors, values };
  return { ok: true, input: validated.value, image, baseVersion };
}

/**
 * When saving ran into a busy database (isDatabaseBusy), the form comes back with what
 * was typed, a 503 and Retry-After; anything else is thrown on.
 */
export function busyFormOrThrow(error: unknown, values: PostInput) {
  if (!isDatabaseBusy(error)) throw error;
  const errors: FieldErrors<PostFormField> = { form: `${DATABASE_BUSY_MESSAGE} Your text is still here.` };
  return data({ errors, values, conflict: null }, { status: 503, headers: { "Retry-After": "2" } });
}

/** Passes an action's Retry-After (429, 503) on to the response; Remix keeps only Set-Cookie by itself. */
export function retryAfterHeaders({ actionHeaders }: { actionHeaders: Headers }) {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
}
