import { test as base, expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { PASSWORD } from "../support/http-client";

export { expect };
export { PASSWORD };

type Fixtures = {
  /** Console errors and CSP violations the page reported; checked after each test. */
  consoleErrors: string[];
};

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    const url = process.env.QUILL_E2E_URL;
    if (!url) throw new Error("QUILL_E2E_URL is not set: run through playwright.config.ts");
    await use(url);
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      // A 4xx page load is reported as a console error by Chromium; that is expected here.
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await use(errors);
  },
});

export function uniqueName(prefix: string) {
  return `${prefix}_${randomBytes(3).toString("hex")}`;
}

export async function signUp(page: Page, username: string) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(`[${username}]`);
}

export async function logIn(page: Page, username: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(`[${username}]`);
}

export async function logOut(page: Page) {
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText("[Anonymous]");
}
