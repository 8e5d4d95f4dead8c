import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { withTestDatabase } from "../support/database";
import { HttpClient, uniqueUsername } from "../support/http-client";

// Twenty people edit the same post at the same moment, over and over. Each save is a
// compare-and-set on the version the editor started from, so for every version exactly
// one save may win; everyone else must hear 409 and keep their words.

const WRITERS = 20;
const LOCKSTEP_ROUNDS = 25;
const FREE_ATTEMPTS_PER_WRITER = 15;

let app: RunningApp;
let postId: number;
let writers: { name: string; client: HttpClient }[];

beforeAll(async () => {
  app = await startApp();
  const owner = new HttpClient(app.url);
  await owner.signup(uniqueUsername("owner"));
  postId = await owner.createPost({ title: "Shared notes", text: "version 1" });
  writers = await Promise.all(
    Array.from({ length: WRITERS }, async (_, index) => {
      const client = new HttpClient(app.url);
      const name = await client.signup(uniqueUsername(`w${String(index).padStart(2, "0")}`));
      return { name, client };
    }),
  );
});
afterAll(() => app?.stop());

/** One save that the server answered with 302: it claims to have made version basedOn + 1. */
type Saved = { writer: string; basedOn: number; text: string };
/** What some response showed as the content of a version (an edit page or a 409). */
type Observed = { version: number; text: string };

const saved: Saved[] = [];
const observed: Observed[] = [];
let tried = 0;
let conflicts = 0;

function unescapeHtml(text: string) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
}

/** The version the edit form builds on, and the text it starts with. */
async function openEditor(client: HttpClient): Promise<Observed> {
  const html = await (await client.get(`/${postId}/edit`)).text();
  const version = Number(/name="version" value="(\d+)"/.exec(html)?.[1]);
  const text = unescapeHtml(/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? "");
  expect(version).toBeGreaterThan(0);
  return { version, text };
}

async function save(writer: { name: string; client: HttpClient }, basedOn: number, text: string) {
  const form = new FormData();
  form.set("title", "Shared notes");
  form.set("text", text);
  form.set("version", String(basedOn));
  tried++;
  const response = await writer.client.post(`/${postId}/edit`, form);
  const html = await response.text();
  if (response.status === 302) {
    expect(response.headers.get("Location")).toBe(`/${postId}`);
    saved.push({ writer: writer.name, basedOn, text });
  } else {
    expect(response.status, html.slice(0, 300)).toBe(409);
    conflicts++;
    // The 409 page shows the version that won and keeps this writer's text in the form.
    const version = Number(/name="version" value="(\d+)"/.exec(html)?.[1]);
    const theirs = /<section class="conflict"[\s\S]*?<div class="post-text">([\s\S]*?)<\/div>/.exec(html)?.[1];
    expect(version).toBeGreaterThan(basedOn);
    expect(theirs).toBeDefined();
    expect(html).toContain(text);
    observed.push({ version, text: unescapeHtml(theirs!) });
  }
  return response.status;
}

function currentRow() {
  return withTestDatabase(app.databaseUrl, (db) => db.post.findUniqueOrThrow({ where: { id: postId }, select: { version: true, text: true } }));
}

describe(`${WRITERS} people saving the same post at once`, () => {
  it("lets exactly one of them win each round when they all start from the same version", async () => {
    for (let round = 1; round <= LOCKSTEP_ROUNDS; round++) {
      const { version } = await currentRow();
      const statuses = await Promise.all(writers.map((writer) => save(writer, version, `${writer.name}, round ${round}`)));
      expect(statuses.filter((status) => status === 302)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(WRITERS - 1);
      // The winner's words are what the post now says, at the next version.
      const winner = saved[saved.length - 1];
      expect(winner.basedOn).toBe(version);
      expect(await currentRow()).toEqual({ version: version + 1, text: winner.text });
    }
  });

  it("loses nothing when everybody opens the editor and saves as fast as they can", async () => {
    await Promise.all(
      writers.map(async (writer) => {
        for (let attempt = 1; attempt <= FREE_ATTEMPTS_PER_WRITER; attempt++) {
          const page = await openEditor(writer.client);
          observed.push(page);
          await save(writer, page.version, `${writer.name}, attempt ${attempt}`);
        }
      }),
    );
  });

  it("accounts for every save: one per version, each still what that version says", async () => {
    const final = await currentRow();
    const basedOn = saved.map((save) => save.basedOn).sort((a, b) => a - b);
    // No version was the base of two successful saves, and every version had one.
    expect(new Set(basedOn).size).toBe(basedOn.length);
    expect(basedOn).toEqual(Array.from({ length: saved.length }, (_, index) => index + 1));
    expect(final.version).toBe(saved.length + 1);

    // Whenever anyone was shown version v, it held the text of the save that made v.
    const madeBy = new Map(saved.map((save) => [save.basedOn + 1, save.text]));
    madeBy.set(1, "version 1");
    const contradicted = observed.filter((seen) => madeBy.get(seen.version) !== seen.text);
    expect(contradicted).toEqual([]);
    expect(final.text).toBe(madeBy.get(final.version));

    // Each save kept its revision in the same transaction: one per version, with its text.
    const revisions = await withTestDatabase(app.databaseUrl, (db) =>
      db.postRevision.findMany({ where: { postId }, orderBy: { version: "asc" }, select: { version: true, text: true } }),
    );
    expect(revisions.map((revision) => revision.version)).toEqual(Array.from({ length: final.version }, (_, index) => index + 1));
    expect(revisions.filter((revision) => madeBy.get(revision.version) !== revision.text)).toEqual([]);

    const lost = saved.length - new Set(saved.map((save) => save.basedOn)).size + contradicted.length;
    console.log(
      `[lost updates] writers ${WRITERS}, writes tried ${tried}, saved ${saved.length}, 409 ${conflicts}, lost ${lost}, final version ${final.version}, versions observed ${observed.length}`,
    );
    expect(saved.length + conflicts).toBe(tried);
    expect(lost).toBe(0);
  });
});
