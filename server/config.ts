// The server's settings from the environment, checked once at start: a mistake stops the
// server with one line that says what to fix, never a stack trace or a silent default.
import os from "node:os";

export class ConfigError extends Error {}

/**
 * TRUST_PROXY: how many reverse proxies stand in front (a hop count, for Express's
 * `trust proxy`): the client address is then the one that many hops back in
 * X-Forwarded-For, and X-Forwarded-Proto / X-Forwarded-Host are believed. Unset, `false`
 * or `0`: no proxy, the headers are ignored.
 */
export function trustProxyHops(value: string | undefined): number {
  const raw = (value ?? "").trim().toLowerCase();
  if (raw === "" || raw === "false" || raw === "0") return 0;
  if (raw === "true") {
    throw new ConfigError(
      "TRUST_PROXY=true is too trusting: it believes the first X-Forwarded-For entry, which the client writes. " +
        "Set the number of proxies in front instead (TRUST_PROXY=1 for one).",
    );
  }
  if (!/^[1-9][0-9]?$/.test(raw)) throw new ConfigError(`TRUST_PROXY takes the number of proxies in front (e.g. 1), not ${JSON.stringify(value)}.`);
  return Number(raw);
}

/** WEB_CONCURRENCY: how many worker processes serve requests; by default one per core. */
export function webConcurrency(value: string | undefined): number {
  const raw = (value ?? "").trim();
  if (raw === "") return os.availableParallelism();
  if (!/^[1-9][0-9]{0,2}$/.test(raw)) throw new ConfigError(`WEB_CONCURRENCY takes a number of worker processes (e.g. 2), not ${JSON.stringify(value)}.`);
  return Number(raw);
}

/**
 * RESPONSE_CACHE_MAX_AGE_SECONDS (formerly KEPT_ANSWERS_MAX_AGE_SECONDS, still read): how
 * long a cached page or API read may be given again at most, even when nothing changed
 * (relative times like "3 hours ago" must not go stale for long). Answers in milliseconds.
 */
export function responseCacheMaxAgeMs(env: Record<string, string | undefined>): number {
  const name = env.RESPONSE_CACHE_MAX_AGE_SECONDS !== undefined ? "RESPONSE_CACHE_MAX_AGE_SECONDS" : "KEPT_ANSWERS_MAX_AGE_SECONDS";
  const value = env[name];
  const raw = (value ?? "").trim();
  if (raw === "") return 60_000;
  if (!/^[1-9][0-9]{0,5}$/.test(raw)) throw new ConfigError(`${name} takes a number of seconds (e.g. 60), not ${JSON.stringify(value)}.`);
  return Number(raw) * 1000;
}

/** PORT and HOST: where to listen. */
export function listenAddress(env: NodeJS.ProcessEnv): { port: number; host: string | undefined } {
  const port = Number(env.PORT ?? "3000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT takes a port number, not ${JSON.stringify(env.PORT)}.`);
  return { port, host: env.HOST?.trim() || undefined };
}

/** All the server's settings, for the primary to check before it starts any worker. */
export function serverConfig(env: NodeJS.ProcessEnv) {
  return {
    trustProxy: trustProxyHops(env.TRUST_PROXY),
    workers: webConcurrency(env.WEB_CONCURRENCY),
    responseCacheMaxAgeMs: responseCacheMaxAgeMs(env),
    ...listenAddress(env),
  };
}
