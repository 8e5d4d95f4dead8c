import fs from "node:fs";
import { expect, it, vi } from "vitest";
import { loader } from "~/routes/healthz";

// Runs first in this file, before anything opened the database: break the file.
it("answers 503 with a JSON reason when the database cannot be read", async () => {
  const databaseFile = (process.env.DATABASE_URL ?? "").replace(/^file:/, "");
  fs.writeFileSync(databaseFile, "this is not a SQLite database, whatever its name says".repeat(100));
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  const response = await loader();
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: "failed", reason: "The database is not answering." });
  expect(logged).toHaveBeenCalled();
  // Security headers (nosniff...) are the server's, on every response: test/http/security.test.ts.
  expect(response.headers.get("Cache-Control")).toBe("no-store");
});
