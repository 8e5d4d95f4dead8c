/** Messages keyed by form field; "form" holds a message about the form as a whole. */
export type FieldErrors<Field extends string = string> = Partial<Record<Field | "form", string>>;

export type Validated<Value, Field extends string> =
  | { ok: true; value: Value }
  | { ok: false; errors: FieldErrors<Field> };

/** A text field's value; a missing field, or a file where text belongs, reads as "". */
export function textField(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

// Control characters other than tab and newlines have no business in a post or a name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function hasControlCharacters(value: string) {
  return CONTROL_CHARACTERS.test(value);
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}
