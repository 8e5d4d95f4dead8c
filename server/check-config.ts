// `node build/http/check-config.js`, run by `npm start` before anything else: the settings as
// JSON on stdout, or the one line that says which variable is wrong, and exit code 1.
import { ConfigError, parseEnv } from "./config.js";

try {
  console.log(JSON.stringify(parseEnv(process.env)));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[quill] ${error.message}`);
  process.exit(1);
}
