// How the production server's worker processes are set up: shared by `npm start` and the
// bench, so the bench measures the server as it runs in production
// (docs/decisions/005-performance.md). Anything already set in the environment wins.

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function serverEnv(env) {
  /** @type {Record<string, string>} */
  const defaults = {
    NODE_ENV: "production",
    PORT: "3000",
    // Three pool threads per worker: each argon2id hash holds 19 MiB while it runs, so
    // four threads meant four at once (76 MiB) with no more throughput; an image decode
    // (one at a time per process, app/utils/image.server.ts) takes one thread, and logins
    // and compression keep two.
    UV_THREADPOOL_SIZE: "3",
    // glibc gives every thread that allocates its own arena and keeps what it frees there;
    // with the pool threads, zlib and argon2 that held ~40 MB the process no longer used.
    MALLOC_ARENA_MAX: "2",
    // An image decode allocates and frees tens of MB in pieces of a few hundred KB; glibc
    // kept them in the heap, so each worker's RSS ratcheted up decode after decode (+100 MB
    // over 40 uploads). Pieces over 64 KB get their own mappings, returned when freed, and
    // free memory at the heap's top goes back past 128 KB: growth stayed flat at ~65 MB.
    MALLOC_MMAP_THRESHOLD_: "65536",
    MALLOC_TRIM_THRESHOLD_: "131072",
  };
  return {
    ...defaults,
    ...env,
    // A heap limit also makes V8 grow the heap in smaller steps, and a young generation of
    // 2 x 8 MB instead of 2 x 16 MB: under load a worker peaked at ~225 MB instead of
    // ~400 MB, for ~10% fewer uncached pages a second. The live heap is 35-50 MB, so
    // 256 MB leaves room for bursts.
    NODE_OPTIONS: ["--max-old-space-size=256 --max-semi-space-size=8", env.NODE_OPTIONS].filter(Boolean).join(" "),
  };
}
