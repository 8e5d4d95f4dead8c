// The one place that decides where the SQLite database lives. Plain JavaScript so that
// scripts/start.js, prisma.config.ts and the app server can all import it.
import path from "node:path";

// Relative paths are taken from the working directory, which npm scripts set to the
// project root. (Not from this file's location: the app bundles this module into build/.)
export const DEFAULT_DATABASE_FILE = path.resolve("data", "quill.db");

/**
 * The SQLite file named by DATABASE_URL (`file:./x.db`, `file:/abs/x.db`, or a bare path),
 * as an absolute path, so that every tool agrees on one file.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string}
 */
export function databaseFile(env = process.env) {
  const url = env.DATABASE_URL?.trim();
  if (!url) return DEFAULT_DATABASE_FILE;
  const withoutScheme = url.replace(/^file:(\/\/)?/, "").replace(/\?.*$/, "");
  if (!withoutScheme) throw new Error(`DATABASE_URL has no file path: ${url}`);
  return path.resolve(withoutScheme);
}

/** @param {Record<string, string | undefined>} [env] */
export function databaseUrl(env = process.env) {
  return `file:${databaseFile(env)}`;
}
