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
  let exited = 0;
  for (let n = 0; n < WORKERS; n++) {
    const worker = cluster.fork({
      SCENARIO: scenario,
      WORKER_INDEX: String(n),
    });
    turns.watch(worker);
    worker.on(
      "message",
      (message) =>
        message?.result && results.push({ worker: n, ...message.result })
    );
    worker.on("exit", (code) => {
      results.push({ worker: n, exitCode: code });
      if (++exited === WORKERS) console.log(JSON.stringify(results));
    });
  }
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

  if (scenario === "one at a time") {
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
    if (index === 0) await attempt(() => process.exit(3));
    else {
      await sleep(300);
      report({ outcome: await attempt(() => sleep(5), 2_000) });
    }
  } else if (scenario === "a wait runs out") {
    if (index === 0) await attempt(() => sleep(600));
    else if (index === 1) {
      await sleep(100);
      const first = await attempt(() => sleep(5), 100);
      // The cancelled wait must not keep a turn: once worker 0 is done, this one runs.
      const second = await attempt(() => sleep(5), 2_000);
      report({ first, second });
    }
  }
  process.exit(0);
}
