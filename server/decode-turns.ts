// Image decodes take turns across the whole machine, not per worker process. A decode of a
// large image holds a core and tens of MB for up to a second; with two workers each decoding
// its own, four uploaders of 40-megapixel images took the machine past 400 MB and slowed
// every page (docs/decisions/009-production-server.md). The primary hands out the turns over
// the cluster's own message channel; each worker still queues and limits its uploads first
// (app/utils/image.server.ts), so at most one request per worker waits here.
import cluster, { type Worker } from "node:cluster";
import os from "node:os";

const MESSAGE = "quill:decode-turn";
/** One decode at a time per four cores, and at least one: the other cores serve pages. */
export const MACHINE_DECODES_AT_ONCE = Math.max(
  1,
  Math.floor(os.availableParallelism() / 4)
);

type TurnMessage = { type: typeof MESSAGE; op: "ask" | "go" | "done" | "cancel"; id: number };
const isTurnMessage = (message: unknown): message is TurnMessage =>
  typeof message === "object" && message !== null && (message as TurnMessage).type === MESSAGE && typeof (message as TurnMessage).id === "number";

/**
 * The primary's side: hands out `atOnce` turns to workers' requests in the order asked.
 * A worker that dies gives its turns back.
 */
export function grantDecodeTurns({ atOnce = MACHINE_DECODES_AT_ONCE }: { atOnce?: number } = {}) {
  const queue: { worker: Worker; id: number }[] = [];
  /** "workerId:id" of the turns being used */
  const holding = new Set<string>();
  const key = (worker: Worker, id: number) => `${worker.id}:${id}`;
  const grantWhileFree = () => {
    while (holding.size < atOnce && queue.length > 0) {
      const next = queue.shift()!;
      if (!next.worker.isConnected()) continue;
      holding.add(key(next.worker, next.id));
      next.worker.send({ type: MESSAGE, op: "go", id: next.id });
    }
  };
  return {
    watch(worker: Worker) {
      worker.on("message", (message: unknown) => {
        if (!isTurnMessage(message)) return;
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
 */
export function machineDecodeTurns(): undefined | (<T>(work: () => Promise<T>, options: { maxWaitMs: number; busy: () => Error }) => Promise<T>) {
  if (!cluster.isWorker || !process.send) return undefined;
  const send = process.send.bind(process);
  let lastId = 0;
  const waiting = new Map<number, () => void>();
  process.on("message", (message: unknown) => {
    if (!isTurnMessage(message) || message.op !== "go") return;
    const start = waiting.get(message.id);
    waiting.delete(message.id);
    // No one waiting: it timed out, and its "cancel" gives the turn back.
    start?.();
  });
  return async <T>(work: () => Promise<T>, { maxWaitMs, busy }: { maxWaitMs: number; busy: () => Error }): Promise<T> => {
    const id = ++lastId;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        send({ type: MESSAGE, op: "cancel", id });
        reject(busy());
      }, maxWaitMs);
      waiting.set(id, () => (clearTimeout(timer), resolve()));
      send({ type: MESSAGE, op: "ask", id });
    });
    try {
      return await work();
    } finally {
      send({ type: MESSAGE, op: "done", id });
    }
  };
}
