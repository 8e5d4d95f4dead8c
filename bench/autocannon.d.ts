// autocannon ships no types (and @types/autocannon is not a dependency): the parts of its
// programmatic API the bench uses, as documented in its README.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export type RequestParams = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };

  export type Options = RequestParams & {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds to wait for a response. */
    timeout?: number;
    requests?: RequestParams[];
    /** Worker threads to send from; connections are shared out among them. */
    workers?: number;
  };

  export type Histogram = {
    average: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  };

  export type Result = {
    /** Requests per second, sampled once a second. */
    requests: Histogram & { total: number; sent: number };
    /** Milliseconds, whole numbers. */
    latency: Histogram;
    /** Bytes per second. */
    throughput: Histogram & { total: number };
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "1xx": number;
    "2xx": number;
    "3xx": number;
    "4xx": number;
    "5xx": number;
    statusCodeStats: Record<string, { count: number }>;
  };

  export type Instance = EventEmitter & PromiseLike<Result> & { stop(): void };

  export default function autocannon(options: Options): Instance;
}
