import { beforeAll, describe, expect, it } from "vitest";
import { createPost, getImageBytes, getImageHash, getPost, listPosts, listPostsOfAuthor, listPostsWithOpenings, updatePost } from "~/models/post.server";
import { getRevision, listRevisions } from "~/models/revision.server";
import { createUser, getUserById, type SessionUser } from "~/models/user.server";
import { contentVersion, reader, write } from "~/utils/db.server";
import { processImage } from "~/utils/image.server";
import { pngImage } from "../support/images";

// The hot reads are raw SQL with their row types written beside them (app/models). Here
// each is held to what Prisma's ORM reads for the same rows, through the schema: the same
// columns, with the same JavaScript types (Date, number, boolean, bytes), on this run's
// database. A row type that says `Date` where the database answers text fails here.

let owner: SessionUser;
let editor: SessionUser;
const ids: number[] = [];
let imageHash: string;

const names = { owner: { select: { username: true } }, editor: { select: { username: true } } } as const;
const SUMMARY = { id: true, title: true, version: true, createdAt: true, updatedAt: true, imageHash: true, ...names } as const;

beforeAll(async () => {
  const made = await Promise.all(["raw_owner", "raw_editor"].map((username) => createUser({ username, password: "correct horse" })));
  if (made.includes("taken")) throw new Error("taken");
  [owner, editor] = made as SessionUser[];
  const image = await processImage(await pngImage(30, 20));
  imageHash = image.hash;
  for (let n = 0; n < 5; n++) {
    const post = await createPost({ input: { title: `Raw ${n}`, text: `${"word ".repeat(200 * n)}end ${n}` }, ownerId: owner.id, image: n === 2 ? image : null });
    ids.push(post.id);
  }
  await updatePost({ id: ids[1], editorId: editor.id, input: { text: "edited by the editor" } });
  await updatePost({ id: ids[3], editorId: editor.id, input: { title: "Renamed" }, image: { storedHash: imageHash }, imageAlt: "a picture" });
  // A post whose last editor's account is gone: its editor reads as null.
  const leaver = await createUser({ username: "raw_leaver", password: "correct horse" });
  if (leaver === "taken") throw new Error("taken");
  await updatePost({ id: ids[4], editorId: leaver.id, input: { text: "then left" } });
  await write((db) => db.user.delete({ where: { id: leaver.id } }));
});

const ormSummaries = async (where: object) =>
  (await reader().post.findMany({ where, orderBy: { id: "desc" }, select: { ...SUMMARY, text: true } })).map(({ text, ...post }) => ({
    ...post,
    opening: text.slice(0, 600),
  }));

describe("typed raw reads match what the ORM reads", () => {
  it("the front page's list, plain lists and authors' lists", async () => {
    const withOpenings = await ormSummaries({ id: { in: ids } });
    expect((await listPostsWithOpenings({ limit: 100 })).posts.filter((post) => ids.includes(post.id))).toStrictEqual(withOpenings);
    expect((await listPosts({ limit: 100 })).posts.filter((post) => ids.includes(post.id))).toStrictEqual(withOpenings.map(({ opening: _, ...post }) => post));
    expect((await listPostsOfAuthor({ userId: owner.id, show: "written" })).posts).toStrictEqual(await ormSummaries({ ownerId: owner.id }));
    expect((await listPostsOfAuthor({ userId: editor.id, show: "edited" })).posts).toStrictEqual(
      await ormSummaries({ editorId: editor.id, ownerId: { not: editor.id } }),
    );
  });

  it("a post page", async () => {
    for (const id of ids) {
      const orm = await reader().post.findUniqueOrThrow({ where: { id }, select: { ...SUMMARY, text: true, ownerId: true, imageAlt: true } });
      expect(await getPost(id)).toStrictEqual(orm);
    }
    expect(await getPost(2_147_483_000)).toBeNull();
  });

  it("the session's user", async () => {
    expect(await getUserById(editor.id)).toStrictEqual(
      await reader().user.findUnique({ where: { id: editor.id }, select: { id: true, username: true, sessionVersion: true } }),
    );
    expect(await getUserById(2_147_483_000)).toBeNull();
  });

  it("image hashes and bytes", async () => {
    expect(await getImageHash(ids[2])).toBe(imageHash);
    expect(await getImageHash(ids[0])).toBeNull();
    const stored = await reader().image.findUniqueOrThrow({ where: { hash: imageHash } });
    const full = await getImageBytes(imageHash, "full");
    const thumbnail = await getImageBytes(imageHash, "thumbnail");
    expect(full?.contentType).toBe(stored.contentType);
    expect(Buffer.isBuffer(full?.bytes)).toBe(true);
    expect(full?.bytes.equals(stored.data)).toBe(true);
    expect(thumbnail?.bytes.equals(stored.thumbnail)).toBe(true);
  });

  it("history pages and revisions", async () => {
    for (const id of ids) {
      const orm = await reader().postRevision.findMany({
        where: { postId: id },
        orderBy: { version: "desc" },
        select: {
          version: true, createdAt: true, charsAdded: true, charsRemoved: true, imageChanged: true, restoredFrom: true,
          editor: { select: { username: true } }, postId: true, title: true, text: true, imageHash: true, imageAlt: true,
        },
      });
      const { revisions } = await listRevisions(id, {});
      expect(revisions).toStrictEqual(
        orm.map(({ postId: _, title: _t, text: _x, imageHash: _h, imageAlt: _a, ...summary }, index) => ({
          ...summary,
          previousVersion: orm[index + 1]?.version ?? null,
        })),
      );
      for (const revision of orm) expect(await getRevision(id, revision.version)).toStrictEqual(revision);
    }
  });

  it("the content version", async () => {
    expect(await contentVersion()).toBe((await reader().contentVersion.findUniqueOrThrow({ where: { id: 1 } })).version);
  });
});
