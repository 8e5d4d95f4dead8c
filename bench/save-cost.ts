// `npx tsx bench/save-cost.ts [--saves 2000] [--rounds 5] [--http]`: what one save of a post
// costs, on a real SQLite file (docs/decisions/012-revisions.md).
//
// - By default through the model functions the routes call (createPost, updatePost), with
//   the app's connection settings: the database work and the code around it, which is what
//   revisions add to. No server, no HTTP.
// - With --http, as a person saves: the edit form posted to the production server (it must
//   be built), one request at a time; its CPU is the server process's.
//
// For each kind of save, the median over rounds of: the mean time per save (WAL checkpoints
// included, which is where a busy disk shows), the median save, and the CPU time per save
// (the least disturbed by other processes). The first round only warms up. Run it on two
// commits to compare them: it only uses what both have.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "./server";

const { values } = parseArgs({
  options: {
    saves: { type: "string", default: "2000" },
    rounds: { type: "string", default: "5" },
    http: { type: "boolean", default: false },
  },
});
const SAVES = Number(values.saves);
const ROUNDS = Number(values.rounds);

const root = path.resolve(import.meta.dirname, "..");
const directory = fs.mkdtempSync(path.join(os.tmpdir(), "quill-save-cost-"));
const file = path.join(directory, "quill.db");
process.env.DATABASE_URL = `file:${file}`;
const migrated = spawnSync(process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), "migrate", "deploy"], {
  cwd: root,
  env: process.env,
  encoding: "utf8",
});
if (migrated.status !== 0) throw new Error(`migrate deploy failed:\n${migrated.stdout}${migrated.stderr}`);

const WORDS = "the a quiet harbour morning notes on bread garden letter river walk city light winter summer reading list train window coffee rain".split(" ");
let seed = 7;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const words = (count: number) => Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
/** About 600 characters in paragraphs, like the bench's posts. */
const text = () => `${words(35)}.\n\n${words(35)}.\n\n${words(30)}.`;
/** A small edit, as people make them: one word changed anywhere, and a closing line added or rewritten. */
function edited(before: string) {
  const tokens = before.replace(/\n\nP\.S\. [^\n]*$/, "").split(" ");
  tokens[Math.floor(random() * tokens.length)] = WORDS[Math.floor(random() * WORDS.length)];
  return `${tokens.join(" ")}\n\nP.S. ${words(6)}.`;
}

type Post = { id: number; text: string; version: number };
/** One way of saving: create a post, or save an edit of one. */
type Saver = {
  create: (title: string, text: string) => Promise<Post>;
  edit: (post: Post, text: string) => Promise<void>;
  /** CPU time so far of whatever does the saving, in microseconds. */
  cpu: () => number;
  close: () => Promise<void>;
};

type Round = { mean: number; median: number; cpu: number };
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function timeEach(saver: Saver, count: number, work: (index: number) => Promise<unknown>): Promise<Round> {
  const each: number[] = [];
  const cpu = saver.cpu();
  for (let index = 0; index < count; index++) {
    const started = process.hrtime.bigint();
    await work(index);
    each.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  return { mean: each.reduce((sum, value) => sum + value, 0) / count, median: median(each), cpu: (saver.cpu() - cpu) / count };
}

async function modelSaver(): Promise<Saver> {
  // Imported after DATABASE_URL is set: db.server.ts opens the file on first use.
  const { createPost, updatePost } = await import("~/models/post.server");
  const { createUser } = await import("~/models/user.server");
  const { closeDatabase } = await import("~/utils/db.server");
  const user = await createUser({ username: "saver", password: "correct horse battery" });
  if (user === "taken") throw new Error("taken");
  return {
    create: (title, text) => createPost({ input: { title, text }, ownerId: user.id }),
    async edit(post, text) {
      const result = await updatePost({ id: post.id, editorId: user.id, input: { title: "Edited", text }, baseVersion: post.version });
      if (result.status !== "saved") throw new Error(`save ${result.status}`);
    },
    cpu: () => {
      const { user: userTime, system } = process.cpuUsage();
      return userTime + system;
    },
    close: closeDatabase,
  };
}

async function httpSaver(): Promise<Saver> {
  const server = await startServer({ root, databaseUrl: `file:${file}`, logFile: path.join(directory, "server.log"), webConcurrency: 1 });
  const post = async (where: string, body: FormData | URLSearchParams, cookie = "") => {
    const response = await fetch(`${server.url}${where}`, { method: "POST", body, redirect: "manual", headers: { Origin: server.url, Cookie: cookie } });
    await response.arrayBuffer();
    if (response.status !== 302) throw new Error(`${where}: ${response.status}`);
    return response;
  };
  const password = "correct horse battery";
  const signedUp = await post("/signup", new URLSearchParams({ username: "saver", password, confirmPassword: password }));
  const cookie = signedUp.headers.get("Set-Cookie")!.split(";")[0];
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    return data;
  };
  return {
    async create(title, text) {
      const response = await post("/new", form({ title, text }), cookie);
      return { id: Number(response.headers.get("Location")!.slice(1)), text, version: 1 };
    },
    async edit(saved, text) {
      await post(`/${saved.id}/edit`, form({ title: "Edited", text, version: String(saved.version) }), cookie);
    },
    cpu: () => (server.cpuMs() ?? NaN) * 1000,
    close: () => server.stop(),
  };
}

const saver = values.http ? await httpSaver() : await modelSaver();
const results: Record<string, Round[]> = { create: [], edit: [], "edit, 20,000 characters": [] };

// Posts to edit, and a long one; every edit changes the text a little.
const posts: Post[] = [];
for (let n = 0; n < 50; n++) posts.push(await saver.create(words(5), text()));
const long = await saver.create("Long", Array.from({ length: 33 }, text).join("\n\n"));

async function edit(post: Post) {
  const next = edited(post.text);
  await saver.edit(post, next);
  post.text = next;
  post.version += 1;
}

try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    const create = await timeEach(saver, SAVES / 4, () => saver.create(words(5), text()));
    const editOne = await timeEach(saver, SAVES, (index) => edit(posts[index % posts.length]));
    const editLong = await timeEach(saver, SAVES / 10, () => edit(long));
    if (round === 0) continue;
    results.create.push(create);
    results.edit.push(editOne);
    results["edit, 20,000 characters"].push(editLong);
  }
} finally {
  await saver.close();
  fs.rmSync(directory, { recursive: true, force: true });
}
console.log(values.http ? "Over HTTP (edit form, one request at a time; CPU of the server):" : "Model functions (CPU of this process):");
for (const [name, rounds] of Object.entries(results)) {
  const of = (key: keyof Round) => median(rounds.map((round) => round[key])).toFixed(0);
  console.log(`  ${name}: mean ${of("mean")} us, median ${of("median")} us, CPU ${of("cpu")} us per save`);
}
