import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { PASSWORD } from "../support/http-client";

export { expect };
export { PASSWORD };

type Fixtures = {
  /** Console errors and CSP violations the page reported; every test ends with none. */
  consoleErrors: string[];
};

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    const url = process.env.QUILL_E2E_URL;
    if (!url) throw new Error("QUILL_E2E_URL is not set: run through playwright.config.ts");
    await use(url);
  },
  consoleErrors: [
    async ({ page }, use) => {
      await reportCspViolations(page.context());
      const errors = collectErrors(page);
      await use(errors);
      expect(errors, "console errors and CSP violations").toEqual([]);
    },
    { auto: true },
  ],
});

/** Content-Security-Policy violations become console errors, which the tests collect. */
export async function reportCspViolations(context: BrowserContext) {
  // Init scripts come from the browser's debugging protocol, so the page's CSP does not apply to them.
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`),
    ),
  );
}

/** Console errors and uncaught exceptions of a page. */
export function collectErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (message) => {
    // A 4xx page load is reported as a console error by Chromium; that is expected here.
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

export function uniqueName(prefix: string) {
  return `${prefix}_${randomBytes(3).toString("hex")}`;
}

/** The header's account links: the signed-in user's name, or "Log in" and "Sign up". */
export function account(page: Page) {
  return page.getByRole("navigation", { name: "Account" });
}

/** Phones (up to 40rem) show the account's links in a menu (app/components/site-header.tsx). */
function hasAccountMenu(page: Page) {
  return (page.viewportSize()?.width ?? 1280) <= 640;
}

/** The header's account menu on a phone, opened (a <details>: it opens without JavaScript too). */
export async function openAccountMenu(page: Page) {
  const menu = account(page).locator("details.account-menu");
  if (!(await menu.evaluate((details: HTMLDetailsElement) => details.open))) await menu.locator("summary").click();
  await expect(menu).toHaveAttribute("open", "");
}

export async function expectSignedIn(page: Page, username: string) {
  if (hasAccountMenu(page)) {
    await expect(account(page).locator("summary")).toContainText(username);
    await openAccountMenu(page);
  }
  await expect(account(page).getByRole("link", { name: username, exact: true })).toBeVisible();
  await expect(account(page).getByRole("button", { name: "Log out" })).toBeVisible();
  if (hasAccountMenu(page)) await account(page).locator("summary").click();
}

export async function expectSignedOut(page: Page) {
  await expect(account(page).getByRole("link", { name: "Log in", exact: true })).toBeVisible();
  await expect(account(page).getByRole("link", { name: "Sign up", exact: true })).toBeVisible();
  await expect(account(page).getByRole("button", { name: "Log out" })).toHaveCount(0);
}

export async function signUp(page: Page, username: string) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expectSignedIn(page, username);
}

export async function logIn(page: Page, username: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expectSignedIn(page, username);
}

export async function logOut(page: Page) {
  if (hasAccountMenu(page)) await openAccountMenu(page);
  await account(page).getByRole("button", { name: "Log out" }).click();
  await expectSignedOut(page);
}
