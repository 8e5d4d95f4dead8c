// What the bench asks of the server, and one autocannon run per endpoint.
import autocannon, { type Instance, type RequestParams } from "autocannon";
import { watchCpu } from "./cpu";
import { BENCH_USER, READER_PASSWORD, READERS, type SeededDatabase } from "./seed";
import { sampleMemory, type Server } from "./server";

export type Endpoint = {
  name: string;
  /** The status every answer should have; anything else is counted as unexpected. */
  status: number;
  /** The next request; most pick a random post so a large database is not one hot row. */
  next: () => RequestParams;
  /** For endpoints that may not exist yet: why the first answer shows it is missing, or null. */
  missing?: (response: Response) => string | null;
  /** Connections for this endpoint alone (default: --connections); a single client's latency is measured with 1. */
  connections?: number;
};

export type EndpointResult =
  | { endpoint: string; available: false; reason: string }
  | {
      endpoint: string;
      available: true;
      example: string;
      /** Connections this endpoint was loaded with. */
      connections: number;
      requestsPerSecond: number;
      latencyMs: { p50: number; p90: number; p99: number; average: number; max: number };
      requests: number;
      /** Connection errors, timeouts included. */
      errors: number;
      /** Answers outside 2xx and 3xx (other than the endpoint's own `status`). */
      non2xx3xx: number;
      /** Answers whose status was not the endpoint's `status` (e.g. 200 where 304 was due). */
      unexpectedStatus: number;
      statusCodes: Record<string, number>;
      throughputMBps: number;
      /** Server CPU time (all threads) per answered request: what a request costs, whatever the load generator gets. */
      serverCpuMsPerRequest: number;
      /** The same for the load generator (autocannon, in this process): when it is the larger, it sets the pace. */
      loadCpuMsPerRequest: number;
      /** Cores kept busy by neither the server nor the bench during the run (other people's work). */
      otherCores: number;
      /** Highest resident memory sampled during this endpoint's run. */
      rssMb: number;
      /** The server's VmHWM once this endpoint had run: its peak since it started. */
      peakRssMb: number;
    };

export type Measured = Extract<EndpointResult, { available: true }>;

/** Signs a user in (the bench user by default) and answers the session cookie. */
export async function signIn(server: Server, user: { username: string; password: string } = BENCH_USER): Promise<string> {
  const response = await fetch(`${server.url}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
    body: new URLSearchParams(user).toString(),
    redirect: "manual",
  });
  const cookie = response.headers.get("Set-Cookie")?.split(";")[0];
  if (response.status !== 302 || !cookie) throw new Error(`Signing ${user.username} in failed: ${response.status}`);
  return cookie;
}

/** The session cookies of the 50 readers, for the rows with as many different signed-in users. */
export async function signInReaders(server: Server): Promise<string[]> {
  const cookies: string[] = [];
  for (let n = 1; n <= READERS; n++) cookies.push(await signIn(server, { username: `reader${n}`, password: READER_PASSWORD }));
  return cookies;
}

export type Sessions = { bench: string; readers: string[] };

export function endpoints(server: Server, db: SeededDatabase, sessions: Sessions): Endpoint[] {
  const anyPost = () => 1 + Math.floor(Math.random() * db.posts);
  const anyReader = () => ({ Cookie: sessions.readers[Math.floor(Math.random() * sessions.readers.length)] });
  const anyImage = () => db.imagePosts[Math.floor(Math.random() * db.imagePosts.length)];
  const notFound = (response: Response) => (response.status === 404 ? "answered 404: a build without revision history" : null);
  const notJson = (response: Response) =>
    response.status === 200 && response.headers.get("Content-Type")?.includes("application/json")
      ? null
      : `answered ${response.status} ${response.headers.get("Content-Type") ?? ""}`.trim();
  return [
    { name: "GET / (front page, 20 posts)", status: 200, next: () => ({ path: "/" }) },
    // Rendered for every request: signed-in pages are never kept (server/kept-answers.js).
    { name: "GET / signed in", status: 200, next: () => ({ path: "/", headers: { Cookie: sessions.bench } }) },
    { name: "GET / signed in, 50 users", status: 200, next: () => ({ path: "/", headers: anyReader() }) },
    { name: "GET /:id (post page)", status: 200, next: () => ({ path: `/${anyPost()}` }) },
    { name: "GET /:id signed in, 50 users", status: 200, next: () => ({ path: `/${anyPost()}`, headers: anyReader() }) },
    // The framework's floor: the app's 404 page, an empty document with the layout and nothing loaded.
    { name: "GET /no/such/page (404 page)", status: 404, next: () => ({ path: "/no/such/page" }) },
    {
      name: "GET /:id/image?v= (full image)",
      status: 200,
      next: () => {
        const { id, hash } = anyImage();
        return { path: `/${id}/image?v=${hash}` };
      },
    },
    {
      name: "GET /:id/image?size=thumbnail&v=",
      status: 200,
      next: () => {
        const { id, hash } = anyImage();
        return { path: `/${id}/image?size=thumbnail&v=${hash}` };
      },
    },
    {
      name: "GET /:id/image, If-None-Match (304)",
      status: 304,
      next: () => {
        const { id, hash } = anyImage();
        return { path: `/${id}/image?v=${hash}`, headers: { "If-None-Match": `"${hash}-full"` } };
      },
    },
    // Without a cookie or token: kept in memory until the content changes, like pages.
    { name: "GET /api", status: 200, next: () => ({ path: "/api" }), missing: notJson },
    { name: "GET /api/:id", status: 200, next: () => ({ path: `/api/${anyPost()}` }), missing: notJson },
    // One client reading a long history: the first page, and one version against the one
    // before it (the history's "changes" links), with 1,000 revisions behind them.
    {
      name: `GET /:id/history (${db.historyPost.revisions.toLocaleString("en")} revisions, first page, 1 connection)`,
      status: 200,
      connections: 1,
      next: () => ({ path: `/${db.historyPost.id}/history` }),
      missing: notFound,
    },
    {
      name: `GET /:id/compare (history of ${db.historyPost.revisions.toLocaleString("en")} revisions, 1 connection)`,
      status: 200,
      connections: 1,
      next: () => {
        const version = 2 + Math.floor(Math.random() * (db.historyPost.revisions - 1));
        return { path: `/${db.historyPost.id}/compare?from=${version - 1}&to=${version}` };
      },
      missing: notFound,
    },
    {
      name: "POST /login (argon2id verify)",
      status: 302,
      next: () => ({
        method: "POST",
        path: "/login",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
        body: new URLSearchParams(BENCH_USER).toString(),
      }),
    },
  ];
}

// What Chrome sends with every request: the server then compresses pages and JSON
// (Brotli first) as it does for real visitors. Images are WebP and sent as they are.
// Enough distinct requests that a large database is not one hot row: 1,000 random posts.
const REQUESTS_PER_RUN = 1_000;

const BROWSER_HEADERS = { "Accept-Encoding": "gzip, deflate, br, zstd" };

let current: Instance | undefined;

/** Ends the load that is running, if any (for Ctrl-C). */
export function stopLoad() {
  current?.stop();
}

export async function measure(
  server: Server,
  endpoint: Endpoint,
  { connections, duration, warmup, workers }: { connections: number; duration: number; warmup: number; workers: number },
): Promise<EndpointResult> {
  const example = endpoint.next();
  const first = await fetch(`${server.url}${example.path}`, {
    method: example.method ?? "GET",
    headers: { ...BROWSER_HEADERS, ...example.headers },
    body: example.body,
    redirect: "manual",
  });
  await first.arrayBuffer();
  const reason = endpoint.missing?.(first);
  if (reason) return { endpoint: endpoint.name, available: false, reason };

  // The requests are drawn up front and each connection cycles through them: a function
  // per request cannot cross into autocannon's worker threads, and rebuilding each
  // request cost the load generator more than the server spends on a small answer.
  const requests = Array.from({ length: REQUESTS_PER_RUN }, () => {
    const next = endpoint.next();
    return { ...next, headers: { ...BROWSER_HEADERS, ...next.headers } };
  });
  const clients = endpoint.connections ?? connections;
  // A worker thread needs a connection of its own.
  const threads = Math.min(workers, clients);
  const run = (seconds: number) => {
    current = autocannon({ url: server.url, connections: clients, duration: seconds, requests, workers: threads > 1 ? threads : undefined });
    return current;
  };
  // Not measured: lets V8 optimise the hot paths and SQLite fill its page cache.
  if (warmup > 0) await run(warmup);
  const memory = sampleMemory(server);
  const cpu = watchCpu(server.cpuMs);
  const result = await run(duration);
  current = undefined;
  const { serverMs, benchMs, otherCores } = cpu();
  const rssMb = memory.stop();

  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]));
  const answered = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  return {
    endpoint: endpoint.name,
    available: true,
    example: `${example.method ?? "GET"} ${example.path}`,
    connections: clients,
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      average: result.latency.average,
      max: result.latency.max,
    },
    requests: answered,
    errors: result.errors,
    // The 404 page's row expects its 4xx: only the others count here.
    non2xx3xx: result["1xx"] + result["4xx"] + result["5xx"] - (endpoint.status >= 400 ? (statusCodes[String(endpoint.status)] ?? 0) : 0),
    unexpectedStatus: answered - (statusCodes[String(endpoint.status)] ?? 0),
    statusCodes,
    throughputMBps: result.throughput.average / 1e6,
    serverCpuMsPerRequest: serverMs / answered,
    loadCpuMsPerRequest: benchMs / answered,
    otherCores,
    rssMb,
    peakRssMb: server.memory()?.peakRssMb ?? NaN,
  };
}
