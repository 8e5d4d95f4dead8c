import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot work on this network.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "test/e2e",
  // Starts the production build on a free loopback port with a fresh database.
  globalSetup: "./test/e2e/global-setup.ts",
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
  },
  projects: [
    { name: "javascript", use: { javaScriptEnabled: true } },
    // Tests tagged @same-without-js check what the server draws alone (layout, colours, axe):
    // the same page either way, so `npm test` runs them once, with JavaScript. CI runs every
    // test both ways and at every screen size and colour scheme (QUILL_E2E_ALL=1, .ci/run).
    { name: "no-javascript", use: { javaScriptEnabled: false }, grepInvert: process.env.QUILL_E2E_ALL ? undefined : /@same-without-js/ },
  ],
});
