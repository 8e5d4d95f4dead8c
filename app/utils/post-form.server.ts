import { validatePostInput, type PostInput } from "~/models/post.server";
import { readForm } from "~/utils/form.server";
import { ImageError, imageTooLarge, MAX_IMAGE_BYTES, processImage, type ProcessedImage } from "~/utils/image.server";
import { textField, type FieldErrors } from "~/utils/validation";

export type PostFormField = "title" | "text" | "image";

export type PostSubmission =
  | { ok: true; input: PostInput; image: ProcessedImage | null; baseVersion: number | null }
  | { ok: false; status: 400 | 413; errors: FieldErrors<PostFormField>; values: PostInput };

/**
 * Reads the new-post and edit forms: every field is checked and every problem reported at
 * once, and what the user typed comes back so the form can show it again.
 */
export async function readPostSubmission(request: Request): Promise<PostSubmission> {
  const { formData, files, oversized } = await readForm(request, { image: MAX_IMAGE_BYTES });
  const values = { title: textField(formData, "title"), text: textField(formData, "text") };
  const errors: FieldErrors<PostFormField> = {};
  let status: 400 | 413 = 400;

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
    if (oversized.has("image")) throw imageTooLarge();
    if (upload) image = await processImage(upload);
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    errors.image = error.message;
    if (error.status === 413) status = 413;
  }

  const rawVersion = textField(formData, "version");
  const baseVersion = /^[0-9]{1,9}$/.test(rawVersion) ? Number(rawVersion) : null;
  if (rawVersion && baseVersion === null) errors.form = "The form is damaged: reload the page and try again.";

  if (!validated.ok || Object.keys(errors).length > 0) return { ok: false, status, errors, values };
  return { ok: true, input: validated.value, image, baseVersion };
}
