// The image process: one per machine, started and watched by `npm start`'s primary
// (server/image-supervisor.ts). It decodes the uploads of every web worker, in one queue, at a
// lower CPU priority, so that on a busy machine pages are served first and a decode takes
// the CPU they leave. The workers reach it over HTTP on a Unix socket: POST /decode with the
// upload as the body, answered with the outcome (v8.serialize). Built on its own as
// build/http/image-process.cjs (scripts/build-server.js).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import v8 from "node:v8";
import { IMAGE_MAX_BYTES } from "../app/utils/rules";

// First, before this process starts any other thread: Linux keeps a nice value per thread,
// and a new thread takes its creator's. libuv's pool threads and libvips' threads are started
// later, from this one, so they all run at nice 10. (As CommonJS, nothing before this line
// used the thread pool, Node's own modules above start no thread; an ES module's loading
// does use the pool, and its threads stayed at 0.)
os.setPriority(10);

const [socketPath, maxMbArgument] = process.argv.slice(2);
// Past this much resident memory, the process retires once its uploads in flight are done,
// and the primary starts a fresh one (libvips and glibc hold on to some of what decodes used).
const maxMb = Number(maxMbArgument) || 200;
// One decode at a time per four cores, and at least one: the other cores serve pages.
const AT_ONCE = Math.max(1, Math.floor(os.availableParallelism() / 4));
// A decode takes a second or two after at most 10 s in the queue: one this late is stuck in
// libvips, which nothing but an exit stops (the primary starts another).
const STUCK_AFTER_MS = 30_000;

// Loaded after the priority is set: sharp starts libvips with the module.
const decoder = import("../app/utils/image.server").then(({ createDecodeQueue, decodeOutcome }) => {
  const queue = createDecodeQueue({ atOnce: AT_ONCE });
  return (bytes: () => Promise<Uint8Array>, uploader: number | null) => decodeOutcome(queue, bytes, uploader);
});

let inFlight = 0;
let retiring = false;
let leaving = false;
// Told to leave (its successor listens) or let go of: exits once its uploads in flight are
// answered. It never closes its server: that would remove the socket file, by then its
// successor's.
const leave = () => {
  leaving = true;
  if (inFlight === 0) process.exit(0);
};

const server = http.createServer((req, res) => {
  const uploader = Number(req.headers["x-uploader"]) || null;
  if (req.method !== "POST" || req.url !== "/decode") return void res.writeHead(404).end();
  inFlight++;
  const stuck = setTimeout(() => {
    console.error(`[quill] image process ${process.pid}: one image took over ${STUCK_AFTER_MS / 1000} s; exiting`);
    process.exit(1);
  }, STUCK_AFTER_MS);
  // Read when its turn comes (until then the kernel and the worker hold it).
  const body = () => new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= IMAGE_MAX_BYTES) chunks.push(chunk);
    });
    req.on("end", () => (size > IMAGE_MAX_BYTES ? reject(new Error("over 10 MB")) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
  void decoder
    .then((decode) => decode(body, uploader))
    .then((outcome) => {
      // Refused before its turn: the body, unread, is let through and not kept.
      if (!req.readableEnded) req.removeAllListeners("data").resume();
      res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(v8.serialize(outcome));
    })
    .finally(() => {
      clearTimeout(stuck);
      inFlight--;
      const mb = process.memoryUsage.rss() / 2 ** 20;
      if (mb > maxMb && !retiring && process.connected) process.send!({ retiring: Math.round(mb) });
      retiring ||= mb > maxMb;
      if (leaving) leave();
    });
});

// Listens on a path of its own, then puts its socket in the place the workers connect to, in
// one step (a rename): from then on new uploads come here, while a retiring predecessor
// answers the ones it has; the workers never find no socket, and never a half-made one.
const ownPath = `${socketPath}.${process.pid}`;
fs.rmSync(ownPath, { force: true });
server.listen(ownPath, () => {
  fs.renameSync(ownPath, socketPath);
  if (process.connected) process.send!({ listening: true });
});

// The primary lets go once every web worker has finished its requests (or when it dies):
// the uploads in flight still get their images. Until then a stop signal to the whole
// process group (Ctrl-C, systemd) is the primary's to act on.
process.on("disconnect", leave);
process.on("message", (message: { leave?: boolean }) => message.leave && leave());
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => undefined);
