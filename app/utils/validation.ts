import { z } from "zod";

// Zod compiles object schemas with `new Function` when it may; the page's policy forbids
// eval, and even zod's probe for it is reported as a violation. Interpreted is fast enough.
z.config({ jitless: true });

// Building blocks of the forms' schemas (zod, read by conform on both sides; see
// docs/decisions/011-reading-and-writing.md). Messages are written for the person at the
// form: the JSON API prefixes them with the field's name.

// Control characters other than tab and newlines have no business in a post or a name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function hasControlCharacters(value: string) {
  return CONTROL_CHARACTERS.test(value);
}

/**
 * Something a reader can see: not only spaces, zero-width and other format characters,
 * direction marks or fillers (Unicode's default-ignorable code points).
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

export function hasVisibleCharacters(value: string) {
  return VISIBLE.test(value);
}

/** Embeddings, overrides and isolates: they can make a line read backwards ("Trojan Source"). */
const DIRECTION_OVERRIDES = /[\u202a-\u202e\u2066-\u2069]/;

export function hasDirectionOverrides(value: string) {
  return DIRECTION_OVERRIDES.test(value);
}

/** How a JSON value's type is named in messages: "a number", "null", "an array". */
export function jsonType(value: unknown) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A string field: `required` is the message when it is missing (forms send empty fields
 * as missing); another type (only JSON can send one) is named; a lone UTF-16 surrogate
 * (only JSON's \ud800 escapes can make one) is refused, since it cannot be stored or sent
 * as UTF-8.
 */
export function stringField(required: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? required : `it must be a string (got ${jsonType(issue.input)}).`) })
    .refine(isWellFormed, "it is not valid Unicode text (it has a lone surrogate).");
}

/** What String#isWellFormed answers, for browsers that lack it: a lone surrogate is category Cs. */
export function isWellFormed(value: string): boolean {
  const native = (value as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(value) : !/\p{Cs}/u.test(value);
}

/** One line of text: a title, a name. */
export function lineProblem(value: string, what: string): string | undefined {
  if (hasControlCharacters(value) || /[\r\n\t]/.test(value)) return `${what} cannot contain line breaks or control characters.`;
  return undefined;
}

/** `{"title": ["..."], "": ["..."]}` (conform's errors) as one message per field. */
export type FieldMessages = Partial<Record<string, string[] | null>>;

/**
 * A zod error as the JSON API says it: `Invalid "title": A post needs a title.` for the
 * first problem of each field, in the schema's order.
 */
export function apiProblems(error: z.ZodError): string {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "");
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push(field ? `Invalid "${field}": ${issue.message}` : issue.message);
  }
  return problems.join(" ");
}

/**
 * A form with each field once: the first value of a name sent twice, as the hand-written
 * readers took it (conform would read the two as a list, which no schema here expects).
 */
export function firstOfEach(formData: FormData): FormData {
  const single = new FormData();
  for (const [name, value] of formData) if (!single.has(name)) single.append(name, value);
  return single;
}

/** A text field's value; a missing field, or a file where text belongs, reads as "". */
export function textField(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}
