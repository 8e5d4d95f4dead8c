// Image decodes take turns across the whole machine, not per worker process. A decode of a
// large image holds a core and tens of MB for up to a second; with two workers each decoding
// its own, four uploaders of 40-megapixel images took the machine past 400 MB and slowed
// every page (docs/decisions/009-production-server.md). The primary hands out the turns over
// the cluster's own message channel; each worker still queues and limits its uploads first
// (app/utils/image.server.ts), so at most one request per worker waits here.
import cluster from "node:cluster";
import os from "node:os";

const MESSAGE = "quill:decode-turn";
/** One decode at a time per four cores, and at least one: the other cores serve pages. */
export const MACHINE_DECODES_AT_ONCE = Math.max(
  1,
  Math.floor(os.availableParallelism() / 4)
);

/**
 * The primary's side: hands out `atOnce` turns to workers' requests in the order asked.
 * A worker that dies gives its turns back.
 * @param {{ atOnce?: number }} [options]
 */
export function grantDecodeTurns({ atOnce = MACHINE_DECODES_AT_ONCE } = {}) {
  /** @type {{ worker: import("node:cluster").Worker, id: number }[]} */
  const queue = [];
  /** @type {Set<string>} "workerId:id" of the turns being used */
  const holding = new Set();
  const key = (
    /** @type {import("node:cluster").Worker} */ worker,
    /** @type {number} */ id
  ) => `${worker.id}:${id}`;
  const grantWhileFree = () => {
    while (holding.size < atOnce && queue.length > 0) {
      const next = /** @type {(typeof queue)[number]} */ (queue.shift());
      if (!next.worker.isConnected()) continue;
      holding.add(key(next.worker, next.id));
      next.worker.send({ type: MESSAGE, op: "go", id: next.id });
    }
  };
  return {
    /** @param {import("node:cluster").Worker} worker */
    watch(worker) {
      worker.on("message", (/** @type {any} */ message) => {
        if (message?.type !== MESSAGE || typeof message.id !== "number") return;
        if (message.op === "ask") queue.push({ worker, id: message.id });
        // "done" after a decode, "cancel" when the worker stopped waiting: either way the
        // turn is not (or no longer) used; a turn granted as it was cancelled is given back.
        else if (message.op === "done" || message.op === "cancel") {
          const queued = queue.findIndex(
            (entry) => entry.worker === worker && entry.id === message.id
          );
          if (queued !== -1) queue.splice(queued, 1);
          holding.delete(key(worker, message.id));
        }
        grantWhileFree();
      });
      worker.on("exit", () => {
        for (let n = queue.length - 1; n >= 0; n--)
          if (queue[n].worker === worker) queue.splice(n, 1);
        for (const turn of holding)
          if (turn.startsWith(`${worker.id}:`)) holding.delete(turn);
        grantWhileFree();
      });
    },
  };
}

/**
 * The worker's side: `takeTurn(work)` waits for the machine's turn, runs `work`, and gives the
 * turn back. Undefined outside a cluster worker (the app then limits decodes per process).
 * @returns {undefined | (<T>(work: () => Promise<T>, options: { maxWaitMs: number, busy: () => Error }) => Promise<T>)}
 */
export function machineDecodeTurns() {
  if (!cluster.isWorker || !process.send) return undefined;
  const send = /** @type {NonNullable<typeof process.send>} */ (
    process.send
  ).bind(process);
  let lastId = 0;
  /** @type {Map<number, () => void>} */
  const waiting = new Map();
  process.on("message", (/** @type {any} */ message) => {
    if (message?.type !== MESSAGE || message.op !== "go") return;
    const start = waiting.get(message.id);
    waiting.delete(message.id);
    // No one waiting: it timed out, and its "cancel" gives the turn back.
    start?.();
  });
  return async (work, { maxWaitMs, busy }) => {
    const id = ++lastId;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        send({ type: MESSAGE, op: "cancel", id });
        reject(busy());
      }, maxWaitMs);
      waiting.set(id, () => (clearTimeout(timer), resolve(undefined)));
      send({ type: MESSAGE, op: "ask", id });
    });
    try {
      return await work();
    } finally {
      send({ type: MESSAGE, op: "done", id });
    }
  };
}
