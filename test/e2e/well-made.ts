import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * The screens the design tests run at: 390 and 1280 px, light and dark. `npm test` takes two
 * of the four (a phone in light, a laptop in dark), which between them draw every rule of
 * the stylesheet; CI takes all four (QUILL_E2E_ALL=1, .ci/run).
 */
export function screens(): { width: number; colorScheme: "light" | "dark" }[] {
  const all = [390, 1280].flatMap((width) => (["light", "dark"] as const).map((colorScheme) => ({ width, colorScheme })));
  return process.env.QUILL_E2E_ALL ? all : all.filter(({ width, colorScheme }) => (width === 390) === (colorScheme === "light"));
}

// What every page must be (design.spec.ts, first-use.spec.ts): no sideways scrolling, and
// nothing axe-core objects to (which includes WCAG AA colour contrast).

const AXE_SOURCE = fs.readFileSync(path.resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");

/**
 * axe-core, run inside the page (evaluated through the debugging protocol, so the page's CSP
 * does not stop it). A page without JavaScript never runs axe's timers, so its HTML, as the
 * browser holds it, is checked in a second page that may run scripts (the page's own
 * scripts removed), at the same address, size and colour scheme, with the same stylesheet.
 */
export async function axeViolations(page: Page, javaScriptEnabled: boolean) {
  let target = page;
  if (!javaScriptEnabled) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/g, "");
    const viewport = page.viewportSize() ?? undefined;
    const colorScheme = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
    target = await page.context().browser()!.newPage({ viewport, colorScheme, javaScriptEnabled: true });
    await target.route(page.url(), (route) => route.fulfill({ contentType: "text/html; charset=utf-8", body: html }));
    await target.goto(page.url());
  }
  try {
    await target.evaluate(AXE_SOURCE);
    return await target.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const { violations } = await axe.run(document, { resultTypes: ["violations"] });
      return violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    });
  } finally {
    if (target !== page) await target.close();
  }
}

/** No sideways scrolling, and nothing axe-core objects to. */
export async function expectWellMade(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what}: horizontal scroll`).toBeLessThanOrEqual(0);
  const javaScriptEnabled = test.info().project.use.javaScriptEnabled !== false;
  expect(await axeViolations(page, javaScriptEnabled), `${what}: axe-core`).toEqual([]);
}

/** The page's background: dark or light, as drawn. */
export async function backgroundIsDark(page: Page) {
  const rgb = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 100;
}
