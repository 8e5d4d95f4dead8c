// A real node:cluster for test/unit/decode-turns.test.ts: the primary grants decode turns as
// server/cluster.ts does, its workers take them as server/index.ts does, and the primary
// prints what happened as one JSON line. SCENARIO picks what the workers do.
import cluster from "node:cluster";
import {
  grantDecodeTurns,
  machineDecodeTurns,
} from "../../server/decode-turns.ts";

const scenario = process.env.SCENARIO;
const WORKERS = 3;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const busy = () => new Error("busy");

if (cluster.isPrimary) {
  const turns = grantDecodeTurns({ atOnce: 1 });
  const results = [];
  const workers = [];
  let exited = 0;
  // Worker 0 starts first; the others once it says it is ready (holding the turn, where the
  // scenario needs that): starting a worker takes a second on a busy machine, so starting
  // them together left the order to chance.
  const fork = (n) => {
    const worker = cluster.fork({
      SCENARIO: scenario,
      WORKER_INDEX: String(n),
    });
    workers[n] = worker;
    turns.watch(worker);
    worker.on("message", (message) => {
      if (message?.result) results.push({ worker: n, ...message.result });
      if (message?.ready && n === 0) for (let other = 1; other < WORKERS; other++) fork(other);
      // Worker 1 has seen its wait run out: worker 0 may let go of the turn.
      if (message?.release && workers[0].isConnected()) workers[0].send("release");
    });
    worker.on("exit", (code) => {
      results.push({ worker: n, exitCode: code });
      if (++exited === WORKERS) console.log(JSON.stringify(results));
    });
  };
  fork(0);
} else {
  const takeTurn = machineDecodeTurns();
  const index = Number(process.env.WORKER_INDEX);
  const report = (result) => process.send({ result });
  const attempt = async (work, maxWaitMs = 5_000) => {
    try {
      await takeTurn(work, { maxWaitMs, busy });
      return "ran";
    } catch (error) {
      return error.message;
    }
  };

  const ready = () => process.send({ ready: true });
  if (scenario === "one at a time") {
    if (index === 0) ready();
    // Four decodes at once in each worker: no two anywhere may overlap.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        attempt(async () => {
          const start = performance.timeOrigin + performance.now();
          await sleep(15);
          report({ start, end: performance.timeOrigin + performance.now() });
        })
      )
    );
  } else if (scenario === "a worker dies holding the turn") {
    // Worker 0 dies holding the turn once another worker waits for it.
    if (index === 0) await attempt(() => (ready(), new Promise(() => process.once("message", () => process.exit(3)))));
    else {
      const outcome = attempt(() => sleep(5), 10_000); // asks at once
      process.send({ release: true });
      report({ outcome: await outcome });
    }
  } else if (scenario === "a wait runs out") {
    if (index === 0) {
      // Holds the turn until worker 1's wait has run out.
      await attempt(() => (ready(), new Promise((resolve) => process.once("message", resolve))), 20_000);
    } else if (index === 1) {
      const first = await attempt(() => sleep(5), 100);
      process.send({ release: true });
      // The cancelled wait must not keep a turn: once worker 0 is done, this one runs.
      const second = await attempt(() => sleep(5), 10_000);
      report({ first, second });
    }
  }
  process.exit(0);
}
