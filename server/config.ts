// The server's settings are the app's: one zod schema for every environment variable
// (app/utils/env.server.ts), checked by `npm start`'s primary before any worker starts.
export { ConfigError, parseEnv, type Env } from "../app/utils/env.server";
