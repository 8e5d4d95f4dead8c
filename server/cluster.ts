// The primary process of `npm start`: starts WEB_CONCURRENCY workers running server/index.ts
// (they share the port: node:cluster hands each new connection to one of them), replaces a
// worker that dies, and on SIGTERM or SIGINT lets every worker finish its requests in flight
// before exiting 0. It serves nothing itself and loads none of the app.
import cluster from "node:cluster";
import path from "node:path";
import { superviseImageProcess } from "./image-supervisor.js";

// The worker's script, next to this one in the built server (build/http/, scripts/build-server.js).
const WORKER = path.join(import.meta.dirname, "index.js");
// A worker that dies is replaced at once. One that dies this soon after starting, twice in a
// row, is failing, not unlucky: wait before the next, 1 s, 2 s, 4 s... up to 30 s, so a
// crash loop does not eat the machine.
const FAILING_WITHIN_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Answers the exit code, once every worker has stopped. `env`: the workers' environment
 * (scripts/server-env.js); the primary's own is left as it is.
 */
export function runPrimary({
  workers,
  env,
  imageProcessMaxMb,
  log = console.log,
}: {
  workers: number;
  env: NodeJS.ProcessEnv;
  imageProcessMaxMb: number;
  log?: (line: string) => void;
}): Promise<number> {
  cluster.setupPrimary({ exec: WORKER });
  let stopping = false;
  let everListening = false;
  let allListening = false;
  /** ids of the workers that are listening */
  const listening = new Set<number>();
  let failures = 0;
  let exitCode = 0;
  /** worker id -> when it started */
  const started = new Map<number, number>();
  // Every worker's uploads are decoded in the one image process (server/image-supervisor.ts).
  const images = superviseImageProcess({ env, maxMb: imageProcessMaxMb, log });

  const fork = () => {
    if (stopping) return;
    const worker = cluster.fork(images.workerEnv);
    started.set(worker.id, Date.now());
    worker.on("message", (message: unknown) => {
      if ((message as { quill?: string } | null)?.quill !== "listening") return;
      listening.add(worker.id);
      // The first worker that listens serves (its access log follows this line); the others
      // join it in a moment.
      if (!everListening) log(`[quill] serving on http://${env.HOST || "localhost"}:${env.PORT}`);
      everListening = true;
      if (!allListening && listening.size === workers) {
        log(`[quill] all ${workers} worker process${workers === 1 ? " is" : "es are"} listening`);
        allListening = true;
      }
    });
  };

  return new Promise((resolve) => {
    // The image process stops last: the workers' uploads in flight still need it.
    const finish = (code: number) => void images.stop().then(() => resolve(code));
    cluster.on("exit", (worker, code, signal) => {
      const lived = Date.now() - (started.get(worker.id) ?? 0);
      started.delete(worker.id);
      listening.delete(worker.id);
      if (stopping) {
        if (started.size === 0) finish(exitCode);
        return;
      }
      const why = signal ? `was killed by ${signal}` : code === 0 ? "stopped (exit code 0)" : `died with exit code ${code}`;
      if (!everListening) {
        // It never served: the same would happen again (a port in use, a broken build).
        log(`[quill] worker ${worker.process.pid} ${why} before it could serve; stopping (its error is above)`);
        stopping = true;
        exitCode = 1;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
        if (started.size === 0) finish(exitCode);
        return;
      }
      failures = lived < FAILING_WITHIN_MS ? failures + 1 : 0;
      const delay = failures < 2 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 2));
      log(`[quill] worker ${worker.process.pid} ${why} after ${(lived / 1000).toFixed(1)} s; starting another${delay ? ` in ${delay / 1000} s` : ""}`);
      setTimeout(fork, delay);
    });

    // Once, whether the signal came to this process alone or to the whole group (Ctrl-C,
    // systemd): each worker drains and exits; a worker that got it too ignores the repeat.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        log(`[quill] ${signal}: finishing the requests in flight`);
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
        if (started.size === 0) finish(0);
      });
    }

    for (let n = 0; n < workers; n++) fork();
  });
}
