import { pngImage } from "../support/images";
import { expect, expectSignedIn, expectSignedOut, logIn, logOut, signUp, test, uniqueName } from "./fixtures";

// The whole story of two people sharing the blog. Runs twice: with JavaScript and without.
test("sign up, write, read, edit, delete, and the doors that stay shut", async ({ page, javaScriptEnabled, consoleErrors }) => {
  const alice = uniqueName("alice");
  const bob = uniqueName("bob");
  const title = `Field notes ${uniqueName("post")}`;

  await page.goto("/");
  await expectSignedOut(page);

  // Alice signs up and writes a post with an image.
  await signUp(page, alice);
  if (javaScriptEnabled) await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same document"));
  await page.getByRole("link", { name: "New post" }).click();
  await expect(page.getByRole("heading", { name: "New post" })).toBeVisible();

  // A bad submission keeps what was typed.
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Text").fill("Tides at dawn.\n    Indented line kept.");
  await page.getByLabel("Choose an image").setInputFiles({
    name: "notes.txt",
    mimeType: "image/png",
    buffer: Buffer.from("this is not a picture"),
  });
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("That file is not an image we can read.")).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveValue(title);
  await expect(page.getByLabel("Text")).toHaveValue("Tides at dawn.\n    Indented line kept.");

  const png = Buffer.from(await pngImage(1600, 900, "#2a9d8f"));
  await page.getByLabel("Choose an image").setInputFiles({ name: "tide.png", mimeType: "image/png", buffer: png });
  if (javaScriptEnabled) {
    await expect(page.getByAltText("Preview of the chosen image")).toBeVisible();
    // Hold the submission briefly to see the pending state.
    await page.route("**/new.data*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
  }
  await page.getByRole("button", { name: "Publish" }).click();
  if (javaScriptEnabled) await expect(page.getByRole("button", { name: "Publishing…" })).toBeDisabled();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Published: your post is on the front page.");
  const postUrl = new URL(page.url());
  const postId = postUrl.pathname.slice(1);
  expect(postId).toMatch(/^\d+$/);
  // Markdown: the line break stays a line break (the indent is not code inside a paragraph).
  await expect(page.locator(".post-text")).toHaveText("Tides at dawn.\nIndented line kept.");
  expect(await page.locator(".post-text p").innerHTML()).toBe("Tides at dawn.<br>\nIndented line kept.");
  await expect(page.getByText(`Created by ${alice}`)).toBeVisible();
  const image = page.locator("img.post-image");
  await expect(image).toBeVisible();
  expect(await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([1024, 576]);
  if (javaScriptEnabled) {
    // Client-side navigation all along: the page was never reloaded.
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("same document");
  }

  // The list shows it with a thumbnail, its owner and its first words; nobody edited it yet.
  await page.goto("/");
  const item = page.getByRole("listitem").filter({ hasText: title });
  await expect(item).toContainText(`Created by ${alice}`);
  await expect(item).toContainText("Tides at dawn. Indented line kept.");
  await expect(item).not.toContainText("last edited");
  expect(await item.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await logOut(page);

  // Bob edits Alice's post and becomes its last editor, but may not delete it.
  await signUp(page, bob);
  await page.goto(`/${postId}`);
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Title").fill(`${title} (tidied)`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: `${title} (tidied)`, level: 1 })).toBeVisible();
  await expect(page.getByText(`last edited by ${bob}`)).toBeVisible();
  await expect(page.getByText(`Created by ${alice}`)).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Saved: your changes are on the post.");
  await expect(page.getByRole("link", { name: "Delete" })).toHaveCount(0);

  const forbidden = await page.goto(`/${postId}/delete`);
  expect(forbidden?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page).toHaveTitle("Not allowed · Quill");
  await expectSignedIn(page, bob);
  await logOut(page);

  // Signed out, editing leads to the login page and back.
  await page.goto(`/${postId}/edit`);
  await expect(page).toHaveURL(new RegExp(`/login\\?redirectTo=%2F${postId}%2Fedit$`));
  await logIn(page, alice);
  await expect(page).toHaveURL(new RegExp(`/${postId}/edit$`));
  await expect(page.getByLabel("Title")).toHaveValue(`${title} (tidied)`);

  // Alice deletes her post after confirming.
  await page.goto(`/${postId}`);
  await page.getByRole("link", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: /^Delete/ })).toBeVisible();
  await page.getByRole("button", { name: "Delete post" }).click();
  await expect(page.getByRole("heading", { name: "Posts" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Deleted: the post and its image are gone.");
  await expect(page.getByText(title)).toHaveCount(0);
  // Going back to it, in the page or by address: it says the post was deleted (410). Without
  // JavaScript the browser asks again: signed-in pages are never stored (no-store).
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/${postId}/delete$`));
  await expect(page.getByRole("heading", { name: "This post was deleted" })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/${postId}$`));
  await expect(page.getByRole("heading", { name: "This post was deleted" })).toBeVisible();
  await expect(page).toHaveTitle("This post was deleted · Quill");
  const gone = await page.goto(`/${postId}`);
  expect(gone?.status()).toBe(410);
  await expect(page.getByRole("heading", { name: "This post was deleted" })).toBeVisible();
  await expect(page).toHaveTitle("This post was deleted · Quill");
  await expectSignedIn(page, alice);

  expect(consoleErrors).toEqual([]);
});
