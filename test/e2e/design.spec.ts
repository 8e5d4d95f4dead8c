import { HttpClient, PASSWORD } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";
import { expect, expectSignedIn, expectSignedOut, test, uniqueName } from "./fixtures";
import { backgroundIsDark, expectWellMade, screens } from "./well-made";

// The finished design, checked the way people meet it: on a phone (390 px) and a laptop
// (1280 px), in light and dark, with JavaScript on and off (the two Playwright projects).
// Every page here must fit the screen (no sideways scrolling), pass axe-core with no
// violations, and log no console errors or CSP violations (the fixture checks those).

// The same page with JavaScript or without (playwright.config.ts: `npm test` runs it once).
const SAME = { tag: "@same-without-js" };

// One author with a long name and a post that has everything; made once for the file (in each
// worker, so the names carry a random part).
const LONG_NAME = `Wolkenstein_${"x".repeat(14)}${Math.random().toString(36).slice(2, 8)}`;
const SHOWCASE = `Everything Markdown can do ${Math.random().toString(36).slice(2, 8)}`;
let showcase = 0;
let longTitle = 0;

test.beforeAll(async () => {
  const client = new HttpClient(process.env.QUILL_E2E_URL!);
  await client.signup(LONG_NAME);
  longTitle = await client.createPost({
    title: `Supercalifragilisticexpialidocious-${"and-on".repeat(12)}`,
    text: `https://example.com/${"very-long-segment/".repeat(12)}end`,
  });
  showcase = await client.createPost({
    title: SHOWCASE,
    text: [
      "A paragraph with **bold**, _italic_, ~~struck~~ and `code`, and a link to [CommonMark](https://commonmark.org).",
      "## A heading",
      "- one\n- two\n  - nested",
      "And tasks:\n\n- [x] done\n- [ ] to do",
      "> A quote that goes on for a while, to see how it wraps at narrow widths.",
      "| Column | Numbers | Notes |\n|:--|--:|:-:|\n| a | 1 | first |\n| b | 22 | second, a little longer |",
      "```\nconst wrapped = 'a line of code that is long enough to need wrapping on a phone screen, surely';\n```",
    ].join("\n\n"),
    image: asBlob(await pngImage(1200, 800, "#4a7c59")),
  });
});

for (const { width, colorScheme } of screens()) {
  test.describe(`${width} px, ${colorScheme}`, () => {
    test.use({ viewport: { width, height: 860 }, colorScheme });

    test("the front page, a post and an author's page, signed out", SAME, async ({ page }) => {
      await page.goto("/");
      await expectSignedOut(page);
      expect(await backgroundIsDark(page)).toBe(colorScheme === "dark");
      await expect(page.getByRole("link", { name: SHOWCASE })).toBeVisible();
      await expectWellMade(page, "front page");

      await page.goto(`/${showcase}`);
      await expect(page.getByRole("heading", { level: 1, name: SHOWCASE })).toBeVisible();
      await expect(page.locator(".prose table")).toBeVisible();
      await expectWellMade(page, "post");

      await page.goto(`/${longTitle}`);
      await expectWellMade(page, "post with a long title and address");

      await page.goto(`/u/${LONG_NAME}`);
      await expect(page.getByRole("heading", { level: 1, name: LONG_NAME })).toBeVisible();
      await expectWellMade(page, "author's page");
    });

    test("the forms with their errors, and the header signed in", async ({ page, javaScriptEnabled }) => {
      // A dozen pages, each checked by axe (twice over without JavaScript): past 60 s on a busy machine.
      test.slow();
      await page.goto("/signup");
      await page.getByLabel("Username").fill("no spaces allowed");
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByLabel("Password again").fill("other");
      await page.getByRole("button", { name: "Sign up" }).click();
      await expect(page.getByText("A password needs at least 8 characters.")).toBeVisible();
      await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
      await expectWellMade(page, "sign-up form with errors");

      await page.goto("/login");
      // A name no account can have: refused at once, without counting against the login limits.
      await page.getByLabel("Username").fill("nobody here");
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.getByRole("alert")).toHaveText("That username and password do not match.");
      await expectWellMade(page, "login form with an error");

      await page.getByLabel("Username").fill(LONG_NAME);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await expectSignedIn(page, LONG_NAME);
      await expectWellMade(page, "front page, signed in with a 32-character name");

      await page.goto("/new");
      await page.getByLabel("Text").fill("Words without a title yet.");
      await page.getByRole("button", { name: "Publish" }).click();
      await expect(page.getByText("A post needs a title.")).toBeVisible();
      await expect(page.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");
      // With JavaScript the schema caught it in the browser; without, the server did.
      expect(new URL(page.url()).pathname).toBe("/new");
      await expect(page.getByLabel("Text")).toHaveValue("Words without a title yet.");
      await expectWellMade(page, "new-post form with an error");

      await page.getByRole("button", { name: "Preview" }).click();
      await expect(page.getByRole("region", { name: "Preview" })).toContainText("Words without a title yet.");
      await expectWellMade(page, "new-post form with a preview");

      await page.goto(`/${showcase}/edit`);
      await expect(page.getByLabel("Title")).toHaveValue(SHOWCASE);
      await expectWellMade(page, "edit form with the current image");

      await page.goto("/settings");
      await expectWellMade(page, "settings");
      await page.goto("/settings/tokens");
      await page.getByLabel("Token name").fill(`token ${uniqueName("t")}`);
      await page.getByRole("button", { name: "Create token" }).click();
      await expect(page.getByLabel("Copy it now: it will not be shown again.")).toBeVisible();
      await expectWellMade(page, "API tokens with a new token");
      if (javaScriptEnabled) expect(await backgroundIsDark(page)).toBe(colorScheme === "dark");
    });

    test("error pages: 404 and 410", SAME, async ({ page }) => {
      const missing = await page.goto("/no/such/page");
      expect(missing?.status()).toBe(404);
      await expect(page).toHaveTitle("Page not found · Quill");
      await expectWellMade(page, "404");

      const client = new HttpClient(process.env.QUILL_E2E_URL!);
      await client.signup(uniqueName("gone"));
      const id = await client.createPost({ title: "Soon gone" });
      await client.post(`/${id}/delete`, {});
      const gone = await page.goto(`/${id}`);
      expect(gone?.status()).toBe(410);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("This post was deleted");
      await expectWellMade(page, "410");
    });
  });
}

test.describe("320 px, the narrowest phone we promise", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test("long titles, addresses and names wrap: no page scrolls sideways", async ({ page }) => {
    const fits = async (what: string) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${what}: horizontal scroll at 320 px`).toBeLessThanOrEqual(0);
    };
    await page.goto("/");
    await fits("front page");
    await page.goto(`/${showcase}`);
    await expect(page.locator(".prose table")).toBeVisible();
    await fits("post with Markdown and an image");
    await page.goto(`/${longTitle}`);
    // The title wraps inside the screen rather than being cut off.
    const title = await page.getByRole("heading", { level: 1 }).boundingBox();
    expect(title!.x + title!.width).toBeLessThanOrEqual(320);
    expect(title!.height).toBeGreaterThan(60);
    await fits("post with a long title and address");
    await page.goto(`/u/${LONG_NAME}`);
    await fits("author's page with a 32-character name");

    await page.goto("/login");
    await page.getByLabel("Username").fill(LONG_NAME);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expectSignedIn(page, LONG_NAME);
    await fits("header signed in with a 32-character name");
    await page.goto("/new");
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByText("A post needs a title.")).toBeVisible();
    await fits("new-post form with an error");
    await page.goto(`/${showcase}/edit`);
    await fits("edit form");
    await page.goto("/settings/tokens");
    await fits("API tokens");
  });
});

test("the theme switch: light, dark, the system's, remembered without a flash of the wrong colours", async ({ page, javaScriptEnabled }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/");
  const html = page.locator("html");
  await expect(html).not.toHaveClass(/dark|light/);
  const switchButton = page.getByRole("button", { name: /^Colour theme/ });
  await expect(switchButton).toHaveAccessibleName("Colour theme: the system's. Switch to light.");
  // The cookie is stored once the switch's POST is answered (with JavaScript it is a fetcher's).
  const switched = () => page.waitForResponse((response) => new URL(response.url()).pathname.startsWith("/theme") && response.request().method() === "POST");
  let answered = switched();
  await switchButton.click();
  await answered;
  await expect(html).toHaveClass("light");
  answered = switched();
  await page.getByRole("button", { name: /^Colour theme/ }).click();
  await answered;
  await expect(html).toHaveClass("dark");
  expect(await backgroundIsDark(page)).toBe(true);
  // A fresh load is dark from the server's first byte (the class is in the HTML).
  const response = await page.request.get("/");
  expect(await response.text()).toMatch(/^<!DOCTYPE html><html lang="en" class="dark">/);
  await page.reload();
  await expect(html).toHaveClass("dark");
  await page.getByRole("button", { name: /^Colour theme/ }).click();
  await expect(html).not.toHaveClass(/dark|light/);
  expect(await backgroundIsDark(page)).toBe(false);
  if (!javaScriptEnabled) expect(new URL(page.url()).pathname).toBe("/");
});
