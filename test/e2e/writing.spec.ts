import { HttpClient } from "../support/http-client";
import { pngImage } from "../support/images";
import { expect, signUp, test, uniqueName } from "./fixtures";

// Writing without losing anything, and the small kindnesses around it (issue 11), each with
// JavaScript and without.

const MB = 1024 * 1024;

test("an image too large for the form: refused before upload with JavaScript, the form kept without it", async ({ page, javaScriptEnabled }) => {
  await signUp(page, uniqueName("big"));
  await page.goto("/new");
  await page.getByLabel("Title").fill("Holiday");
  await page.getByLabel("Text").fill("Every word of this stays.");
  let uploads = 0;
  page.on("request", (request) => {
    if (request.method() === "POST") uploads++;
  });
  await page.getByLabel("Choose an image").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: Buffer.alloc(17 * MB) });
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("The image is larger than 10 MB. Choose a smaller file.")).toBeVisible();
  await expect(page.getByLabel("Choose an image")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Title")).toHaveValue("Holiday");
  await expect(page.getByLabel("Text")).toHaveValue("Every word of this stays.");
  // With JavaScript nothing was sent; without, 16 MB went and the form came back (413).
  expect(uploads).toBe(javaScriptEnabled ? 0 : 1);
});

test("a save refused by a conflict keeps the chosen image with JavaScript, and says to choose it again without", async ({ page, javaScriptEnabled }) => {
  const name = uniqueName("keeper");
  await signUp(page, name);
  const other = new HttpClient(process.env.QUILL_E2E_URL!);
  await other.signup(uniqueName("other"));
  const id = await other.createPost({ title: "Shared page", text: "v1" });

  await page.goto(`/${id}/edit`);
  // Someone saves first.
  const form = new FormData();
  form.set("title", "Shared page");
  form.set("text", "v2 by the other");
  expect((await other.post(`/${id}/edit`, form)).status).toBe(302);

  await page.getByLabel("Text").fill("v2 by me");
  await page.getByLabel("Image description").fill("A green field");
  await page.getByLabel("Choose an image").setInputFiles({ name: "field.png", mimeType: "image/png", buffer: Buffer.from(await pngImage(300, 200, "#3c8d2f")) });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("saved this post while you were editing");
  await expect(page.getByLabel("Text")).toHaveValue("v2 by me");
  await expect(page.getByLabel("Image description")).toHaveValue("A green field");
  const chosen = await page.getByLabel("Choose an image").evaluate((input: HTMLInputElement) => input.files?.length ?? 0);
  if (javaScriptEnabled) {
    expect(chosen).toBe(1);
    await expect(page.getByText("choose it again")).toHaveCount(0);
  } else {
    expect(chosen).toBe(0);
    await expect(page.getByText("If you chose an image, choose it again: browsers do not keep a chosen file when a form comes back.")).toBeVisible();
    await page.getByLabel("Choose an image").setInputFiles({ name: "field.png", mimeType: "image/png", buffer: Buffer.from(await pngImage(300, 200, "#3c8d2f")) });
  }
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Shared page" })).toBeVisible();
  await expect(page.getByRole("img", { name: "A green field" })).toBeVisible();
});

test("the preview shows the text as it will read, and nothing is saved", async ({ page, javaScriptEnabled }) => {
  await signUp(page, uniqueName("preview"));
  await page.goto("/new");
  await page.getByLabel("Title").fill("Draft");
  await page.getByLabel("Text").fill("Some **strong** words\n\n- a list");
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByRole("region", { name: "Preview" });
  await expect(preview.locator("strong")).toHaveText("strong");
  await expect(preview.getByRole("listitem")).toHaveText("a list");
  await expect(page.getByLabel("Title")).toHaveValue("Draft");
  await expect(page.getByLabel("Text")).toHaveValue("Some **strong** words\n\n- a list");
  if (javaScriptEnabled) {
    // Live from then on, as you type.
    await page.getByLabel("Text").fill("Now *emphasised*");
    await expect(preview.locator("em")).toHaveText("emphasised");
  }
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Draft", exact: true })).toHaveCount(0);
});

test("leaving a form with unsaved changes asks first (with JavaScript)", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript there is nothing to ask with");
  await signUp(page, uniqueName("leaver"));
  await page.goto("/new");
  await page.getByLabel("Text").fill("Half a thought");
  await page.getByRole("link", { name: "Cancel" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Leave without saving?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Stay and keep editing" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByLabel("Text")).toHaveValue("Half a thought");
  await expect(page).toHaveURL(/\/new$/);

  // Closing the tab asks the browser's own question.
  const asked = new Promise<string>((resolve) =>
    page.once("dialog", (browserDialog) => {
      resolve(browserDialog.type());
      void browserDialog.accept();
    }),
  );
  const closed = new Promise((resolve) => page.once("close", resolve));
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe("beforeunload");
  await closed;
});

test("leaving the form after choosing to is allowed, and a saved form does not ask", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript there is nothing to ask with");
  await signUp(page, uniqueName("goer"));
  await page.goto("/new");
  await page.getByLabel("Title").fill("Kept");
  await page.getByRole("link", { name: "Quill" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Leave and lose changes" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/new");
  await page.getByLabel("Title").fill("Published at once");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Published at once" })).toBeVisible();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
});

test("a thin progress bar shows during a slow navigation (with JavaScript)", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript the browser shows its own");
  await page.goto("/");
  const bar = page.locator(".progress-bar");
  await expect(bar).toHaveAttribute("data-busy", "false");
  await page.route("**/login.data*", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  await page.getByRole("link", { name: "Log in" }).click();
  await expect(bar).toHaveAttribute("data-busy", "true");
  await expect(bar).toBeVisible();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(bar).toHaveAttribute("data-busy", "false");
});

test("a notice after publishing shows once", async ({ page }) => {
  await signUp(page, uniqueName("noticed"));
  await page.goto("/new");
  await page.getByLabel("Title").fill("Once only");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status")).toHaveText("Published: your post is on the front page.");
  await page.getByRole("link", { name: "Quill" }).click();
  await expect(page.getByRole("heading", { name: "Posts" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await page.goBack();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Once only" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
});

test("revoking a token asks first", async ({ page }) => {
  await signUp(page, uniqueName("tokens"));
  await page.goto("/settings/tokens");
  await page.getByLabel("Token name").fill("nightly backup");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByLabel("Copy it now: it will not be shown again.")).toBeVisible();
  await page.goto("/settings/tokens");
  await page.getByRole("link", { name: "Revoke nightly backup…" }).click();
  await expect(page.getByRole("heading", { name: "Revoke “nightly backup”?" })).toBeVisible();
  await page.getByRole("link", { name: "Keep it" }).click();
  // The list is on the question's page too: wait for the question to go, or the next click
  // would cut this navigation short (Remix logs the aborted one as a console error).
  await expect(page.getByRole("heading", { name: "Revoke “nightly backup”?" })).toHaveCount(0);
  await expect(page.getByRole("cell", { name: "nightly backup", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Revoke nightly backup…" }).click();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("status")).toHaveText("Token revoked: scripts using it now get 401.");
  await expect(page.getByText("You have no tokens.")).toBeVisible();
});

test("dates read in the reader's own time zone, and say UTC when it is unknown", async ({ browser, baseURL, javaScriptEnabled }) => {
  const writer = new HttpClient(baseURL!);
  await writer.signup(uniqueName("clock"));
  const id = await writer.createPost({ title: "Time check" });

  const context = await browser.newContext({ baseURL, javaScriptEnabled, timezoneId: "Asia/Tokyo" });
  const page = await context.newPage();
  await page.goto(`/${id}`);
  const created = page.locator(".byline time").first();
  await expect(created).toHaveText("just now");
  if (javaScriptEnabled) {
    // The hint script stored the browser's zone and reloaded once: the server wrote the page for Tokyo.
    await expect(created).toHaveAttribute("title", /\(Asia\/Tokyo\)$/);
    expect((await context.cookies()).find((cookie) => cookie.name === "quill_tz")?.value).toBe("Asia%2FTokyo");
  } else {
    await expect(created).toHaveAttribute("title", / UTC$/);
    await context.addCookies([{ name: "quill_tz", value: "Asia%2FTokyo", url: baseURL! }]);
    await page.reload();
    await expect(page.locator(".byline time").first()).toHaveAttribute("title", /\(Asia\/Tokyo\)$/);
  }
  await context.close();
});

test("an author's name leads to their page", async ({ page }) => {
  const writer = new HttpClient(process.env.QUILL_E2E_URL!);
  const name = await writer.signup(uniqueName("author"));
  const id = await writer.createPost({ title: `By ${name}` });
  await page.goto(`/${id}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page).toHaveTitle(`Posts by ${name} · Quill`);
  await expect(page.getByRole("link", { name: `By ${name}` })).toBeVisible();
});
