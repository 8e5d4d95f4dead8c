import type { Browser, Page } from "@playwright/test";
import { expect, signUp, test, uniqueName } from "./fixtures";

// Revision history in a real browser, with JavaScript and without (issue 12): every save
// listed, an old version, a word-level comparison readable on a phone, restoring (and
// being refused when someone saved in between), the edit conflict's diff, and deleting.

type Marked = Window & { marker?: string };

/** With JavaScript, a marker on the window survives client-side navigation and is lost on a full load. */
async function markDocument(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await page.evaluate(() => ((window as Marked).marker = "same document"));
}
async function expectSameDocument(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) expect(await page.evaluate(() => (window as Marked).marker)).toBe("same document");
}

async function writePost(page: Page, title: string, text: string) {
  await page.goto("/new");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  return new URL(page.url()).pathname;
}

async function edit(page: Page, postPath: string, text: string) {
  await page.goto(`${postPath}/edit`);
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${postPath}$`));
}

async function secondBrowser(browser: Browser, baseURL: string | undefined, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled });
  return { context, page: await context.newPage() };
}

test("history, an old version, a word-level comparison on a phone, and restoring", async ({ page, browser, baseURL, javaScriptEnabled, consoleErrors }) => {
  const ann = uniqueName("ann");
  const ben = uniqueName("ben");
  const title = `Shopping ${uniqueName("list")}`;
  await signUp(page, ann);
  const postPath = await writePost(page, title, "Buy bread and <b>milk</b>.");

  const other = await secondBrowser(browser, baseURL, javaScriptEnabled);
  await signUp(other.page, ben);
  await edit(other.page, postPath, "Buy rye bread and milk.");
  await other.context.close();

  // Anyone may read the history, from the post.
  const visitor = await secondBrowser(browser, baseURL, javaScriptEnabled);
  const phone = visitor.page;
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(postPath);
  await markDocument(phone, javaScriptEnabled);
  await phone.getByRole("link", { name: "History" }).click();
  await expect(phone.getByRole("heading", { name: `History of “${title}”` })).toBeVisible();
  const entries = phone.getByRole("list", { name: "Versions" }).getByRole("listitem");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText(`Version 2 (current) by ${ben}`);
  await expect(entries.nth(0)).toContainText("+4 / −7 characters");
  await expect(entries.nth(1)).toContainText(`Version 1 by ${ann}`);
  await expect(entries.nth(1)).toContainText("created");
  await expect(entries.nth(0).getByRole("link", { name: ben })).toHaveAttribute("href", `/u/${ben}`);

  // "changes": insertions and deletions where they belong, the markup shown as text.
  await entries.nth(0).getByRole("link", { name: "changes in version 2" }).click();
  await expect(phone.getByRole("heading", { name: `Changes to “${title}”` })).toBeVisible();
  const text = phone.locator(".diff-text");
  await expect(text.locator("ins")).toHaveText(["rye "]);
  await expect(text.locator("del")).toHaveText(["<b>", "</b>"]);
  await expect(text).toHaveText("Buy rye bread and <b>milk</b>.");
  expect(await text.locator("b").count()).toBe(0);
  // Marked by more than colour: underlined and struck through.
  expect(await text.locator("ins").evaluate((element) => getComputedStyle(element).textDecorationLine)).toContain("underline");
  expect(await text.locator("del").first().evaluate((element) => getComputedStyle(element).textDecorationLine)).toContain("line-through");
  // Readable on a 390 px phone: nothing wider than the screen.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectSameDocument(phone, javaScriptEnabled);

  // The old version, marked as such, with the way back to the current one.
  await phone.getByRole("link", { name: "version 1" }).first().click();
  await expect(phone.getByRole("note")).toContainText("Old version. This is version 1 of this post");
  await expect(phone.locator(".post-text")).toHaveText("Buy bread and <b>milk</b>.");
  await expect(phone.getByRole("link", { name: "Log in to restore this version" })).toBeVisible();
  await expectSameDocument(phone, javaScriptEnabled);
  await visitor.context.close();

  // Ann restores it: a new version, credited to her.
  await page.goto(`${postPath}/history/1`);
  await page.getByRole("button", { name: "Restore this version" }).click();
  await expect(page).toHaveURL(new RegExp(`${postPath}$`));
  await expect(page.locator(".post-text")).toHaveText("Buy bread and <b>milk</b>.");
  await expect(page.getByText(`last edited by ${ann}`)).toBeVisible();
  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("list", { name: "Versions" }).getByRole("listitem").first()).toContainText(`Version 3 (current) by ${ann}`);
  await expect(page.getByRole("list", { name: "Versions" }).getByRole("listitem").first()).toContainText("restored version 1");
  expect(consoleErrors).toEqual([]);
});

test("a restore is refused when someone saved since the page was opened, and nothing is lost", async ({ page, browser, baseURL, javaScriptEnabled, consoleErrors }) => {
  const ann = uniqueName("ann");
  const ben = uniqueName("ben");
  await signUp(page, ann);
  const postPath = await writePost(page, `Draft ${uniqueName("post")}`, "First words.");
  await edit(page, postPath, "Second words.");

  // Ann opens version 1; meanwhile Ben saves.
  await page.goto(`${postPath}/history/1`);
  const other = await secondBrowser(browser, baseURL, javaScriptEnabled);
  await signUp(other.page, ben);
  await edit(other.page, postPath, "Ben's words.");
  await other.context.close();

  const refused = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Restore this version" }).click();
  expect((await refused).status()).toBe(409);
  await expect(page.getByRole("alert")).toHaveText(`${ben} saved this post (version 3) since you opened this page, so nothing was restored. Restore again to replace that version too.`);
  await page.goto(postPath);
  await expect(page.locator(".post-text")).toHaveText("Ben's words.");

  // Having seen it, she restores anyway.
  await page.goto(`${postPath}/history/1`);
  await page.getByRole("button", { name: "Restore this version" }).click();
  await expect(page.locator(".post-text")).toHaveText("First words.");
  expect(consoleErrors).toEqual([]);
});

test("an edit conflict shows, word by word, what the other person changed", async ({ page, browser, baseURL, javaScriptEnabled, consoleErrors }) => {
  const ann = uniqueName("ann");
  const ben = uniqueName("ben");
  await signUp(page, ann);
  const postPath = await writePost(page, `Plans ${uniqueName("post")}`, "Meet at noon by the station.");

  const other = await secondBrowser(browser, baseURL, javaScriptEnabled);
  await signUp(other.page, ben);
  await other.page.goto(`${postPath}/edit`);
  await edit(page, postPath, "Meet at one by the old station.");

  await other.page.getByLabel("Text").fill("Meet at noon by the station. Bring maps.");
  await other.page.getByRole("button", { name: "Save" }).click();
  const conflict = other.page.getByRole("region", { name: `The version ${ann} saved` });
  await expect(conflict.locator(".diff-text del")).toHaveText(["noon"]);
  await expect(conflict.locator(".diff-text ins")).toHaveText(["one", " old"]);
  await expect(other.page.getByLabel("Text")).toHaveValue("Meet at noon by the station. Bring maps.");
  await other.context.close();
  expect(consoleErrors).toEqual([]);
});

test("deleting a post deletes its history", async ({ page, consoleErrors }) => {
  const ann = uniqueName("ann");
  await signUp(page, ann);
  const postPath = await writePost(page, `Gone ${uniqueName("post")}`, "Soon deleted.");
  await edit(page, postPath, "Soon deleted, really.");
  await page.getByRole("link", { name: "Delete" }).click();
  await expect(page.getByText("its whole history")).toBeVisible();
  await page.getByRole("button", { name: "Delete post" }).click();
  await expect(page).toHaveURL(/\/$/);
  const response = await page.goto(`${postPath}/history`);
  expect(response?.status()).toBe(404);
  expect(consoleErrors).toEqual([]);
});
