// Uploads are decoded in one image process per machine (server/image-process.ts), not in the
// web workers: a decode holds a core and tens of MB for up to a second, and with every worker
// decoding its own, uploads took the machine past its memory and slowed every page
// (docs/decisions/009-production-server.md). The primary starts that process and replaces it
// when it exits or grows too large; the web workers send it their uploads directly, over HTTP
// on a Unix socket, so the bytes never pass through the primary.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import type { DecodeOutcome } from "../app/utils/image.server";

// The image process's program, next to this one in the built server (scripts/build-server.js).
const PROGRAM = path.join(import.meta.dirname, "image-process.cjs");
/** Where the workers find the image process: set by the primary in their environment. */
const SOCKET_VARIABLE = "QUILL_IMAGE_SOCKET";

/**
 * The primary's side: starts the image process on a socket of this primary's own and answers
 * the environment the workers need to reach it. A process that exits is replaced at once, or
 * after 1 s when it lived less than 10 s. One that retires (over `maxMb`) serves on until its
 * successor listens, then finishes its uploads in flight and exits.
 */
export function superviseImageProcess({ env, maxMb, log }: { env: NodeJS.ProcessEnv; maxMb: number; log: (line: string) => void }) {
  const socketPath = path.join(os.tmpdir(), `quill-images-${process.pid}.sock`);
  let current: ChildProcess | undefined;
  let stopping = false;
  const running = new Set<ChildProcess>();
  let allStopped = () => undefined as void;

  const start = () => {
    if (stopping) return;
    // Its JavaScript holds little (an upload, an answer): a small young generation keeps V8's
    // share of its memory small; libvips' own is outside V8's heap.
    const child = fork(PROGRAM, [socketPath, String(maxMb)], { env, execArgv: ["--max-semi-space-size=1", "--max-old-space-size=64"] });
    const started = Date.now();
    running.add(child);
    current = child;
    child.on("message", (message: { retiring?: number; listening?: boolean }) => {
      // Its successor has the socket: a retired process may go once its uploads are answered.
      if (message.listening) for (const other of running) if (other !== child && other.connected) other.send({ leave: true });
      if (message.retiring === undefined || current !== child) return;
      log(`[quill] image process ${child.pid} uses ${message.retiring} MB, over IMAGE_PROCESS_MAX_MB=${maxMb}: a new one takes the next uploads`);
      start();
    });
    child.on("exit", (code, signal) => {
      running.delete(child);
      if (stopping) {
        if (running.size > 0) return;
        fs.rmSync(socketPath, { force: true });
        return allStopped();
      }
      if (current !== child) return; // it retired, and its successor is running
      const lived = Date.now() - started;
      const why = signal ? `was killed by ${signal}` : `stopped with exit code ${code}`;
      log(`[quill] image process ${child.pid} ${why} after ${(lived / 1000).toFixed(1)} s; starting another`);
      setTimeout(start, lived < 10_000 ? 1_000 : 0);
    });
  };

  start();
  return {
    /** The workers' environment: `env` and where the image process listens. */
    workerEnv: { ...env, [SOCKET_VARIABLE]: socketPath },
    /** Once the web workers are gone: lets the image process finish, and waits for it. */
    stop(): Promise<void> {
      stopping = true;
      if (running.size === 0) return Promise.resolve(fs.rmSync(socketPath, { force: true }));
      return new Promise((resolve) => {
        allStopped = resolve;
        for (const child of running) if (child.connected) child.disconnect();
      });
    },
  };
}

/**
 * A web worker's side: decodes in the image process. Undefined when there is none (`npm run
 * dev`, plain remix-serve): the app then decodes in its own process. An upload that cannot
 * reach it (it is being replaced) or that it dropped (it died) is answered 503: send again.
 */
export function decodeInImageProcess(): ((bytes: Uint8Array, uploader: number | null) => Promise<DecodeOutcome>) | undefined {
  const socketPath = process.env[SOCKET_VARIABLE];
  if (!socketPath) return undefined;
  return (bytes, uploader) =>
    new Promise((resolve) => {
      const failed = () => resolve({ error: { status: 503, message: "The image could not be processed this time. Please send it again." } });
      const request = http.request({
        socketPath,
        // A connection of its own: one kept open could lead to a process that has retired.
        agent: false,
        path: "/decode",
        method: "POST",
        headers: { "Content-Length": bytes.byteLength, "X-Uploader": uploader ?? "" },
        // It exits after 30 s on one image; this is for a process that stopped answering.
        timeout: 45_000,
      });
      request.on("error", failed);
      request.on("timeout", () => request.destroy());
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", failed);
        response.on("end", () => {
          if (response.statusCode !== 200 || !response.complete) return failed();
          resolve(v8.deserialize(Buffer.concat(chunks)) as DecodeOutcome);
        });
      });
      request.end(bytes);
    });
}
