// `npx tsx bench/save-cost.ts [--saves 2000] [--rounds 5]`: what one save of a post costs,
// through the model functions the routes call (createPost, updatePost), on a real SQLite
// file with the app's connection settings. No server, no HTTP: the database work and the
// code around it, which is what revisions add to (docs/decisions/012-revisions.md).
//
// For each kind of save, the median over rounds of: the mean time per save (WAL
// checkpoints included, which is where a busy disk shows), the median save, and the CPU
// time per save (the least disturbed by other processes). Run it on two commits to
// compare them: it only uses functions both have.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { saves: { type: "string", default: "2000" }, rounds: { type: "string", default: "5" } },
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

// Imported after DATABASE_URL is set: db.server.ts opens the file on first use.
const { createPost, updatePost } = await import("~/models/post.server");
const { createUser } = await import("~/models/user.server");
const { closeDatabase } = await import("~/utils/db.server");

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

const made = await createUser({ username: "saver", password: "correct horse battery" });
if (made === "taken") throw new Error("taken");
const user = made;

type Round = { mean: number; median: number; cpu: number };

async function timeEach(count: number, work: (index: number) => Promise<unknown>): Promise<Round> {
  const each: number[] = [];
  const cpu = process.cpuUsage();
  for (let index = 0; index < count; index++) {
    const started = process.hrtime.bigint();
    await work(index);
    each.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  const used = process.cpuUsage(cpu);
  return { mean: each.reduce((sum, value) => sum + value, 0) / count, median: median(each), cpu: (used.user + used.system) / count };
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const results: Record<string, Round[]> = { create: [], edit: [], "edit, 20,000 characters": [] };

// Posts to edit, and a long one; every edit changes the text a little.
const posts = await Promise.all(Array.from({ length: 50 }, async () => createPost({ input: { title: words(5), text: text() }, ownerId: user.id })));
const texts = new Map(posts.map((post) => [post.id, post.text]));
const versions = new Map(posts.map((post) => [post.id, post.version]));
const long = await createPost({ input: { title: "Long", text: Array.from({ length: 33 }, text).join("\n\n") }, ownerId: user.id });
texts.set(long.id, long.text);
versions.set(long.id, long.version);

async function edit(id: number) {
  const next = edited(texts.get(id)!);
  const result = await updatePost({ id, editorId: user.id, input: { title: "Edited", text: next }, baseVersion: versions.get(id) });
  if (result.status !== "saved") throw new Error(`save ${result.status}`);
  texts.set(id, result.post.text);
  versions.set(id, result.post.version);
}

for (let round = 0; round < ROUNDS + 1; round++) {
  const create = await timeEach(SAVES / 4, () => createPost({ input: { title: words(5), text: text() }, ownerId: user.id }));
  const editOne = await timeEach(SAVES, (index) => edit(posts[index % posts.length].id));
  const editLong = await timeEach(SAVES / 10, () => edit(long.id));
  // The first round warms up V8 and SQLite's cache; it is not counted.
  if (round === 0) continue;
  results.create.push(create);
  results.edit.push(editOne);
  results["edit, 20,000 characters"].push(editLong);
}

await closeDatabase();
fs.rmSync(directory, { recursive: true, force: true });
for (const [name, rounds] of Object.entries(results)) {
  const of = (key: keyof Round) => median(rounds.map((round) => round[key])).toFixed(0);
  console.log(`${name}: mean ${of("mean")} us, median ${of("median")} us, CPU ${of("cpu")} us per save`);
}
