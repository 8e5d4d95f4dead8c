import { describe, expect, it } from "vitest";
import { PostCreateSchema, PostEditSchema, PostFormSchema } from "~/utils/post-schema";
import { apiProblems } from "~/utils/validation";

// The rules of a post, as the forms and the API read them (one schema, app/utils/post-schema.ts).

const create = (body: Record<string, unknown>) => PostCreateSchema.safeParse(body);
const problem = (body: Record<string, unknown>, schema: typeof PostCreateSchema | typeof PostEditSchema = PostCreateSchema) => {
  const result = schema.safeParse(body);
  return result.success ? null : apiProblems(result.error);
};

describe("post rules", () => {
  it("need a title of at most 200 characters and text of at most 100,000", () => {
    expect(create({ title: "  Trimmed  ", text: "a\r\nb" })).toEqual({ success: true, data: { title: "Trimmed", text: "a\nb" } });
    expect(problem({ title: "   " })).toBe('Invalid "title": A post needs a title.');
    expect(problem({ text: "no title" })).toBe('Invalid "title": A post needs a title.');
    expect(problem({ title: "x".repeat(201) })).toBe('Invalid "title": The title can have at most 200 characters (it has 201).');
    expect(create({ title: "x".repeat(200), text: "é".repeat(100_000) }).success).toBe(true);
    expect(problem({ title: "ok", text: "y".repeat(100_001) })).toBe('Invalid "text": The text can have at most 100,000 characters (it has 100,001).');
  });

  it("keep titles on one line and both free of control characters", () => {
    expect(problem({ title: "bell\u0007" })).toBe('Invalid "title": The title cannot contain line breaks or control characters.');
    expect(problem({ title: "tabs\tand\nnewlines are fine in text only" })).toMatch(/line breaks/);
    expect(create({ title: "fine", text: "a\tb\nc" }).success).toBe(true);
    expect(problem({ title: "ok", text: "\u001b[31mred" })).toBe('Invalid "text": The text cannot contain control characters.');
  });

  it("need something visible in a title: not only zero-width, format or direction characters", () => {
    for (const title of ["\u200b\u200b", "\u200e\u200f", "\u202e\u202d", "\u2066\u2069", "\u00ad", "\u3164", "\u2800", " \u200b "]) {
      expect(problem({ title }), JSON.stringify(title)).toMatch(/^Invalid "title": The title needs at least one visible character/);
    }
    for (const title of ["é", "😀", "日本語", "שלום", "a\u200bb", "مرحبا\u200f"]) expect(create({ title }).success, title).toBe(true);
  });

  it("refuse direction overrides in titles, which can make a title read backwards", () => {
    for (const title of ["\u202egnp.exe", "abc\u202d", "x\u2067y\u2069"]) {
      expect(problem({ title }), JSON.stringify(title)).toMatch(/^Invalid "title": The title cannot contain characters that override the direction of text/);
    }
  });

  it("refuse a lone surrogate, naming the field (JSON's \\ud800 escapes can make one)", () => {
    const lone = JSON.parse('{"title": "a\\ud800b", "text": "x\\udc00"}') as Record<string, unknown>;
    expect(problem(lone)).toBe('Invalid "title": it is not valid Unicode text (it has a lone surrogate). Invalid "text": it is not valid Unicode text (it has a lone surrogate).');
    expect(problem({ text: "ok\ud800" }, PostEditSchema)).toBe('Invalid "text": it is not valid Unicode text (it has a lone surrogate).');
    expect(problem({ imageAlt: "\udfff" }, PostEditSchema)).toBe('Invalid "imageAlt": it is not valid Unicode text (it has a lone surrogate).');
    // A pair is one character, and fine.
    expect(create({ title: "\ud83d\ude00" }).success).toBe(true);
  });

  it("name the JSON type that was sent instead of a string", () => {
    expect(problem({ title: 5 })).toBe('Invalid "title": it must be a string (got a number).');
    expect(problem({ title: null })).toBe('Invalid "title": it must be a string (got null).');
    expect(problem({ title: ["a"] })).toBe('Invalid "title": it must be a string (got an array).');
    expect(problem({ title: "ok", text: { nested: true } })).toBe('Invalid "text": it must be a string (got an object).');
  });

  it("take edits of any field, with an optional version", () => {
    expect(PostEditSchema.parse({ text: "x", version: 3 })).toEqual({ text: "x", version: 3 });
    expect(problem({}, PostEditSchema)).toMatch(/Send "title", "text" or both/);
    for (const version of ["1", 0, 1.5, 2 ** 31]) expect(problem({ text: "ok", version }, PostEditSchema)).toMatch(/^Invalid "version"/);
  });

  it("read the form: a damaged version is a problem of the whole form, 'remove image' a box", () => {
    expect(PostFormSchema.parse({ title: "T", version: "4", removeImage: true })).toEqual({
      title: "T",
      text: "",
      imageAlt: "",
      removeImage: true,
      baseVersion: 4,
    });
    const damaged = PostFormSchema.safeParse({ title: "T", version: "1e3" });
    expect(damaged.error?.issues).toEqual([expect.objectContaining({ path: [], message: "The form is damaged: reload the page and try again." })]);
    expect(PostFormSchema.safeParse({ title: "T", imageAlt: "two\nlines" }).error?.issues[0].message).toBe(
      "The image description cannot contain line breaks or control characters.",
    );
  });

  it("check a chosen image's size and type before it is sent (in the browser)", () => {
    const file = (bytes: number, type: string) => new File([new Uint8Array(bytes)], "photo", { type });
    expect(PostFormSchema.safeParse({ title: "T", image: file(100, "image/png") }).success).toBe(true);
    expect(PostFormSchema.safeParse({ title: "T", image: file(10 * 1024 * 1024 + 1, "image/png") }).error?.issues[0].message).toBe(
      "The image is larger than 10 MB. Choose a smaller file.",
    );
    expect(PostFormSchema.safeParse({ title: "T", image: file(100, "image/svg+xml") }).error?.issues[0].message).toMatch(/not a PNG, JPEG, WebP or GIF/);
  });
});
