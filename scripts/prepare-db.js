// `npm run dev`: make sure the database exists and is migrated before Vite starts.
import { migrate } from "./migrate.js";

try {
  await migrate();
} catch (error) {
  console.error(`[quill] ${error.message}`);
  process.exit(1);
}
