// `npm run screenshots`: starts the production build on a fresh database with the demo
// content (prisma/seed.ts, plus a few posts made here), and saves screenshots of the main
// pages at 390 and 1280 px wide, light and dark, with JavaScript on and off, into
// screenshots/ (git-ignored). Look at them before changing how pages look, and after.
//
//   npm run screenshots                  all pages, every combination
//   npm run screenshots -- --only post   pages whose name contains "post" (or "post,header": either)
//   npm run screenshots -- --build       rebuild first (otherwise only when build/ is missing)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { startApp, type RunningApp } from "../test/support/app-server";
import { HttpClient, PASSWORD } from "../test/support/http-client";
import { pngImage } from "../test/support/images";
import { asBlob } from "../test/support/images";

const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "screenshots");
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const DEMO_PASSWORD = "quill-demo-1";

/** `signedIn`: as alice, or as "long", the user with a 31-character name. */
type Shot = { name: string; path: string; signedIn?: boolean | "long"; prepare?: (page: Page) => Promise<void> };

async function main() {
  if (args.includes("--build") || !fs.existsSync(path.join(root, "build", "server", "index.js"))) {
    const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("build failed");
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const app = await startApp({ env: { COOKIE_SECURE: "false" } });
  let browser: Browser | undefined;
  try {
    const ids = await content(app);

    const shots: Shot[] = ([
      { name: "front", path: "/" },
      { name: "front-signed-in", path: "/", signedIn: true },
      { name: "front-page-2", path: ids.page2 },
      { name: "post-markdown", path: `/${ids.markdown}` },
      { name: "post-plain", path: `/${ids.plain}` },
      { name: "post-long-title", path: `/${ids.longTitle}`, signedIn: true },
      { name: "author", path: "/u/alice" },
      { name: "author-long-name", path: `/u/${ids.longName}` },
      { name: "new-post-errors", path: "/new", signedIn: true, prepare: submitEmptyPost },
      { name: "new-post-preview", path: "/new", signedIn: true, prepare: previewPost },
      { name: "edit-post", path: `/${ids.markdown}/edit`, signedIn: true },
      { name: "login-errors", path: "/login", prepare: wrongLogin },
      { name: "signup-errors", path: "/signup", prepare: badSignup },
      { name: "settings", path: "/settings", signedIn: true },
      { name: "tokens-confirm", path: "/settings/tokens", signedIn: true, prepare: confirmRevoke },
      { name: "not-found", path: "/no/such/page" },
      { name: "deleted-410", path: `/${ids.deleted}` },
      { name: "forbidden-403", path: `/${ids.markdown}/delete`, signedIn: true },
      { name: "old-version", path: `/${ids.versioned}/history/1` },
      { name: "history", path: `/${ids.versioned}/history` },
      { name: "compare", path: `/${ids.versioned}/compare?from=1&to=2` },
      { name: "header-long-name", path: `/${ids.versioned}/compare?from=1&to=2`, signedIn: "long" as const },
      { name: "header-menu-open", path: "/", signedIn: "long" as const, prepare: openAccountMenu },
      { name: "new-post-long-title", path: "/new", signedIn: true, prepare: longTitle },
      { name: "post-notice", path: "/new", signedIn: true, prepare: publish },
      { name: "tokens-new", path: "/settings/tokens", signedIn: true, prepare: newToken },
    ] satisfies Shot[]).filter((shot) => !only || only.split(",").some((part) => shot.name.includes(part)));

    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    let count = 0;
    for (const javaScriptEnabled of [true, false]) {
      for (const colorScheme of ["light", "dark"] as const) {
        for (const width of [390, 1280]) {
          const context = await browser.newContext({
            baseURL: app.url,
            javaScriptEnabled,
            colorScheme,
            viewport: { width, height: width < 600 ? 844 : 900 },
            deviceScaleFactor: 1,
            timezoneId: "Europe/Paris",
          });
          // Dates in the reader's zone need the hint cookie; without JavaScript nothing sets it.
          await context.addCookies([{ name: "quill_tz", value: encodeURIComponent("Europe/Paris"), url: app.url }]);
          const signedIn = await signedInContext(browser, app, "alice", { javaScriptEnabled, colorScheme, width });
          const signedInLong = await signedInContext(browser, app, ids.longName, { javaScriptEnabled, colorScheme, width });
          for (const shot of shots) {
            const page = await (shot.signedIn === "long" ? signedInLong : shot.signedIn ? signedIn : context).newPage();
            await page.goto(shot.path);
            if (shot.prepare) await shot.prepare(page);
            const file = `${shot.name}-${width}-${colorScheme}-${javaScriptEnabled ? "js" : "nojs"}.png`;
            await page.screenshot({ path: path.join(outDir, file), fullPage: true });
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            if (overflow > 0) console.warn(`  ! ${file}: ${overflow} px of horizontal scroll`);
            await page.close();
            count++;
          }
          await signedIn.close();
          await signedInLong.close();
          await context.close();
        }
      }
    }
    console.log(`${count} screenshots in ${path.relative(process.cwd(), outDir)}/`);
  } finally {
    await browser?.close();
    await app.stop();
    fs.rmSync(app.dataDir, { recursive: true, force: true });
  }
}

async function signedInContext(browser: Browser, app: RunningApp, username: string, { javaScriptEnabled, colorScheme, width }: { javaScriptEnabled: boolean; colorScheme: "light" | "dark"; width: number }): Promise<BrowserContext> {
  const client = new HttpClient(app.url);
  await client.login(username, username === "alice" ? DEMO_PASSWORD : PASSWORD);
  const context = await browser.newContext({ baseURL: app.url, javaScriptEnabled, colorScheme, viewport: { width, height: width < 600 ? 844 : 900 }, timezoneId: "Europe/Paris" });
  const [name, value] = (client.cookie ?? "").split("=");
  await context.addCookies([
    { name, value, url: app.url },
    { name: "quill_tz", value: encodeURIComponent("Europe/Paris"), url: app.url },
  ]);
  return context;
}

/**
 * Older notes first (enough for a second page), then the demo seed on top, then what it
 * lacks: a long title and a long name, and a deleted post.
 */
async function content(app: RunningApp) {
  const longName = "Maximiliana_Wolkenstein-Oberhof";
  const carol = new HttpClient(app.url);
  await carol.signup(longName);
  for (let n = 1; n <= 21; n++) await carol.createPost({ title: `Field note ${n}`, text: `Short note number ${n}: the tide was ${n % 2 ? "high" : "low"} today.` });
  const seeded = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), ["prisma/seed.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: `file:${app.databaseFile}` },
  });
  if (seeded.status !== 0) throw new Error("seeding failed");
  const longTitle = await carol.createPost({
    title: "Antidisestablishmentarianism-and-other-unreasonably-long-words-that-never-break-on-their-own",
    text: "A post whose title has no spaces for a long stretch, and a link that goes on and on: https://example.com/this/is/a/very/long/path/that/would/otherwise/push/the/page/wider/than/the/phone",
    image: asBlob(await pngImage(1200, 700, "#5d8aa8")),
  });
  const deleted = await carol.createPost({ title: "A post that will be deleted", text: "Gone soon." });
  // Two versions with Markdown and an image: an old version, its history and a comparison.
  const versioned = await carol.createPost({
    title: "Weekend plans",
    text: "## Saturday\n\nWake up **early** and walk to the lake.\n\n| Day | Plan |\n|--|--|\n| Sat | Lake |\n| Sun | Rest |",
    image: asBlob(await pngImage(1200, 700, "#7a9e7e")),
  });
  const second = new FormData();
  second.set("title", "Weekend plans, revised");
  second.set("text", "## Saturday\n\nWake up _late_ and walk to the lake, then swim.\n\n| Day | Plan |\n|--|--|\n| Sat | Lake |\n| Sun | Market |");
  await carol.post(`/${versioned}/edit`, second);
  await carol.post(`/${deleted}/delete`, {});
  // Bob edits Alice's harbour post, so its byline names two people.
  const posts = ((await (await fetch(`${app.url}/api?limit=200`)).json()) as { data: { id: number; title: string }[] }).data;
  const id = (title: string) => posts.find((post) => post.title === title)?.id ?? 1;
  const bob = new HttpClient(app.url);
  await bob.login("bob", DEMO_PASSWORD);
  const harbour = id("Morning at the harbour");
  const edit = new FormData();
  edit.set("title", "Morning at the harbour");
  edit.set("text", "The boats went out before six.\n\nBy seven the fog had lifted and the whole bay was gold. *(Bob: and the gulls were loud.)*");
  edit.set("imageAlt", "Green hills under a pale blue sky, with a low orange sun");
  await bob.post(`/${harbour}/edit`, edit);
  const front = await (await fetch(`${app.url}/`)).text();
  const page2 = /href="(\/\?cursor=[^"]+)"/.exec(front)?.[1]?.replace(/&amp;/g, "&") ?? "/";
  return { longName, longTitle, deleted, versioned, markdown: id("How I write these notes, in Markdown"), plain: id("Reading list"), page2 };
}

async function submitEmptyPost(page: Page) {
  await page.getByLabel("Title").fill("");
  await page.getByLabel("Text").fill("Some words without a title.");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByText("A post needs a title.").first().waitFor();
}

async function previewPost(page: Page) {
  await page.getByLabel("Title").fill("A draft");
  await page.getByLabel("Text").fill("Hello **world**.\n\n- one\n- two\n\n> A quote.");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("heading", { name: "Preview" }).waitFor();
  await page.locator(".preview strong").waitFor();
}

async function wrongLogin(page: Page) {
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("That username and password do not match.").waitFor();
}

async function badSignup(page: Page) {
  await page.getByLabel("Username").fill("no spaces allowed");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Password again").fill("shorter");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByText("A password needs at least 8 characters.").first().waitFor();
}

async function openAccountMenu(page: Page) {
  const summary = page.locator(".account-menu summary");
  if (await summary.isVisible()) await summary.click();
}

async function longTitle(page: Page) {
  await page.getByLabel("Title").fill("A title that goes on ".repeat(10).trim());
  await page.getByLabel("Text").fill("Words.");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByText(/The title can have at most 200 characters/).first().waitFor();
}

async function publish(page: Page) {
  await page.getByLabel("Title").fill(`A short note ${Math.random().toString(36).slice(2, 6)}`);
  await page.getByLabel("Text").fill("Published to see the notice.");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("status").waitFor();
}

async function newToken(page: Page) {
  await page.getByLabel("Token name").fill("laptop");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByText("Copy it now").waitFor();
}

async function confirmRevoke(page: Page) {
  await page.getByLabel("Token name").fill("backup script");
  await page.getByRole("button", { name: "Create token" }).click();
  await page.getByText("Copy it now").waitFor();
  await page.getByRole("link", { name: /^Revoke backup script/ }).first().click();
  await page.getByRole("heading", { name: /^Revoke “backup script”/ }).waitFor();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
