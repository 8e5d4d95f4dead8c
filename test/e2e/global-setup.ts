import { startApp } from "../support/app-server";
import postgresSetup from "../support/postgres-setup";

export default async function globalSetup() {
  // Under `npm run test:postgres`, a throwaway PostgreSQL server for the app (else nothing).
  const stopPostgres = await postgresSetup();
  const app = await startApp();
  // Workers start after this and inherit the environment.
  process.env.QUILL_E2E_URL = app.url;
  process.env.QUILL_E2E_DATABASE = app.databaseUrl;
  return async () => {
    await app.stop();
    stopPostgres?.();
  };
}
