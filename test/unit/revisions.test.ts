import { beforeAll, describe, expect, it } from "vitest";
import { createPost, deletePost, getImageBytes, getPost, updatePost } from "~/models/post.server";
import { compareRevisions, getRevision, listRevisions, restoreRevision } from "~/models/revision.server";
import { createUser, type SessionUser } from "~/models/user.server";
import { contentVersion, reader, write } from "~/utils/db.server";
import { processImage } from "~/utils/image.server";
import { changeSize, wordDiff } from "~/utils/word-diff.server";
import { pngImage } from "../support/images";

let owner: SessionUser;
let editor: SessionUser;

beforeAll(async () => {
  const made = await Promise.all(["rev_owner", "rev_editor"].map((username) => createUser({ username, password: "correct horse" })));
  if (made.includes("taken")) throw new Error("taken");
  [owner, editor] = made as SessionUser[];
});

/** A post's revisions as stored, oldest first. */
function storedRevisions(postId: number) {
  return reader().postRevision.findMany({ where: { postId }, orderBy: { version: "asc" } });
}

const revisionCount = async (postId: number) => (await storedRevisions(postId)).length;

describe("word diffs", () => {
  it("marks inserted and deleted words, and both texts can be read back from the parts", () => {
    const before = "Agenda: budget, <b>hiring</b>.\n\nSecond paragraph stays.\n\nThird one here";
    const after = "Agenda: budget, office move.\n\nSecond paragraph stays.\n\nThird two here, and more";
    const diff = wordDiff(before, after);
    expect(diff.by).toBe("words");
    expect(diff.parts).toEqual([
      [0, "Agenda: budget, "],
      [-1, "<b>hiring</b>"],
      [1, "office move"],
      [0, ".\n\nSecond paragraph stays.\n\nThird "],
      [-1, "one"],
      [1, "two"],
      [0, " here"],
      [1, ", and more"],
    ]);
    expect(diff.parts.filter(([change]) => change >= 0).map(([, text]) => text).join("")).toBe(after);
    expect(diff.parts.filter(([change]) => change <= 0).map(([, text]) => text).join("")).toBe(before);
    expect([diff.added, diff.removed]).toEqual(["office move".length + "two".length + ", and more".length, "<b>hiring</b>".length + "one".length]);
  });

  it("gives back both texts exactly, spacing and line breaks included, and shows rewritten punctuation as changed", () => {
    const cases: [string, string][] = [
      ["letter city", "letter. city"],
      ["one\n\ntwo", "one\ntwo"],
      ["a  b c", "a b  c d"],
      ["Bake for <b>40</b> minutes.", "Bake for <i>45</i> minutes."],
      ["", "new"],
      ["old", ""],
    ];
    for (const [before, after] of cases) {
      const diff = wordDiff(before, after);
      expect(diff.parts.filter(([change]) => change >= 0).map(([, text]) => text).join(""), after).toBe(after);
      expect(diff.parts.filter(([change]) => change <= 0).map(([, text]) => text).join(""), before).toBe(before);
    }
    expect(wordDiff("one\n\ntwo", "one\ntwo")).toMatchObject({ parts: [[0, "one\n"], [-1, "\n"], [0, "two"]], onlySpacing: true });
    // Not "b", ">", "40", "</" ... one by one: punctuation between rewritten words goes with them.
    expect(wordDiff("Bake for <b>40</b> minutes.", "Bake for <i>45</i> minutes.").parts).toEqual([
      [0, "Bake for <"],
      [-1, "b>40</b"],
      [1, "i>45</i"],
      [0, "> minutes."],
    ]);
  });

  it("compares words of any alphabet as words, and Chinese or Japanese character by character", () => {
    expect(wordDiff("Привет мир, как дела", "Привет прекрасный мир, как дела").parts).toEqual([[0, "Привет "], [1, "прекрасный "], [0, "мир, как дела"]]);
    expect(wordDiff("Καλημέρα κόσμε", "Καλησπέρα κόσμε").parts).toEqual([[-1, "Καλημέρα"], [1, "Καλησπέρα"], [0, " κόσμε"]]);
    expect(wordDiff("東京は晴れ", "東京は雨").parts).toEqual([[0, "東京は"], [-1, "晴れ"], [1, "雨"]]);
  });

  it("finds a small change in a long text as cheaply as in a short one", () => {
    const paragraph = (n: number) => `Paragraph ${n}: ${"words and more words ".repeat(20)}`;
    const before = Array.from({ length: 150 }, (_, n) => paragraph(n)).join("\n\n");
    const after = before.replace("Paragraph 3:", "Paragraph three:").replace("Paragraph 140:", "Paragraph 140 (edited):");
    expect(before.length).toBeGreaterThan(60_000);
    const started = performance.now();
    const diff = wordDiff(before, after);
    expect(performance.now() - started).toBeLessThan(100);
    expect(diff.parts.filter(([change]) => change !== 0)).toEqual([[-1, "3"], [1, "three"], [1, " (edited)"]]);
    expect(diff.parts.filter(([change]) => change >= 0).map(([, text]) => text).join("")).toBe(after);
  });

  it("counts a new post as all added, and an image or its description as a change", () => {
    const state = { title: "Hello", text: "World", imageHash: null, imageAlt: "" };
    expect(changeSize(null, state)).toEqual({ charsAdded: 10, charsRemoved: 0, imageChanged: false });
    expect(changeSize(state, { ...state, title: "Hello there" })).toEqual({ charsAdded: 6, charsRemoved: 0, imageChanged: false });
    expect(changeSize(state, { ...state, imageHash: "abc" }).imageChanged).toBe(true);
    expect(changeSize({ ...state, imageHash: "abc" }, { ...state, imageHash: "abc", imageAlt: "A cat" }).imageChanged).toBe(true);
  });
});

describe("every save is a revision", () => {
  it("keeps the creation as version 1 and each edit as the next, with the editor and what changed", async () => {
    const post = await createPost({ input: { title: "Notes", text: "one two three" }, ownerId: owner.id });
    expect(await getRevision(post.id, 1)).toMatchObject({
      version: 1,
      title: "Notes",
      text: "one two three",
      editor: { username: "rev_owner" },
      charsAdded: "Notes".length + "one two three".length,
      charsRemoved: 0,
      imageChanged: false,
      restoredFrom: null,
    });

    const saved = await updatePost({ id: post.id, editorId: editor.id, input: { title: "Notes", text: "one 2 three four" }, baseVersion: 1 });
    expect(saved.status).toBe("saved");
    const second = await getRevision(post.id, 2);
    expect(second).toMatchObject({ version: 2, text: "one 2 three four", editor: { username: "rev_editor" }, charsRemoved: 3 });
    expect(second!.charsAdded).toBe("2".length + " four".length);
    expect(second!.createdAt.getTime()).toBe((await getPost(post.id))!.updatedAt.getTime());
  });

  it("writes nothing, not even a revision, for a refused save", async () => {
    const post = await createPost({ input: { title: "Refused", text: "a" }, ownerId: owner.id });
    await updatePost({ id: post.id, editorId: editor.id, input: { text: "b" }, baseVersion: 1 });
    const version = await contentVersion();
    expect(await updatePost({ id: post.id, editorId: owner.id, input: { text: "c" }, baseVersion: 1 })).toMatchObject({ status: "conflict" });
    expect(await revisionCount(post.id)).toBe(2);
    expect(await contentVersion()).toBe(version);
  });

  it("gives each of many concurrent saves without a base version its own revision, measured against the one before", async () => {
    const post = await createPost({ input: { title: "Busy", text: "start" }, ownerId: owner.id });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) => updatePost({ id: post.id, editorId: editor.id, input: { text: `start writer${n}` } })),
    );
    expect(results.every((result) => result.status === "saved")).toBe(true);
    const history = await storedRevisions(post.id);
    expect(history.map((row) => row.version)).toEqual(Array.from({ length: 13 }, (_, n) => n + 1));
    expect((await getPost(post.id))!.text).toBe(history[12].text);
    for (let n = 1; n < history.length; n++) {
      const expected = changeSize({ title: "Busy", text: history[n - 1].text, imageHash: null, imageAlt: "" }, { title: "Busy", text: history[n].text, imageHash: null, imageAlt: "" });
      expect([history[n].charsAdded, history[n].charsRemoved]).toEqual([expected.charsAdded, expected.charsRemoved]);
    }
  });

  it("keeps a replaced image while a revision shows it, and lets it go with the post", async () => {
    const first = await processImage(await pngImage(50, 50, "#123456"));
    const second = await processImage(await pngImage(60, 60, "#654321"));
    const post = await createPost({ input: { title: "Pictures", text: "" }, ownerId: owner.id, image: first, imageAlt: "Blue" });
    expect((await getRevision(post.id, 1))!.imageChanged).toBe(true);
    await updatePost({ id: post.id, editorId: editor.id, input: {}, image: second });
    expect(await getRevision(post.id, 2)).toMatchObject({ imageHash: second.hash, imageChanged: true, charsAdded: 0, charsRemoved: 0 });
    expect(await getImageBytes(first.hash, "full")).not.toBeNull();
    await updatePost({ id: post.id, editorId: editor.id, input: {}, image: "remove" });
    expect(await getImageBytes(second.hash, "full")).not.toBeNull();

    expect(await deletePost({ id: post.id, userId: owner.id })).toBe("deleted");
    expect(await revisionCount(post.id)).toBe(0);
    expect(await getImageBytes(first.hash, "full")).toBeNull();
    expect(await getImageBytes(second.hash, "full")).toBeNull();
  });

  it("keeps the history of a deleted account's edits, credited to nobody", async () => {
    const leaver = await createUser({ username: "rev_leaver", password: "correct horse" });
    if (leaver === "taken") throw new Error("taken");
    const post = await createPost({ input: { title: "Stays", text: "x" }, ownerId: owner.id });
    await updatePost({ id: post.id, editorId: leaver.id, input: { text: "y" } });
    // No account deletion in the app yet: the database's own rule (ON DELETE SET NULL) is what is tested.
    await write((db) => db.user.delete({ where: { id: leaver.id } }));
    expect(await getRevision(post.id, 2)).toMatchObject({ text: "y", editor: null });
  });
});

describe("reading the history", () => {
  it("lists newest first, a page at a time, each entry with the version before it", async () => {
    const post = await createPost({ input: { title: "Long history", text: "v1" }, ownerId: owner.id });
    for (let n = 2; n <= 45; n++) await updatePost({ id: post.id, editorId: editor.id, input: { text: `v${n}` } });
    const seen: number[] = [];
    let before: number | null | undefined;
    do {
      const page = await listRevisions(post.id, { before, limit: 20 });
      for (const revision of page.revisions) expect(revision.previousVersion).toBe(revision.version > 1 ? revision.version - 1 : null);
      seen.push(...page.revisions.map((revision) => revision.version));
      before = page.next;
    } while (before);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, n) => 45 - n));
  });

  it("compares any two versions, in either direction", async () => {
    const post = await createPost({ input: { title: "Compare me", text: "The quick brown fox" }, ownerId: owner.id });
    await updatePost({ id: post.id, editorId: editor.id, input: { title: "Compared", text: "The slow brown fox jumps" } });
    const comparison = await compareRevisions(post.id, 1, 2);
    expect(comparison!.title.parts).toEqual([[-1, "Compare me"], [1, "Compared"]]);
    expect(comparison!.text.parts).toEqual([[0, "The "], [-1, "quick"], [1, "slow"], [0, " brown fox"], [1, " jumps"]]);
    expect((await compareRevisions(post.id, 2, 1))!.text.parts).toEqual([[0, "The "], [-1, "slow"], [1, "quick"], [0, " brown fox"], [-1, " jumps"]]);
    expect(await compareRevisions(post.id, 1, 3)).toBeNull();
  });
});

describe("restoring", () => {
  it("puts an old version back as a new revision credited to the restorer, image included", async () => {
    const image = await processImage(await pngImage(30, 30, "#abcdef"));
    const post = await createPost({ input: { title: "Original", text: "Good words" }, ownerId: owner.id, image });
    await updatePost({ id: post.id, editorId: editor.id, input: { title: "Vandalised", text: "Bad words" }, image: "remove" });
    const restored = await restoreRevision({ postId: post.id, version: 1, editorId: owner.id, baseVersion: 2 });
    expect(restored.status).toBe("saved");
    expect(await getPost(post.id)).toMatchObject({ title: "Original", text: "Good words", imageHash: image.hash, version: 3, editor: { username: "rev_owner" } });
    expect(await getRevision(post.id, 3)).toMatchObject({ restoredFrom: 1, imageChanged: true, editor: { username: "rev_owner" }, charsRemoved: "Vandalised".length + "Bad".length });
  });

  it("is refused like an edit when someone saved since, and writes nothing", async () => {
    const post = await createPost({ input: { title: "Contested", text: "one" }, ownerId: owner.id });
    await updatePost({ id: post.id, editorId: editor.id, input: { text: "two" } });
    await updatePost({ id: post.id, editorId: editor.id, input: { text: "three" } });
    expect(await restoreRevision({ postId: post.id, version: 1, editorId: owner.id, baseVersion: 2 })).toMatchObject({ status: "conflict", current: { version: 3 } });
    expect(await revisionCount(post.id)).toBe(3);
    expect(await restoreRevision({ postId: post.id, version: 9, editorId: owner.id })).toEqual({ status: "no-revision" });
    expect(await restoreRevision({ postId: 2_000_000_000, version: 1, editorId: owner.id })).toEqual({ status: "missing" });
  });
});
