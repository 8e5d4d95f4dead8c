// `npm run bench [-- --posts 100000 --duration 10 --build --database postgresql --web-concurrency 2 --against ../old]`:
// builds the app if needed, fills a fresh SQLite file (or, with `--database postgresql`, a
// database on a throwaway PostgreSQL server of its own), starts the production server as
// `npm start` does on a free loopback port, once per worker count (1 and 2 by default), and
// loads each endpoint with autocannon. Prints a table per worker count, writes
// bench/results/<date>-<posts>.json, and stops everything it started, also on error and Ctrl-C.
// With `--against <checkout>` (another commit's working tree, with its node_modules and its
// build), that checkout's server runs beside this one on the same data, and each endpoint
// is loaded on both in turn (which goes first alternates), so the ratios compare two builds
// under the same conditions.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { timeArgon2 } from "./argon2";
import { endpoints, measure, signIn, signInReaders, stopLoad, type Endpoint, type EndpointResult, type Measured } from "./load";
import { comparison, floorRatio, table, writeReport, type Report } from "./report";
import { migrate, seed } from "./seed";
import { startServer, tail, type Server } from "./server";
import { startPostgres } from "../test/support/postgres";

const root = path.resolve(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    posts: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    // autocannon parses answers in JavaScript: one thread of it tops out near 85 MB/s
    // (1,400 full images a second) while the server is half idle, so it gets one per core.
    workers: { type: "string", default: String(os.availableParallelism()) },
    build: { type: "boolean", default: false },
    only: { type: "string" },
    database: { type: "string", default: "sqlite" },
    // Worker processes of the server (WEB_CONCURRENCY): each count is a run of its own, on the same data.
    "web-concurrency": { type: "string", default: "1,2" },
    "keep-db": { type: "boolean", default: false },
    against: { type: "string" },
  },
});
if (values.database !== "sqlite" && values.database !== "postgresql") {
  throw new Error(`--database takes sqlite or postgresql, not ${values.database}`);
}
const options = {
  database: values.database as "sqlite" | "postgresql",
  posts: positive("posts"),
  duration: positive("duration"),
  warmup: Number(values.warmup),
  connections: positive("connections"),
  workers: positive("workers"),
  webConcurrency: (values["web-concurrency"] ?? "").split(",").map((value) => {
    const count = Number(value.trim());
    if (!Number.isInteger(count) || count < 1) throw new Error(`--web-concurrency takes worker counts such as 1,2, not ${values["web-concurrency"]}`);
    return count;
  }),
};

function positive(name: "posts" | "duration" | "connections" | "workers") {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above 0, not ${values[name]}`);
  return value;
}

// Everything to undo, newest first; runs once, whether the bench ends, fails or is interrupted.
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp() {
  return (cleaning ??= (async () => {
    stopLoad();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error("cleanup:", error);
      }
    }
  })());
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanUp().then(() => process.exit(130));
  });
}

async function main() {
  const loadAverageAtStart = os.loadavg();
  if (loadAverageAtStart[0] > 0.5)
    console.warn(`Note: load average is ${loadAverageAtStart[0].toFixed(2)}; other work on this machine will lower the figures.`);

  const serverBuild = path.join(root, "build", "server", "index.js");
  if (values.build || !fs.existsSync(serverBuild)) {
    console.log("Building the app (remix vite:build)...");
    const built = spawnSync(path.join(root, "node_modules", ".bin", "remix"), ["vite:build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("The build failed.");
  }

  const argon2 = await timeArgon2();
  console.log(`argon2id (${argon2.parameters}): hash ${argon2.hashMs.toFixed(1)} ms, verify ${argon2.verifyMs.toFixed(1)} ms (median of ${argon2.runs})`);

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "quill-bench-"));
  cleanups.push(() =>
    values["keep-db"] ? console.log(`Kept ${directory}`) : fs.rmSync(directory, { recursive: true, force: true }),
  );
  let databaseUrl = `file:${path.join(directory, "quill.db")}`;
  if (options.database === "postgresql") {
    const cluster = await startPostgres();
    cleanups.push(() => (values["keep-db"] ? console.log(`Kept PostgreSQL running: ${cluster.url("quill")}`) : cluster.stop()));
    databaseUrl = await cluster.createDatabase("quill");
  }
  console.log(`Filling ${databaseUrl} with ${options.posts.toLocaleString("en")} posts...`);
  migrate(root, databaseUrl);
  const db = await seed(databaseUrl, options.posts);
  console.log(
    `  ${db.posts.toLocaleString("en")} posts (${db.imagePosts.length} with images) in ${db.seconds.toFixed(1)} s, ${(db.bytes / 1e6).toFixed(0)} MB`,
  );

  const againstRoot = values.against ? path.resolve(values.against) : undefined;
  const runs: Report["runs"] = [];
  for (const webConcurrency of options.webConcurrency) {
    const server: Server = await startServer({ root, databaseUrl, logFile: path.join(directory, `server-${webConcurrency}.log`), webConcurrency });
    cleanups.push(() => server.stop());
    const other = againstRoot
      ? await startServer({ root: againstRoot, databaseUrl, logFile: path.join(directory, `against-${webConcurrency}.log`), webConcurrency })
      : undefined;
    if (other) cleanups.push(() => other.stop());
    console.log(
      `Server ${server.url} (primary ${server.pid}, ${webConcurrency} worker${webConcurrency === 1 ? "" : "s"}); ` +
        (other ? `against ${againstRoot} at ${other.url}; ` : "") +
        `${options.connections} connections from ${options.workers} load thread(s), ${options.duration} s per endpoint after ${options.warmup} s warm-up`,
    );
    const results: EndpointResult[] = [];
    const otherResults: EndpointResult[] = [];
    const list = endpoints(server, db, { bench: await signIn(server), readers: await signInReaders(server) });
    const otherList = other ? endpoints(other, db, { bench: await signIn(other), readers: await signInReaders(other) }) : [];
    for (const [index, endpoint] of list.entries()) {
      if (values.only && !endpoint.name.includes(values.only)) continue;
      const turns: [Server, Endpoint, EndpointResult[], string][] = [[server, endpoint, results, ""]];
      if (other) turns.splice(index % 2, 0, [other, otherList[index], otherResults, " (against)"]);
      for (const [which, each, into, label] of turns) {
        if (cleaning) return;
        const result = await measure(which, each, options);
        into.push(result);
        console.log(
          result.available
            ? `  ${result.endpoint}${label}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`
            : `  ${result.endpoint}${label}: not available (${result.reason})`,
        );
        if (!which.memory()) throw new Error(`The server died during ${each.name}:\n${tail(which.logFile)}`);
      }
    }
    runs.push({
      webConcurrency,
      results,
      serverPeakRssMb: server.memory()?.peakRssMb ?? NaN,
      ...(other && againstRoot ? { against: { root: againstRoot, results: otherResults } } : {}),
    });
    await server.stop();
    await other?.stop();
  }

  const file = writeReport(path.join(root, "bench", "results"), {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart,
    },
    options,
    database: { posts: db.posts, imagePosts: db.imagePosts.length, seedSeconds: db.seconds, megabytes: db.bytes / 1e6 },
    argon2,
    runs,
  });
  for (const run of runs) {
    console.log(`\n${options.posts.toLocaleString("en")} posts, ${run.webConcurrency} worker${run.webConcurrency === 1 ? "" : "s"}, ${options.connections} connections, ${options.duration} s each:\n`);
    console.log(table(run.results));
    console.log(`\nServer peak RSS (VmHWM, all processes): ${run.serverPeakRssMb.toFixed(0)} MB.`);
  }
  if (runs.length === 2) console.log(`\n${comparison(runs[0].results, runs[1].results)}`);
  for (const run of runs) {
    if (run.against) console.log(`\nThis build against ${run.against.root}, ${run.webConcurrency} worker(s) (req/s, this / that):\n${comparison(run.against.results, run.results)}`);
  }
  const floor = runs.map((run) => floorRatio(run.results)).filter(Boolean);
  for (const line of floor) console.log(line);
  console.log(`Results: ${path.relative(root, file)}`);
  const results = runs.flatMap((run) => run.results);
  const disturbed = results.filter((result): result is Measured => result.available && result.otherCores > 0.2);
  if (disturbed.length > 0) {
    const which = disturbed.map((result) => `${result.endpoint} (${result.otherCores.toFixed(1)} cores)`).join(", ");
    console.warn(`Other processes were busy during ${which}: run again for figures to compare.`);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
