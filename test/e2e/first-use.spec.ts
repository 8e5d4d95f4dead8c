import type { Locator, Page } from "@playwright/test";
import { HttpClient, PASSWORD } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";
import { account, expect, expectSignedIn, expectSignedOut, logIn, logOut, openAccountMenu, test, uniqueName } from "./fixtures";
import { backgroundIsDark, expectWellMade, screens } from "./well-made";

// What a new user tripped over (issue 20), each point at 390 and 1280 px, light and dark,
// with JavaScript on and off (the two Playwright projects; see screens()). Tests tagged @same-without-js
// check pages the server draws alone: `npm test` runs them with JavaScript only, CI in both.

const SAME = { tag: "@same-without-js" };
// A name of the longest allowed length, 32 characters.
const LONG_NAME = `Wolkenstein_${"x".repeat(14)}${Math.random().toString(36).slice(2, 8).padEnd(6, "0")}`;
let post = 0;

test.beforeAll(async () => {
  const client = new HttpClient(process.env.QUILL_E2E_URL!);
  await client.signup(LONG_NAME);
  post = await client.createPost({
    title: "Weekend plans",
    text: "## Saturday\n\nWake up **early** and walk to the lake.\n\n| Day | Plan |\n|--|--|\n| Sat | Lake |\n| Sun | Rest |",
    image: asBlob(await pngImage(900, 500, "#7a9e7e")),
  });
  const edit = new FormData();
  edit.set("title", "Weekend plans, revised");
  edit.set("text", "## Saturday\n\nWake up _late_ and walk to the lake, then swim.\n\n| Day | Plan |\n|--|--|\n| Sat | Lake |\n| Sun | Market |");
  expect((await client.post(`/${post}/edit`, edit)).status).toBe(302);
});

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`not visible: ${locator}`);
  return found;
}

async function logInFromHeader(page: Page, username: string) {
  await account(page).getByRole("link", { name: "Log in" }).click();
  await logIn(page, username);
}

for (const { width, colorScheme } of screens()) {
  test.describe(`${width} px, ${colorScheme}`, () => {
    test.use({ viewport: { width, height: 860 }, colorScheme });

    test("1. an old version reads as the post did: Markdown rendered, the post's layout, marked old", SAME, async ({ page }) => {
      await page.goto(`/${post}/history/1`);
      await expect(page.getByRole("note")).toContainText("Old version.");
      await expect(page.getByRole("heading", { level: 1, name: "Weekend plans" })).toBeVisible();
      const text = page.locator(".post-text");
      await expect(text.getByRole("heading", { level: 2, name: "Saturday" })).toBeVisible();
      await expect(text.locator("strong")).toHaveText("early");
      await expect(text.locator("table")).toBeVisible();
      await expect(text).not.toContainText("## Saturday");
      await expect(text).not.toContainText("**");
      // The post page's spacing: a gap between byline and image, and between image and text.
      const byline = await box(page.locator(".byline"));
      const image = await box(page.locator(".post-image"));
      const body = await box(text);
      expect(image.y - (byline.y + byline.height)).toBeGreaterThanOrEqual(16);
      expect(body.y - (image.y + image.height)).toBeGreaterThanOrEqual(16);
      // One column: the note, the title, the text and the links start at the same left edge.
      const left = (await box(page.getByRole("heading", { level: 1 }))).x;
      for (const part of [page.getByRole("note"), text, page.getByRole("navigation", { name: "Version actions" }).getByRole("link", { name: "History" })]) {
        expect(Math.abs((await box(part)).x - left), `${part} in the column`).toBeLessThanOrEqual(1);
      }
      await expectWellMade(page, "old version");
    });

    test("3. the header stays one row with a 32-character name, and its menu works", async ({ page }) => {
      await page.goto("/login");
      await logIn(page, LONG_NAME);
      await page.goto(`/${post}/compare?from=1&to=2`);
      const header = await box(page.locator(".site-header"));
      expect(header.height, "header height").toBeLessThanOrEqual(64);
      // Everything in it sits on one line.
      const tops = await page.locator(".site-header-inner > *, .account > :visible").evaluateAll((elements) =>
        elements.map((element) => element.getBoundingClientRect()).map((rect) => rect.top + rect.height / 2),
      );
      expect(Math.max(...tops) - Math.min(...tops), "one row").toBeLessThanOrEqual(6);
      await expectWellMade(page, "header with a long name");
      if (width < 640) {
        await openAccountMenu(page);
        await expect(account(page).getByRole("link", { name: LONG_NAME, exact: true })).toBeVisible();
        await expect(account(page).getByRole("link", { name: "Settings" })).toBeVisible();
        await expectWellMade(page, "header menu, open");
      } else {
        // Cut short, with the whole name as its tooltip.
        await expect(account(page).getByRole("link", { name: LONG_NAME, exact: true })).toHaveAttribute("title", new RegExp(LONG_NAME));
      }
      await logOut(page);
    });

    test("4. insertions and deletions are readable in the page's colours (WCAG AA, axe)", SAME, async ({ page }) => {
      await page.goto(`/${post}/compare?from=1&to=2`);
      const ins = page.locator(".diff-text ins").first();
      await expect(ins).toBeVisible();
      const luminance = (locator: Locator) =>
        locator.evaluate((element) => {
          const [r, g, b] = (getComputedStyle(element).backgroundColor.match(/\d+/g) ?? []).map(Number);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        });
      for (const mark of [ins, page.locator(".diff-text del").first()]) {
        // Dark marks on a dark page, light ones on a light page.
        if (colorScheme === "dark") expect(await luminance(mark)).toBeLessThan(100);
        else expect(await luminance(mark)).toBeGreaterThan(150);
      }
      expect(await backgroundIsDark(page)).toBe(colorScheme === "dark");
      await expectWellMade(page, "compare");
      await page.goto(`/${post}/history`);
      await expectWellMade(page, "history");
    });

    test("6. the layout details: compare labels, the new token, the image before its description, serif headings", async ({ page }) => {
      // "Compare version" and "with version" each on one line, as tall as each other.
      await page.goto(`/${post}/compare?from=1&to=2`);
      const from = await box(page.getByText("Compare version", { exact: true }));
      const to = await box(page.getByText("with version", { exact: true }));
      expect(from.height).toBeLessThan(30);
      expect(to.height).toBe(from.height);
      // Headings in a post are in the text's serif.
      await page.goto(`/${post}`);
      const fonts = await page.locator(".prose").evaluate((prose) => [prose.querySelector("h2"), prose.querySelector("p")].map((element) => getComputedStyle(element!).fontFamily));
      expect(fonts[0]).toBe(fonts[1]);

      await page.goto("/login");
      await logIn(page, LONG_NAME);
      // The image first, then what it shows.
      await page.goto("/new");
      const chooser = await box(page.getByLabel("Choose an image"));
      const description = await box(page.getByLabel("Image description"));
      expect(chooser.y).toBeLessThan(description.y);
      await expectWellMade(page, "new-post form");
      // The whole token is visible in its box on a laptop.
      await page.goto("/settings/tokens");
      await page.getByLabel("Token name").fill(uniqueName("token"));
      await page.getByRole("button", { name: "Create token" }).click();
      const token = page.getByLabel("Copy it now: it will not be shown again.");
      await expect(token).toHaveValue(/^quill_.{43}$/);
      if (width >= 1280) expect(await token.evaluate((input: HTMLInputElement) => input.scrollWidth - input.clientWidth)).toBeLessThanOrEqual(0);
      await expectWellMade(page, "new token");
      await logOut(page);
    });
  });
}

test.describe("phones from 320 px", () => {
  for (const width of [320, 360]) {
    test(`${width} px: the header stays one row with a 32-character name`, async ({ page }) => {
      await page.setViewportSize({ width, height: 640 });
      await page.goto("/login");
      await logIn(page, LONG_NAME);
      expect((await box(page.locator(".site-header"))).height).toBeLessThanOrEqual(64);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await openAccountMenu(page);
      const menu = await box(page.locator(".account-menu-items"));
      expect(menu.x).toBeGreaterThanOrEqual(0);
      expect(menu.x + menu.width).toBeLessThanOrEqual(width);
      await logOut(page);
    });
  }
});

test.describe("titles", () => {
  test.use({ viewport: { width: 390, height: 860 } });

  test("2. a title past 200 characters is refused with the API's message, never cut short", async ({ page, javaScriptEnabled }) => {
    await page.goto("/login");
    await logIn(page, LONG_NAME);
    await page.goto("/new");
    const title = page.getByLabel("Title");
    if (javaScriptEnabled) {
      // The count appears near the limit.
      await title.fill("a".repeat(150));
      await expect(page.locator("#title-count")).toBeHidden();
      await title.fill("a".repeat(190));
      await expect(page.locator("#title-count")).toHaveText("10 characters left");
    }
    // Pasting 300 characters keeps all 300 (maxlength would keep 200 without a word).
    await title.fill("b".repeat(300));
    await expect(title).toHaveValue("b".repeat(300));
    if (javaScriptEnabled) await expect(page.locator("#title-count")).toHaveText("100 characters too many (at most 200)");
    await page.getByLabel("Text").fill("Words.");
    await page.getByRole("button", { name: "Publish" }).click();
    // The API's words (one schema, app/utils/post-schema.ts; test/http/api.test.ts), from the browser or the server.
    await expect(page.getByText("The title can have at most 200 characters (it has 300).")).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/new");
    await expect(title).toHaveValue("b".repeat(300));
    await expect(title).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#title-count")).toContainText("100 characters too many");
    await expectWellMade(page, "title too long");
  });
});

test.describe("5. logging in and out", () => {
  for (const width of [390, 1280]) {
    test(`${width} px: log out and log in return to the page, sign-up says welcome`, async ({ page }) => {
      await page.setViewportSize({ width, height: 860 });
      const name = uniqueName("newcomer");
      await page.goto(`/${post}/compare?from=1&to=2`);
      await account(page).getByRole("link", { name: "Sign up" }).click();
      await page.getByLabel("Username").fill(name);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Password again").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign up" }).click();
      await expect(page.getByRole("status")).toContainText(`Welcome to Quill, ${name}!`);
      await expectSignedIn(page, name);

      await page.goto(`/${post}/compare?from=1&to=2`);
      await logOut(page);
      expect(page.url()).toMatch(new RegExp(`/${post}/compare\\?from=1&to=2$`));
      await logInFromHeader(page, name);
      expect(page.url()).toMatch(new RegExp(`/${post}/compare\\?from=1&to=2$`));
      // From a page only a signed-in user can see: to the front page.
      await page.goto("/settings");
      await logOut(page);
      expect(new URL(page.url()).pathname).toBe("/");
      await expectSignedOut(page);
    });
  }

  test("a notice on a post sits in the text's column, its close button inside", async ({ page, javaScriptEnabled }) => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 860 });
      await page.goto("/login");
      await logIn(page, LONG_NAME);
      await page.goto("/new");
      await page.getByLabel("Title").fill(uniqueName("Notice"));
      await page.getByLabel("Text").fill("A line of text.");
      await page.getByRole("button", { name: "Publish" }).click();
      const notice = page.locator(".notice");
      await expect(notice).toContainText("Published");
      const bar = await box(notice);
      const column = await box(page.locator(".prose"));
      expect(Math.abs(bar.x - column.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(bar.x + bar.width - (column.x + column.width))).toBeLessThanOrEqual(1);
      if (javaScriptEnabled) {
        const close = await box(page.getByRole("button", { name: "Dismiss" }));
        expect(close.x).toBeGreaterThanOrEqual(bar.x);
        expect(close.x + close.width).toBeLessThanOrEqual(bar.x + bar.width);
      }
      await logOut(page);
    }
  });
});
