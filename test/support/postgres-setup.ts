import { POSTGRES_TEMPLATE, migrateDatabase, onPostgres } from "./database";
import { createDatabase, startPostgres } from "./postgres";

/**
 * Global setup of a test run on PostgreSQL (`npm run test:postgres`, QUILL_TEST_DATABASE=postgresql):
 * one throwaway server for the whole run, and a migrated template database that each unit
 * test file copies. Test workers start after this, and find the server in the environment.
 * On SQLite it does nothing.
 */
export default async function setup() {
  if (!onPostgres) return;
  const cluster = await startPostgres();
  migrateDatabase(await createDatabase(cluster.url(), POSTGRES_TEMPLATE));
  process.env.QUILL_TEST_POSTGRES_URL = cluster.url();
  // Production on PostgreSQL refuses to start without it (scripts/start.js); app servers
  // started without their own share this one, as the machines of one deployment would.
  process.env.SESSION_SECRET ??= "quill-test-run-secret";
  return () => cluster.stop();
}
