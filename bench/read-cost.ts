// `npx tsx bench/read-cost.ts [--reads 2000] [--rounds 5]`: what the busiest reads cost
// through the model functions the routes call, in CPU microseconds per call (the least
// disturbed by other processes), on a real SQLite file filled by bench/seed.ts (1,000
// posts, 300 with images). No server, no HTTP. Run it on two commits to compare them: it
// only uses what both have (docs/decisions/013-prisma-client.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrate, seed } from "./seed";

const { values } = parseArgs({ options: { reads: { type: "string", default: "2000" }, rounds: { type: "string", default: "5" } } });
const READS = Number(values.reads);
const ROUNDS = Number(values.rounds);

const root = path.resolve(import.meta.dirname, "..");
const directory = fs.mkdtempSync(path.join(os.tmpdir(), "quill-read-cost-"));
const url = `file:${path.join(directory, "quill.db")}`;
process.env.DATABASE_URL = url;
migrate(root, url);
const db = await seed(url, 1_000);

// Imported after DATABASE_URL is set: db.server.ts opens the file on first use.
const { getImageBytes, getPost, listPostsWithOpenings } = await import("~/models/post.server");
const { getUserById } = await import("~/models/user.server");
const { closeDatabase, contentVersion } = await import("~/utils/db.server");

let n = 0;
const next = () => (n = (n * 16807 + 7) % 2147483647);
const reads: Record<string, () => Promise<unknown>> = {
  "front page list (20 posts, names, openings)": () => listPostsWithOpenings({}),
  "post page (post, names, text)": () => getPost(1 + (next() % db.posts)),
  "session user by id": () => getUserById(1 + (next() % 50)),
  "image bytes (full size)": () => getImageBytes(db.imagePosts[next() % db.imagePosts.length].hash, "full"),
  "content version": () => contentVersion(),
};

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const results: Record<string, number[]> = Object.fromEntries(Object.keys(reads).map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, read] of Object.entries(reads)) {
    const started = cpu();
    for (let index = 0; index < READS; index++) await read();
    // The first round only warms up.
    if (round > 0) results[name].push((cpu() - started) / READS);
  }
}
await closeDatabase();
fs.rmSync(directory, { recursive: true, force: true });
console.log(`CPU µs per read, median of ${ROUNDS} rounds of ${READS} (${root}):`);
for (const [name, list] of Object.entries(results)) console.log(`  ${name}: ${median(list).toFixed(0)}`);
