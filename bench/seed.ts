// A fresh, migrated database (a SQLite file, or a PostgreSQL database) filled with N posts:
// the bench's database, made the way the app would have made it (same hashes, same image
// pipeline) but in big batches.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { openDatabase, type Database, type Prisma } from "~/utils/db.server";
import { databaseConfig } from "../prisma/database-url.js";
import { hashPassword } from "~/models/user.server";
import { processImage, type ProcessedImage } from "~/utils/image.server";
import { changeSize, type PostState } from "~/utils/word-diff.server";

export const BENCH_USER = { username: "bench", password: "bench-password-1" } as const;
/** Readers who sign in for the signed-in rows: reader1..reader50, all with this password. */
export const READERS = 50;
export const READER_PASSWORD = "reader-password-1";

/** Posts that get a real image: spread evenly over the ids, the newest post always among them. */
const MAX_IMAGE_POSTS = 300;
/** Distinct pictures behind those posts; processing one takes about half a second. */
const DISTINCT_IMAGES = 8;
const POSTS_PER_BATCH = 5_000;
/** Saves of the one post whose history the bench reads (the newest post). */
export const HISTORY_REVISIONS = 1_000;

export type SeededDatabase = {
  url: string;
  posts: number;
  /** Ids 1..posts, newest last. */
  imagePosts: { id: number; hash: string }[];
  /** A post saved HISTORY_REVISIONS times, each save kept as a revision. */
  historyPost: { id: number; revisions: number };
  seconds: number;
  bytes: number;
};

/** Applies the migrations as `npm start` would (scripts/migrate.js), on either database. */
export function migrate(root: string, databaseUrl: string) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "migrate.js")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`scripts/migrate.js failed:\n${result.stdout}${result.stderr}`);
}

export async function seed(databaseUrl: string, posts: number): Promise<SeededDatabase> {
  const started = performance.now();
  const config = databaseConfig({ DATABASE_URL: databaseUrl });
  const { writer: db, close } = openDatabase(config);
  try {
    // A throw-away file: durability does not matter while filling it.
    if (config.kind === "sqlite") await db.$queryRaw`PRAGMA synchronous = OFF`;

    const [owner, editor] = await Promise.all(
      [BENCH_USER, { username: "editor", password: "editor-password-1" }].map(async ({ username, password }) =>
        db.user.create({ data: { username, usernameKey: username.toLowerCase(), passwordHash: await hashPassword(password) }, select: { id: true } }),
      ),
    );

    // One hash for all readers (same password): fifty argon2id hashes would take a second.
    const readerHash = await hashPassword(READER_PASSWORD);
    await db.user.createMany({
      data: Array.from({ length: READERS }, (_, n) => ({ username: `reader${n + 1}`, usernameKey: `reader${n + 1}`, passwordHash: readerHash })),
    });

    // One after another: the app's image pipeline decodes one image at a time and turns away
    // more than a few waiting (app/utils/image.server.ts).
    const pictures: ProcessedImage[] = [];
    for (let n = 0; n < Math.min(DISTINCT_IMAGES, posts); n++) pictures.push(await picture(n));
    const distinct = new Map(pictures.map((image) => [image.hash, image]));
    await db.image.createMany({
      data: [...distinct.values()].map(({ hash, contentType, width, height, data, thumbnail }) => ({ hash, contentType, width, height, data, thumbnail })),
    });
    const imageCount = Math.min(MAX_IMAGE_POSTS, posts);
    const imageOf = new Map<number, ProcessedImage>();
    for (let k = 1; k <= imageCount; k++) imageOf.set(Math.round((k * posts) / imageCount), pictures[k % pictures.length]);

    const random = mulberry32(5);
    const firstCreated = Date.now() - posts * 60_000;
    for (let start = 1; start <= posts; start += POSTS_PER_BATCH) {
      const rows: Prisma.PostCreateManyInput[] = [];
      for (let id = start; id < Math.min(start + POSTS_PER_BATCH, posts + 1); id++) {
        const createdAt = new Date(firstCreated + id * 60_000);
        rows.push({
          title: `Post ${id}: ${words(random, 3 + Math.floor(random() * 5))}`,
          text: paragraphs(random),
          ownerId: id % 2 ? owner.id : editor.id,
          editorId: id % 3 ? owner.id : editor.id,
          imageHash: imageOf.get(id)?.hash ?? null,
          createdAt,
          updatedAt: createdAt,
        });
      }
      // SQLite allows 32,766 parameters a statement (PostgreSQL 65,535): 500 rows of 7 columns each.
      await db.$transaction(async (transaction) => {
        for (let offset = 0; offset < rows.length; offset += 500) {
          await transaction.post.createMany({ data: rows.slice(offset, offset + 500) });
        }
      }, { timeout: 120_000 });
    }
    // Every post's first save, as the app keeps it (and the revisions migration made it).
    await db.$executeRaw`INSERT INTO "PostRevision" ("postId", "version", "editorId", "createdAt", "charsAdded", "charsRemoved", "imageChanged", "imageHash", "imageAlt", "title", "text")
      SELECT "id", 1, "editorId", "createdAt", length("title") + length("text"), 0, "imageHash" IS NOT NULL, "imageHash", "imageAlt", "title", "text" FROM "Post"`;
    const historyPost = await fillHistory(db, posts, [owner.id, editor.id], random);
    let bytes: number;
    if (config.kind === "sqlite") {
      await db.$queryRaw`PRAGMA wal_checkpoint(TRUNCATE)`;
      bytes = fs.statSync(config.file).size;
    } else {
      await db.$executeRaw`ANALYZE`; // plans from statistics of the filled tables, as a running database would have
      bytes = Number((await db.$queryRaw<{ bytes: bigint }[]>`SELECT pg_database_size(current_database()) AS bytes`)[0].bytes);
    }

    return {
      url: databaseUrl,
      posts,
      imagePosts: [...imageOf].map(([id, image]) => ({ id, hash: image.hash })),
      historyPost,
      seconds: (performance.now() - started) / 1000,
      bytes,
    };
  } finally {
    await close();
  }
}

/**
 * Saves post `id` HISTORY_REVISIONS - 1 more times, by turns of the two users, each save a
 * small edit (a word changed, now and then a sentence added or the oldest paragraph
 * dropped) kept as a revision with what it changed, as the app would have counted it.
 */
async function fillHistory(db: Database, id: number, editors: number[], random: () => number) {
  const post = await db.post.findUniqueOrThrow({ where: { id }, select: { title: true, text: true, imageHash: true, imageAlt: true, createdAt: true } });
  const started = post.createdAt.getTime();
  let state: PostState = { title: post.title, text: post.text, imageHash: post.imageHash, imageAlt: post.imageAlt };
  const rows: Prisma.PostRevisionCreateManyInput[] = [];
  for (let version = 2; version <= HISTORY_REVISIONS; version++) {
    const tokens = state.text.split(" ");
    tokens[Math.floor(random() * tokens.length)] = words(random, 1);
    let text = tokens.join(" ");
    if (random() < 0.2) text += ` ${words(random, 8)}.`;
    if (text.length > 1_500) text = text.slice(text.indexOf("\n\n") + 2);
    const next: PostState = { ...state, text };
    const change = changeSize(state, next);
    rows.push({
      postId: id,
      version,
      editorId: editors[version % editors.length],
      createdAt: new Date(started + version * 1_000),
      charsAdded: change.charsAdded,
      charsRemoved: change.charsRemoved,
      imageChanged: change.imageChanged,
      imageHash: next.imageHash,
      imageAlt: next.imageAlt,
      title: next.title,
      text: next.text,
    });
    state = next;
  }
  await db.$transaction(async (transaction) => {
    for (let offset = 0; offset < rows.length; offset += 500) {
      await transaction.postRevision.createMany({ data: rows.slice(offset, offset + 500) });
    }
    const last = rows[rows.length - 1];
    await transaction.post.update({ where: { id }, data: { text: state.text, version: HISTORY_REVISIONS, editorId: last.editorId, updatedAt: last.createdAt } });
  }, { timeout: 120_000 });
  return { id, revisions: HISTORY_REVISIONS };
}

/**
 * A photo-like picture (a landscape under grain), so the stored WebP is about the size of a
 * real photo's (~60 KB) rather than the few hundred bytes of a flat colour.
 */
async function picture(n: number): Promise<ProcessedImage> {
  const hue = (n * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <rect width="1600" height="1000" fill="hsl(${hue},55%,70%)"/>
    <circle cx="${400 + n * 120}" cy="300" r="140" fill="hsl(${(hue + 40) % 360},80%,60%)"/>
    <path d="M0 760 Q 400 560 800 740 T 1600 700 V 1000 H 0 Z" fill="hsl(${(hue + 160) % 360},45%,35%)"/>
  </svg>`;
  const grain = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 18 } } })
    .png()
    .toBuffer();
  const bytes = await sharp(Buffer.from(svg)).composite([{ input: grain, blend: "overlay" }]).png().toBuffer();
  return processImage(new Uint8Array(bytes));
}

const WORDS = (
  "the a quiet harbour morning notes on bread garden letter river walk city light winter " +
  "summer reading list train window coffee rain mountain story friend kitchen old new small " +
  "long day night road field market song paper boat lamp street house green blue"
).split(" ");

function words(random: () => number, count: number) {
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
}

/** Two to five short paragraphs: about 600 characters, like a short blog post. */
function paragraphs(random: () => number) {
  const count = 2 + Math.floor(random() * 4);
  return Array.from({ length: count }, () => `${words(random, 20 + Math.floor(random() * 20))}.`).join("\n\n");
}

/** A small seeded generator, so every run fills the same database. */
function mulberry32(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
