import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

export default defineConfig({
  plugins: [remix(remixConfig), tsconfigPaths()],
  server: { port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? "localhost" },
  // The dev server's dependency scan follows server-only modules into argon2's browser
  // entry, which needs a WebAssembly package nobody installs: leave it out of the scan.
  optimizeDeps: { exclude: ["@node-rs/argon2"] },
  build: {
    // sharp, argon2 and better-sqlite3 are native: load them from node_modules at run time.
    rollupOptions: { external: ["sharp", "@node-rs/argon2", "better-sqlite3"] },
  },
});
