import os from "node:os";
import { z } from "zod";

// Every setting Quill reads from the environment, in one zod schema, checked once: by `npm
// start`'s primary before any worker starts (server/config.ts), and by each process on first
// use. A mistake stops the process with one line that names the variable and says what to
// fix, never a stack trace or a silent default: a typo must not quietly turn a limit off
// (`Number("20/h")` is NaN, and nothing is ever over NaN). DATABASE_URL and SESSION_SECRET
// are read where they are used (prisma/database-url.js, scripts/session-secret.js).

export class ConfigError extends Error {
  override name = "ConfigError";
}

const text = z.string().trim();
/** Unset or empty: `fallback`; else a whole number from 1 up to `max`. */
const wholeNumber = (fallback: number, max = Number.MAX_SAFE_INTEGER, rule = "must be a whole number of at least 1") =>
  text
    .optional()
    .refine((value) => !value || (/^[1-9][0-9]{0,15}$/.test(value) && Number(value) <= max), { message: rule })
    .transform((value) => (value ? Number(value) : fallback));

const schema = z.object({
  /** Where to listen. */
  PORT: text
    .optional()
    .refine((value) => !value || (/^[0-9]{1,5}$/.test(value) && Number(value) <= 65535), { message: "takes a port number" })
    .transform((value) => (value ? Number(value) : 3000)),
  HOST: text.optional().transform((value) => value || undefined),
  /** Secure session cookies in production; `false` serves the build over plain HTTP on another host. */
  COOKIE_SECURE: text
    .toLowerCase()
    .optional()
    .refine((value) => !value || value === "true" || value === "false", { message: "takes true or false" })
    .transform((value) => value !== "false"),
  /**
   * How many reverse proxies stand in front (a hop count, for Express's `trust proxy`): the
   * client address is then the one that many hops back in X-Forwarded-For, and
   * X-Forwarded-Proto / X-Forwarded-Host are believed. Unset, `false` or `0`: none.
   */
  TRUST_PROXY: text
    .toLowerCase()
    .optional()
    .refine((value) => value !== "true", {
      message:
        "=true is too trusting: it believes the first X-Forwarded-For entry, which the client writes. " +
        "Set the number of proxies in front instead (TRUST_PROXY=1 for one)",
    })
    .refine((value) => !value || value === "false" || /^[0-9]{1,2}$/.test(value), { message: "takes the number of proxies in front (e.g. 1)" })
    .transform((value) => (value && value !== "false" ? Number(value) : 0)),
  /** How many worker processes serve requests; by default one per core. */
  WEB_CONCURRENCY: wholeNumber(os.availableParallelism(), 999, "takes a number of worker processes (e.g. 2)"),
  /** Other origins whose pages may submit to us, comma-separated. */
  ORIGIN: text.optional().transform((value) =>
    (value ?? "")
      .split(",")
      .map((origin) => origin.trim().replace(/\/+$/, ""))
      .filter(Boolean),
  ),
  /**
   * How long a cached page or API read may be given again at most, even when nothing
   * changed ("3 hours ago" must not go stale for long). KEPT_ANSWERS_MAX_AGE_SECONDS is its
   * old name, still read.
   */
  RESPONSE_CACHE_MAX_AGE_SECONDS: wholeNumber(60, 999_999, "takes a number of seconds (e.g. 60)"),
  /**
   * The image process (server/image-process.ts) is replaced by a fresh one once it holds more
   * than this many MB after a decode.
   */
  IMAGE_PROCESS_MAX_MB: wholeNumber(200, 99_999, "takes a number of MB (e.g. 200)"),
  SIGNUP_LIMIT_PER_HOUR: wholeNumber(20),
  DATABASE_POOL_SIZE: wholeNumber(10),
  QUILL_BODY_BUDGET_BYTES: wholeNumber(48 * 1024 * 1024),
});

export type Env = z.output<typeof schema>;

/** The settings in `source`, or a ConfigError naming the first variable that is wrong. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const renamed = { ...source };
  if (renamed.RESPONSE_CACHE_MAX_AGE_SECONDS === undefined) renamed.RESPONSE_CACHE_MAX_AGE_SECONDS = source.KEPT_ANSWERS_MAX_AGE_SECONDS;
  const parsed = schema.safeParse(renamed);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  let name = String(issue.path[0]);
  if (name === "RESPONSE_CACHE_MAX_AGE_SECONDS" && source.RESPONSE_CACHE_MAX_AGE_SECONDS === undefined) name = "KEPT_ANSWERS_MAX_AGE_SECONDS";
  const value = source[name];
  const message = issue.message.startsWith("=") ? `${name}${issue.message}` : `${name} ${issue.message}, not ${JSON.stringify(value)}`;
  throw new ConfigError(`${message}.`);
}

let current: Env | undefined;
/** This process's settings (process.env), parsed on first use. */
export function env(): Env {
  return (current ??= parseEnv(process.env));
}
