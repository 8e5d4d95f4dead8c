import { startApp } from "../support/app-server";

export default async function globalSetup() {
  const app = await startApp();
  // Workers start after this and inherit the environment.
  process.env.QUILL_E2E_URL = app.url;
  process.env.QUILL_E2E_DATABASE = app.databaseFile;
  return () => app.stop();
}
