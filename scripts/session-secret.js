// The secrets that sign session cookies: SESSION_SECRET (comma-separated, newest first, so a
// new secret can go in front while cookies signed with the old one still verify), or else a
// random one made once and kept beside the database, so `npm start` needs no configuration
// and restarts do not sign everybody out. Plain JavaScript: `npm start` calls it once,
// before starting the workers (which then share it), and the app calls it when it runs
// without `npm start` (plain remix-serve, the dev server).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_DATABASE_FILE, databaseConfig } from "../prisma/database-url.js";

/**
 * @param {{ env?: Record<string, string | undefined>, log?: (line: string) => void }} [options]
 * @returns {string[]}
 */
export function sessionSecrets({ env = process.env, log = console.log } = {}) {
  const configured = (env.SESSION_SECRET ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;

  const config = databaseConfig(env);
  // Beside the SQLite file; on PostgreSQL (development only: scripts/start.js refuses to
  // start production without SESSION_SECRET) in the default data folder.
  const file = path.join(path.dirname(config.kind === "sqlite" ? config.file : DEFAULT_DATABASE_FILE), "session-secret");
  const stored = readSecret(file);
  if (stored) return [stored];
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another process made it first: use theirs, so that both sign alike.
    if (/** @type {NodeJS.ErrnoException} */ (error).code === "EEXIST") return [readSecret(file) || secret];
    throw error;
  }
  log(
    `[quill] SESSION_SECRET is not set: created a random one in ${file}. ` +
      "That only suits a single machine: with more than one, set the same SESSION_SECRET on every one.",
  );
  return [secret];
}

/** @param {string} file */
function readSecret(file) {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === "ENOENT") return "";
    throw error;
  }
}
