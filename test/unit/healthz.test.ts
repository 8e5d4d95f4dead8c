import { expect, it, vi } from "vitest";
import { loader } from "~/routes/healthz";
import { breakDatabase } from "../support/database";

// Runs first in this file, before anything opened the database: break it (garbage in the
// SQLite file, or the PostgreSQL database dropped).
it("answers 503 with a JSON reason when the database cannot be read", async () => {
  await breakDatabase(process.env.DATABASE_URL ?? "");
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  const response = await loader();
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: "failed", reason: "The database is not answering." });
  expect(logged).toHaveBeenCalled();
  // Security headers (nosniff...) are the server's, on every response: test/http/security.test.ts.
  expect(response.headers.get("Cache-Control")).toBe("no-store");
});
