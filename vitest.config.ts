import path from "node:path";
import { defineConfig } from "vitest/config";

// Separate from vite.config.ts: the Remix plugin is for building the app, not for tests.

const SLOW = ["test/http/busy-database.test.ts", "test/http/rate-limits.test.ts", "test/http/remix-serve.test.ts"];

export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "app") } },
  test: {
    // Under `npm run test:postgres`: one throwaway PostgreSQL server for the run (else nothing).
    globalSetup: ["test/support/postgres-setup.ts"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], setupFiles: ["test/unit/setup.ts"] },
      },
      {
        extends: true,
        // Real HTTP against the production build (run `npm run build` first).
        test: { name: "http", include: ["test/http/**/*.test.ts"], exclude: SLOW, testTimeout: 30_000, hookTimeout: 90_000 },
      },
      {
        extends: true,
        // The slowest HTTP suites (a locked database waits out its timeouts, rate limits wait
        // out their windows, a second server under plain remix-serve), run by `npm run
        // test:slow` with the tools and by CI (.ci/run), not by `npm test`.
        test: { name: "slow", include: SLOW, testTimeout: 30_000, hookTimeout: 90_000 },
      },
      {
        extends: true,
        // Concurrency and crash safety against the production build: slow, so run on their
        // own with `npm run test:reliability` (after `npm run build`).
        test: { name: "reliability", include: ["test/reliability/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        // Two app servers on one PostgreSQL database (`npm run test:postgres`; needs a build).
        test: { name: "postgres", include: ["test/postgres/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        // Developer tools: Prisma Studio driven in Debian's Chromium, `npm run dev`, and the
        // schema drift check, which needs PostgreSQL (`npm run test:slow`, CI).
        test: { name: "tools", include: ["test/tools/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 90_000 },
      },
    ],
  },
});
