import { beforeAll, describe, expect, it } from "vitest";
import {
  createPost,
  deletePost,
  getImageBytes,
  getImageHash,
  getPost,
  listPosts,
  updatePost,
} from "~/models/post.server";
import { createUser, type SessionUser } from "~/models/user.server";
import { processImage } from "~/utils/image.server";
import { pngImage } from "../support/images";

let owner: SessionUser;
let editor: SessionUser;

beforeAll(async () => {
  const made = await Promise.all([
    createUser({ username: "owner", password: "correct horse" }),
    createUser({ username: "editor", password: "correct horse" }),
  ]);
  if (made.includes("taken")) throw new Error("taken");
  [owner, editor] = made as SessionUser[];
});

const input = (title: string, text = "") => ({ title, text });

describe("posts", () => {
  it("creates a post owned and last edited by its author, with its image apart", async () => {
    const image = await processImage(await pngImage(200, 100));
    const post = await createPost({ input: input("With image", "Body"), ownerId: owner.id, image });
    expect(post).toMatchObject({ title: "With image", text: "Body", version: 1, imageHash: image.hash });
    expect(post.owner.username).toBe("owner");
    expect(post.editor?.username).toBe("owner");
    expect(await getImageHash(post.id)).toBe(image.hash);
    const full = await getImageBytes(image.hash, "full");
    expect(full?.contentType).toBe("image/webp");
    expect(Buffer.from(full!.bytes).equals(Buffer.from(image.data))).toBe(true);
    const thumbnail = await getImageBytes(image.hash, "thumbnail");
    expect(Buffer.from(thumbnail!.bytes).equals(Buffer.from(image.thumbnail))).toBe(true);
  });

  it("lists newest first, a page at a time, without gaps or repeats", async () => {
    const ids: number[] = [];
    for (let n = 0; n < 45; n++) ids.push((await createPost({ input: input(`Page post ${n}`), ownerId: owner.id })).id);
    const seen: number[] = [];
    let after: number | null | undefined;
    do {
      const page = await listPosts({ after, limit: 20 });
      expect(page.posts.length).toBeLessThanOrEqual(20);
      seen.push(...page.posts.map((post) => post.id));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it("credits the editor and refuses a save based on a stale version", async () => {
    const post = await createPost({ input: input("Draft", "one"), ownerId: owner.id });
    const first = await updatePost({ id: post.id, editorId: editor.id, input: input("Draft", "two"), baseVersion: 1 });
    expect(first).toEqual({ status: "saved", version: 2 });
    expect(await getPost(post.id)).toMatchObject({ version: 2, text: "two", editor: { username: "editor" }, owner: { username: "owner" } });

    const stale = await updatePost({ id: post.id, editorId: owner.id, input: input("Draft", "three"), baseVersion: 1 });
    expect(stale).toMatchObject({ status: "conflict", current: { text: "two", version: 2 } });
    expect((await getPost(post.id))?.text).toBe("two");

    expect(await updatePost({ id: 2_000_000_000, editorId: owner.id, input: input("x") })).toEqual({ status: "missing" });
  });

  it("lets exactly one of many concurrent saves from the same version win", async () => {
    const post = await createPost({ input: input("Contested"), ownerId: owner.id });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        updatePost({ id: post.id, editorId: editor.id, input: input("Contested", `writer ${n}`), baseVersion: 1 }),
      ),
    );
    expect(results.filter((result) => result.status === "saved")).toHaveLength(1);
    expect(results.filter((result) => result.status === "conflict")).toHaveLength(9);
    expect((await getPost(post.id))?.version).toBe(2);
  });

  it("replaces the image on edit, and only then", async () => {
    const post = await createPost({ input: input("Picture"), ownerId: owner.id, image: await processImage(await pngImage(50, 50, "#111")) });
    const replacement = await processImage(await pngImage(60, 60, "#eee"));
    const stale = await updatePost({ id: post.id, editorId: editor.id, input: {}, baseVersion: 99, image: replacement });
    expect(stale.status).toBe("conflict");
    expect(await getImageHash(post.id)).toBe(post.imageHash);
    await updatePost({ id: post.id, editorId: editor.id, input: {}, image: replacement });
    expect(await getImageHash(post.id)).toBe(replacement.hash);
    // The old image stays stored: the post's first revision still shows it (docs/decisions/012).
    expect(await getImageBytes(post.imageHash!, "full")).not.toBeNull();
    await updatePost({ id: post.id, editorId: editor.id, input: {}, image: "remove" });
    expect(await getImageHash(post.id)).toBeNull();
    expect(await getImageBytes(replacement.hash, "full")).not.toBeNull();
    // Once the post and its history are gone, so are the bytes.
    expect(await deletePost({ id: post.id, userId: owner.id })).toBe("deleted");
    expect(await getImageBytes(post.imageHash!, "full")).toBeNull();
    expect(await getImageBytes(replacement.hash, "full")).toBeNull();
  });

  it("stores an image once, however many posts show it, until the last one lets go", async () => {
    const image = await processImage(await pngImage(30, 30, "#0a0"));
    const first = await createPost({ input: input("Twin 1"), ownerId: owner.id, image });
    const second = await createPost({ input: input("Twin 2"), ownerId: editor.id, image });
    expect(first.imageHash).toBe(second.imageHash);
    expect(await deletePost({ id: first.id, userId: owner.id })).toBe("deleted");
    expect(await getImageBytes(image.hash, "full")).not.toBeNull();
    expect(await deletePost({ id: second.id, userId: editor.id })).toBe("deleted");
    expect(await getImageBytes(image.hash, "full")).toBeNull();
  });

  it("deletes only for the owner, with its image", async () => {
    const post = await createPost({ input: input("Mine"), ownerId: owner.id, image: await processImage(await pngImage(20, 20)) });
    expect(await deletePost({ id: post.id, userId: editor.id })).toBe("forbidden");
    expect(await getPost(post.id)).not.toBeNull();
    expect(await deletePost({ id: post.id, userId: owner.id })).toBe("deleted");
    expect(await getPost(post.id)).toBeNull();
    expect(await getImageBytes(post.imageHash!, "full")).toBeNull();
    expect(await deletePost({ id: post.id, userId: owner.id })).toBe("missing");
  });
});
