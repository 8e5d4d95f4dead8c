import { collectErrors, expect, reportCspViolations, signUp, test, uniqueName } from "./fixtures";

// Two people, two browsers, one post. Runs with JavaScript and without.
test("the second of two simultaneous edits is refused with 409, shows both versions, and is merged", async ({
  page: annPage,
  browser,
  baseURL,
  javaScriptEnabled,
  consoleErrors,
}) => {
  const ann = uniqueName("ann");
  const ben = uniqueName("ben");
  const title = `Meeting notes ${uniqueName("post")}`;

  // Ben browses in a browser of his own: separate cookies, same JavaScript setting.
  const benContext = await browser.newContext({ baseURL, javaScriptEnabled });
  await reportCspViolations(benContext);
  const benPage = await benContext.newPage();
  const benErrors = collectErrors(benPage);

  // Ann writes the post.
  await signUp(annPage, ann);
  await annPage.goto("/new");
  await annPage.getByLabel("Title").fill(title);
  await annPage.getByLabel("Text").fill("Agenda: budget.");
  await annPage.getByRole("button", { name: "Publish" }).click();
  await expect(annPage.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  const postPath = new URL(annPage.url()).pathname;

  // Both open the editor on the same version.
  await signUp(benPage, ben);
  await annPage.goto(`${postPath}/edit`);
  await benPage.goto(`${postPath}/edit`);
  await expect(annPage.getByLabel("Text")).toHaveValue("Agenda: budget.");
  await expect(benPage.getByLabel("Text")).toHaveValue("Agenda: budget.");

  // Ann saves first.
  await annPage.getByLabel("Text").fill("Agenda: budget, hiring.");
  await annPage.getByRole("button", { name: "Save" }).click();
  await expect(annPage.locator(".post-text")).toHaveText("Agenda: budget, hiring.");

  // Ben saves from the version he loaded: refused with 409, nothing of his is lost.
  await benPage.getByLabel("Text").fill("Agenda: budget, office move.");
  const refused = benPage.waitForResponse((response) => response.request().method() === "POST" && new URL(response.url()).pathname.startsWith(`${postPath}/edit`));
  await benPage.getByRole("button", { name: "Save" }).click();
  expect((await refused).status()).toBe(409);

  await expect(benPage.getByRole("alert")).toHaveText(`${ann} saved this post while you were editing. Your changes are not saved yet.`);
  const theirs = benPage.getByRole("region", { name: `The version ${ann} saved` });
  await expect(theirs).toBeVisible();
  await expect(theirs.locator(".post-text")).toHaveText("Agenda: budget, hiring.");
  await expect(benPage.getByLabel("Text")).toHaveValue("Agenda: budget, office move.");
  await expect(benPage.getByLabel("Title")).toHaveValue(title);

  // Ben merges both and saves again: this time it goes through.
  await benPage.getByLabel("Text").fill("Agenda: budget, hiring, office move.");
  await benPage.getByRole("button", { name: "Save" }).click();
  await expect(benPage).toHaveURL(new RegExp(`${postPath}$`));
  await expect(benPage.locator(".post-text")).toHaveText("Agenda: budget, hiring, office move.");
  await expect(benPage.getByText(`last edited by ${ben}`)).toBeVisible();

  // Ann sees the merged post.
  await annPage.reload();
  await expect(annPage.locator(".post-text")).toHaveText("Agenda: budget, hiring, office move.");

  await benContext.close();
  expect(consoleErrors).toEqual([]);
  expect(benErrors).toEqual([]);
});
