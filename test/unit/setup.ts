import { createTestDatabase } from "../support/database";

// Each test file gets its own real, migrated database (SQLite, or PostgreSQL under
// `npm run test:postgres`); db.server.ts reads DATABASE_URL when it is first imported,
// which happens after this file runs.
process.env.DATABASE_URL = await createTestDatabase();
process.env.SESSION_SECRET ??= "unit-test-secret";
