// The one place that decides which database the app uses and where it lives. Plain
// JavaScript so that scripts/start.js, prisma.config.ts, the server and the app can all
// import it.
//
// DATABASE_URL unset, or `file:...`: SQLite (the embedded default).
// DATABASE_URL `postgresql://...` or `postgres://...`: PostgreSQL.
import path from "node:path";

// Relative paths are taken from the working directory, which npm scripts set to the
// project root. (Not from this file's location: the app bundles this module into build/.)
export const DEFAULT_DATABASE_FILE = path.resolve("data", "quill.db");

/**
 * @typedef {{ kind: "sqlite", file: string } | { kind: "postgresql", url: string }} DatabaseConfig
 */

/**
 * @param {Record<string, string | undefined>} [env]
 * @returns {DatabaseConfig}
 */
export function databaseConfig(env = process.env) {
  const url = env.DATABASE_URL?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { kind: "postgresql", url };
  return { kind: "sqlite", file: databaseFile(env) };
}

/**
 * The SQLite file named by DATABASE_URL (`file:./x.db`, `file:/abs/x.db`, or a bare path),
 * as an absolute path, so that every tool agrees on one file.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string}
 */
export function databaseFile(env = process.env) {
  const url = env.DATABASE_URL?.trim();
  if (!url) return DEFAULT_DATABASE_FILE;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file:")) {
    throw new Error(`DATABASE_URL is not a SQLite file: ${url.replace(/\/\/[^@/]*@/, "//…@")}`);
  }
  const withoutScheme = url.replace(/^file:(\/\/)?/, "").replace(/\?.*$/, "");
  if (!withoutScheme) throw new Error(`DATABASE_URL has no file path: ${url}`);
  return path.resolve(withoutScheme);
}

/** @param {Record<string, string | undefined>} [env] */
export function databaseUrl(env = process.env) {
  return `file:${databaseFile(env)}`;
}
