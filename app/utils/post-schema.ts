import { z } from "zod";
import { IMAGE_ALT_MAX_LENGTH, IMAGE_MAX_BYTES, IMAGE_TYPES, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "~/utils/rules";
import { hasControlCharacters, hasDirectionOverrides, hasVisibleCharacters, lineProblem, stringField } from "~/utils/validation";

// The rules of a post, once: the new-post and edit forms (server and browser, through
// conform) and the JSON API (app/utils/api-post.server.ts) all parse with these.

const NEEDS_TITLE = "A post needs a title.";

export const titleSchema = stringField(NEEDS_TITLE)
  .transform((title) => title.trim())
  .superRefine((title, context) => {
    const problem = !title
      ? NEEDS_TITLE
      : title.length > TITLE_MAX_LENGTH
        ? `The title can have at most ${TITLE_MAX_LENGTH} characters (it has ${title.length}).`
        : (lineProblem(title, "The title") ??
          (!hasVisibleCharacters(title)
            ? "The title needs at least one visible character: only spaces, invisible or formatting characters were sent."
            : hasDirectionOverrides(title)
              ? "The title cannot contain characters that override the direction of text (U+202A to U+202E, U+2066 to U+2069)."
              : undefined));
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

// Forms send an empty text as nothing at all.
export const textSchema = stringField("")
  .optional()
  .transform((text) => (text ?? "").replace(/\r\n/g, "\n"))
  .superRefine((text, context) => {
    if (text.length > TEXT_MAX_LENGTH) {
      context.addIssue({
        code: "custom",
        message: `The text can have at most ${TEXT_MAX_LENGTH.toLocaleString("en")} characters (it has ${text.length.toLocaleString("en")}).`,
      });
    } else if (hasControlCharacters(text)) {
      context.addIssue({ code: "custom", message: "The text cannot contain control characters." });
    }
  });

export const imageAltSchema = stringField("")
  .optional()
  .transform((alt) => (alt ?? "").trim())
  .superRefine((alt, context) => {
    const problem =
      alt.length > IMAGE_ALT_MAX_LENGTH
        ? `The image description can have at most ${IMAGE_ALT_MAX_LENGTH} characters (it has ${alt.length}).`
        : lineProblem(alt, "The image description");
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

export const IMAGE_TOO_LARGE = "The image is larger than 10 MB. Choose a smaller file.";
export const IMAGE_WRONG_TYPE = "That file is not a PNG, JPEG, WebP or GIF image. Choose one of those.";

/**
 * The chosen file, checked in the browser before anything is uploaded. On the server the
 * form's files are read apart (readForm) and decoded by processImage, which has the last word.
 */
const imageFileSchema = z.unknown().superRefine((file, context) => {
  if (typeof File === "undefined" || !(file instanceof File) || file.size === 0) return;
  if (file.size > IMAGE_MAX_BYTES) context.addIssue({ code: "custom", message: IMAGE_TOO_LARGE });
  else if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) context.addIssue({ code: "custom", message: IMAGE_WRONG_TYPE });
}).optional();

const DAMAGED_FORM = "The form is damaged: reload the page and try again.";

/** The new-post and edit forms. */
export const PostFormSchema = z
  .object({
    title: titleSchema,
    text: textSchema,
    imageAlt: imageAltSchema,
    image: imageFileSchema,
    removeImage: z.boolean().optional(),
    // The version an edit started from (hidden); the save is refused when it is stale.
    version: z.string().optional(),
  })
  .superRefine(({ version }, context) => {
    if (version !== undefined && !/^[0-9]{1,9}$/.test(version)) context.addIssue({ code: "custom", message: DAMAGED_FORM, path: [] });
  })
  .transform(({ version, image: _image, ...rest }) => ({ ...rest, removeImage: rest.removeImage ?? false, baseVersion: version === undefined ? null : Number(version) }));

/** A preview shows whatever was typed: no rules, and nothing is saved. */
export const PostDraftSchema = z.object({
  title: z.string().optional(),
  text: z.string().optional(),
  imageAlt: z.string().optional(),
  removeImage: z.boolean().optional(),
  version: z.string().optional(),
});

/** Every field the post forms send, for readForm (which keeps nothing else). */
export const POST_FORM_FIELDS = ["title", "text", "imageAlt", "removeImage", "version", "intent"] as const;

// ---- the JSON API --------------------------------------------------------------------

// What /api/openapi.json says of each field (its rules are the refinements above, which
// JSON Schema cannot express; lengths are counted in UTF-16 units, as JavaScript does).
const TITLE_DESCRIPTION = `One line, trimmed, with something visible; at most ${TITLE_MAX_LENGTH} characters.`;
const TEXT_DESCRIPTION = `Markdown, at most ${TEXT_MAX_LENGTH.toLocaleString("en")} characters, no control characters.`;
const IMAGE_ALT_DESCRIPTION = `The image's description: one line, at most ${IMAGE_ALT_MAX_LENGTH} characters.`;

/** POST /api: a title, and optionally text. Unknown keys (the tutorial's "owner") are ignored. */
export const PostCreateSchema = z.object({
  title: titleSchema.meta({ description: TITLE_DESCRIPTION }),
  text: textSchema.meta({ description: TEXT_DESCRIPTION }),
});

const MAX_VERSION = 2_147_483_647;
const NOT_A_VERSION = 'it must be a whole number, the "version" of the post you started from.';

/** The version a change is based on (PATCH, a restore): refused (409) once the post has moved on. */
export const baseVersionSchema = z
  .number({ error: NOT_A_VERSION })
  .int(NOT_A_VERSION)
  .min(1, NOT_A_VERSION)
  .max(MAX_VERSION, NOT_A_VERSION)
  .nullable()
  .optional();

/**
 * PATCH /api/:id: any of the fields, and optionally the version the change is based on
 * (unknown keys, such as the tutorial's "editor", are ignored).
 * `imageAlt` describes the post's image (PUT /api/:id/image), so it is kept only while there is one.
 */
export const PostEditSchema = z
  .object({
    title: titleSchema.optional().meta({ description: TITLE_DESCRIPTION }),
    text: textSchema.optional().meta({ description: TEXT_DESCRIPTION }),
    imageAlt: imageAltSchema.optional().meta({ description: IMAGE_ALT_DESCRIPTION }),
    version: baseVersionSchema.meta({ description: "The version the change is based on: refused (409) if the post has moved on." }),
  })
  .refine((edit) => edit.title !== undefined || edit.text !== undefined || edit.imageAlt !== undefined, {
    message: 'Send "title", "text" or both (or "imageAlt") to change a post.',
    path: [],
  });
