import { createMigratedDatabase } from "../support/database";

// Each test file gets its own real SQLite database; db.server.ts reads DATABASE_URL when
// it is first imported, which happens after this file runs.
process.env.DATABASE_URL = `file:${createMigratedDatabase()}`;
process.env.SESSION_SECRET ??= "unit-test-secret";
