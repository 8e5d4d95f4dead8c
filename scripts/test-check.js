// `npm test` first runs this: it says what the tests need that this machine lacks, and how
// to install it, before minutes go into a build and a test run that would fail at the end.
//   Chromium    the browser tests (Playwright drives Debian's Chromium: CHROMIUM_PATH or /usr/bin/chromium)
//   PostgreSQL  not needed by `npm test`; `npm run test:slow` (the schema drift check) and
//               `npm run test:postgres` start throwaway servers from it (test/support/postgres.ts)
import fs from "node:fs";
import path from "node:path";

const problems = [];
const notes = [];

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  problems.push(
    `Chromium is missing (looked for ${chromium}): the browser tests drive it.\n` +
      "    Debian/Ubuntu: sudo apt-get install chromium    (or set CHROMIUM_PATH to a Chromium or Chrome binary)",
  );
}

const postgresBin = process.env.POSTGRES_BIN;
const base = "/usr/lib/postgresql";
const hasPostgres = postgresBin
  ? fs.existsSync(path.join(postgresBin, "pg_ctl"))
  : fs.existsSync(base) && fs.readdirSync(base).some((version) => fs.existsSync(path.join(base, version, "bin", "pg_ctl")));
if (!hasPostgres) {
  notes.push(
    "PostgreSQL is not installed: `npm test` does not need it, but `npm run test:slow` (the schema drift check)\n" +
      "    and `npm run test:postgres` do, and CI runs them. Debian/Ubuntu: sudo apt-get install postgresql\n" +
      "    (or set POSTGRES_BIN to the folder holding pg_ctl and initdb)",
  );
}

for (const note of notes) console.warn(`[test] note: ${note}`);
if (problems.length > 0) {
  for (const problem of problems) console.error(`[test] missing: ${problem}`);
  console.error("[test] install what is missing, then run `npm test` again (docs/testing.md).");
  process.exit(1);
}
