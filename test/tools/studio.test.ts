import { spawn } from "node:child_process";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../support/app-server";
import { createTestDatabase, withTestDatabase } from "../support/database";

// `npm run studio` must keep working: it starts, lists rows and saves an edit.
let stop = () => {};
let browser: Browser | undefined;
let url = "";
let databaseUrl = "";

beforeAll(async () => {
  // SQLite, or PostgreSQL under `npm run test:postgres`.
  databaseUrl = await createTestDatabase();
  await withTestDatabase(databaseUrl, async (db) => {
    await db.user.create({ data: { username: "studio_user", usernameKey: "studio_user", passwordHash: "x" } });
    await db.post.create({ data: { title: "Seen in Studio", text: "hello", ownerId: 1, editorId: 1 } });
  });

  const port = await freePort();
  url = `http://localhost:${port}`;
  const child = spawn(process.execPath, [path.resolve("scripts", "studio.js")], {
    env: { ...process.env, DATABASE_URL: databaseUrl, STUDIO_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  stop = () => child.kill("SIGTERM");
  const deadline = Date.now() + 60_000;
  while (!(await fetch(url).then((response) => response.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Studio did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  stop();
});

it("lists the posts and saves an edit to the database", async () => {
  const page = await browser!.newPage({ viewport: { width: 1300, height: 800 } });
  await page.goto(url);
  await page.getByText("Post", { exact: true }).first().click();
  const cell = page.getByText("Seen in Studio", { exact: true });
  await cell.waitFor();

  await cell.dblclick();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("Edited in Studio");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: /^Save 1 row/ }).click();
  await page.getByRole("button", { name: "yes, write to db" }).click();
  const title = () =>
    withTestDatabase(databaseUrl, async (db) => (await db.post.findUnique({ where: { id: 1 }, select: { title: true } }))?.title);
  await expect.poll(title, { timeout: 10_000 }).toBe("Edited in Studio");
}, 60_000);
