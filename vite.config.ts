import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

export default defineConfig({
  plugins: [remix(remixConfig), tsconfigPaths()],
  server: {
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? "localhost",
    // Compiled while the server starts, not when the first page asks for them.
    warmup: { clientFiles: ["./app/entry.client.tsx", "./app/root.tsx", "./app/routes/_index.tsx"], ssrFiles: ["./app/entry.server.tsx", "./app/root.tsx", "./app/routes/_index.tsx"] },
  },
  optimizeDeps: {
    // The dev server's dependency scan follows server-only modules into argon2's browser
    // entry, which needs a WebAssembly package nobody installs: leave it out of the scan.
    exclude: ["@node-rs/argon2"],
    // What the scan misses, found only when the first page's modules are compiled: Vite then
    // bundles them, reloads the page and the first page took 8 s here; listed, it takes 2.
    include: ["@remix-run/node", "cookie", "better-sqlite3", "pg", "markdown-it", "diff"],
  },
  build: {
    rollupOptions: {
      // sharp, argon2 and better-sqlite3 are native: load them from node_modules at run time.
      external: ["sharp", "@node-rs/argon2", "better-sqlite3"],
      onwarn(warning, warn) {
        // Not ours, and nothing to act on: zod's sources carry /* @__PURE__ */ comments where
        // Rollup cannot use them (it drops them), and the browser build of a route with no
        // component (a resource route such as /feed.xml) is an empty chunk by design.
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("/node_modules/")) return;
        if (warning.code === "EMPTY_BUNDLE") return;
        warn(warning);
      },
    },
  },
});
