// Image decodes take turns across the whole machine, not per worker process. A decode of a
// large image holds a core and tens of MB for up to a second; with two workers each decoding
// its own, four uploaders of 40-megapixel images took the machine past 400 MB and slowed
// every page (docs/decisions/009-production-server.md). The primary hands out the turns over
// the cluster's own message channel; each worker still queues and limits its uploads first
// (app/utils/image.server.ts), so at most one request per worker waits here.
import cluster, { type Worker } from "node:cluster";
import os from "node:os";
import pLimit from "p-limit";

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
 * The primary's side: hands out `atOnce` turns to workers' requests in the order asked (a
 * semaphore: p-limit, as in the workers). A worker that dies gives its turns back.
 */
export function grantDecodeTurns({ atOnce = MACHINE_DECODES_AT_ONCE }: { atOnce?: number } = {}) {
  const turns = pLimit(atOnce);
  /** "workerId:id" -> how to end that turn: asked for, granted or not yet. */
  const asked = new Map<string, () => void>();
  const key = (worker: Worker, id: number) => `${worker.id}:${id}`;
  const end = (turn: string) => {
    asked.get(turn)?.();
    asked.delete(turn);
  };
  return {
    watch(worker: Worker) {
      worker.on("message", (message: unknown) => {
        if (!isTurnMessage(message)) return;
        const turn = key(worker, message.id);
        if (message.op === "ask") {
          let ended = false;
          // Ended while still waiting: skipped when its turn comes.
          let release: () => void = () => {
            ended = true;
          };
          asked.set(turn, () => release());
          void turns(
            () =>
              new Promise<void>((resolve) => {
                if (ended || !worker.isConnected()) return resolve();
                release = resolve;
                worker.send({ type: MESSAGE, op: "go", id: message.id });
              }),
          );
        }
        // "done" after a decode, "cancel" when the worker stopped waiting: either way the
        // turn is not (or no longer) used; a turn granted as it was cancelled is given back.
        else if (message.op === "done" || message.op === "cancel") end(turn);
      });
      worker.on("exit", () => {
        for (const turn of [...asked.keys()]) if (turn.startsWith(`${worker.id}:`)) end(turn);
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
