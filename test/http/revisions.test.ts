import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken, failed, ok } from "../support/api";
import { startApp, type RunningApp } from "../support/app-server";
import { withTestDatabase } from "../support/database";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";

// Revision history over real HTTP against the production build, as a browser without
// JavaScript uses it: every save kept (form, API, image upload, restore), the history
// pages, comparing versions, restoring, and deleting (issue 12).

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

async function newUser(prefix: string) {
  const browser = new HttpClient(app.url);
  const username = await browser.signup(uniqueUsername(prefix));
  return { browser, username };
}

async function page(client: HttpClient, path: string, status = 200) {
  const response = await client.get(path);
  const html = await response.text();
  expect(response.status, `${path}: ${visibleText(html).slice(0, 300)}`).toBe(status);
  return html;
}

/** The entries of a history page, as a person reads them. */
function historyEntries(html: string) {
  const list = /<ol class="history"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => visibleText(match[1]));
}

/** The inner HTML of the first element with this class. */
function inner(html: string, className: string) {
  return new RegExp(`<(\\w+) class="${className}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html)?.[2] ?? null;
}

/** A post's revisions as stored (imageChanged as 0 or 1 on either database). */
async function revisionRows(postId: number) {
  const rows = await withTestDatabase(app.databaseUrl, (db) =>
    db.postRevision.findMany({ where: { postId }, orderBy: { version: "asc" } }),
  );
  return rows.map((row) => ({ ...row, imageChanged: Number(row.imageChanged) }));
}

describe("every save is a revision", () => {
  it("keeps the creation, form edits, API edits, image uploads and restores, each credited and measured", async () => {
    const ann = await newUser("ann");
    const ben = await newUser("ben");
    const token = await createToken(ben.browser);
    const id = await ann.browser.createPost({ title: "Field notes", text: "Saw two herons by the river." });
    expect((await ben.browser.editPost(id, { title: "Field notes", text: "Saw three herons by the river at dawn.", version: 1 })).status).toBe(302);
    await ok(await callApi(app.url, `/api/${id}`, { method: "PATCH", token, json: { title: "Field notes, May", version: 2 } }));
    await ok(await callApi(app.url, `/api/${id}/image`, { method: "PUT", token, body: await pngImage(80, 60), headers: { "Content-Type": "image/png" } }));
    const restore = await ann.browser.post(`/${id}/history/1`, { version: "4" });
    expect(restore.status).toBe(302);
    expect(restore.headers.get("Location")).toBe(`/${id}`);

    expect((await revisionRows(id)).map(({ version, title, text, charsAdded, charsRemoved, imageChanged, restoredFrom }) => ({ version, title, text, charsAdded, charsRemoved, imageChanged, restoredFrom }))).toEqual([
      { version: 1, title: "Field notes", text: "Saw two herons by the river.", charsAdded: 39, charsRemoved: 0, imageChanged: 0, restoredFrom: null },
      { version: 2, title: "Field notes", text: "Saw three herons by the river at dawn.", charsAdded: "three".length + " at dawn".length, charsRemoved: "two".length, imageChanged: 0, restoredFrom: null },
      { version: 3, title: "Field notes, May", text: "Saw three herons by the river at dawn.", charsAdded: ", May".length, charsRemoved: 0, imageChanged: 0, restoredFrom: null },
      { version: 4, title: "Field notes, May", text: "Saw three herons by the river at dawn.", charsAdded: 0, charsRemoved: 0, imageChanged: 1, restoredFrom: null },
      { version: 5, title: "Field notes", text: "Saw two herons by the river.", charsAdded: "two".length, charsRemoved: ", May".length + "three".length + " at dawn".length, imageChanged: 1, restoredFrom: 1 },
    ]);

    const html = await page(new HttpClient(app.url), `/${id}/history`);
    expect(historyEntries(html)).toEqual([
      expect.stringMatching(new RegExp(`^Version 5 \\(current\\) by ${ann.username} on .+ UTC \\+3 / −18 characters image changed restored version 1 changes in version 5$`)),
      expect.stringMatching(new RegExp(`^Version 4 by ${ben.username} on .+ UTC \\+0 / −0 characters image changed changes in version 4$`)),
      expect.stringMatching(new RegExp(`^Version 3 by ${ben.username} .+ \\+5 / −0 characters changes in version 3$`)),
      expect.stringMatching(new RegExp(`^Version 2 by ${ben.username} .+ \\+13 / −3 characters changes in version 2$`)),
      expect.stringMatching(new RegExp(`^Version 1 by ${ann.username} .+ created$`)),
    ]);
    // Editors link to their pages; each entry's "changes" compares it with the one before.
    expect(html).toContain(`href="/u/${ben.username}"`);
    for (const version of [2, 3, 4, 5]) expect(html).toContain(`href="/${id}/compare?from=${version - 1}&amp;to=${version}"`);
    expect(html).not.toContain(`from=0`);
  });

  it("links History from the post, and warns on the delete page that the history goes too", async () => {
    const { browser } = await newUser("linker");
    const id = await browser.createPost({ title: "Linked" });
    expect(await page(new HttpClient(app.url), `/${id}`)).toContain(`href="/${id}/history"`);
    expect(visibleText(await page(browser, `/${id}/delete`))).toContain("its whole history");
  });
});

describe("the history list", () => {
  let id: number;
  beforeAll(async () => {
    const { browser } = await newUser("pager");
    id = await browser.createPost({ title: "Many saves", text: "v1" });
    for (let version = 1; version < 45; version++) {
      const response = await browser.editPost(id, { title: "Many saves", text: `v${version + 1}`, version });
      expect(response.status).toBe(302);
    }
  });

  it("pages 20 at a time, newest first, with no gaps or repeats, like the front page", async () => {
    const visitor = new HttpClient(app.url);
    const seen: number[] = [];
    let path: string | null = `/${id}/history`;
    let pages = 0;
    while (path) {
      const html = await page(visitor, path);
      const versions = historyEntries(html).map((entry) => Number(/^Version (\d+)/.exec(entry)?.[1]));
      expect(versions.length).toBeLessThanOrEqual(20);
      seen.push(...versions);
      if (pages > 0) expect(html).toContain(`href="/${id}/history">Newest versions</a>`);
      const older = /href="([^"]+)">Older versions<\/a>/.exec(html)?.[1];
      path = older ? older.replace(/&amp;/g, "&") : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, n) => 45 - n));
  });

  it("gives the last entry of a page its changes link too (against the first of the next page)", async () => {
    const html = await page(new HttpClient(app.url), `/${id}/history`);
    expect(html).toContain(`href="/${id}/compare?from=25&amp;to=26"`);
  });

  it("answers a bad cursor with 400 and an unknown post with 404", async () => {
    const visitor = new HttpClient(app.url);
    await page(visitor, `/${id}/history?cursor=nonsense!`, 400);
    await page(visitor, "/999999/history", 404);
    await page(visitor, "/abc/history", 404);
  });
});

describe("an old version", () => {
  it("shows the post as it was, marked old, with a link to the current one and its own image", async () => {
    const { browser, username } = await newUser("painter");
    const original = await pngImage(120, 90, "#226644");
    const id = await browser.createPost({ title: "Painting", text: "First <em>draft</em>", image: asBlob(original) });
    await browser.editPost(id, { title: "Painting, finished", text: "Final", image: asBlob(await pngImage(50, 50, "#aa0000")), version: 1 });

    const html = await page(new HttpClient(app.url), `/${id}/history/1`);
    const text = visibleText(html);
    expect(text).toContain("Old version. This is version 1 of this post, not the current version (2). See the current version");
    expect(html).toMatch(new RegExp(`<a[^>]*href="/${id}"[^>]*>See the current version</a>`));
    expect(text).toContain(`Painting Version 1, saved by ${username}`);
    expect(html).toContain("First &lt;em&gt;draft&lt;/em&gt;");
    expect(text).toContain("Log in to restore this version");
    expect(html).not.toContain("Restore this version</button>");

    // Its image is the one it had, not the post's current one, and may be cached for good.
    expect(html).toContain(`src="/${id}/history/1/image"`);
    const image = await fetch(`${app.url}/${id}/history/1/image`);
    expect(image.status).toBe(200);
    expect(image.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    const { width, height } = await sharp(new Uint8Array(await image.arrayBuffer())).metadata();
    expect([width, height]).toEqual([120, 90]);
    const again = await fetch(`${app.url}/${id}/history/1/image?size=thumbnail`, { headers: { "If-None-Match": image.headers.get("ETag")!.replace("-full", "-thumbnail") } });
    expect(again.status).toBe(304);

    // The current version says so, and offers no restore.
    const current = visibleText(await page(browser, `/${id}/history/2`));
    expect(current).toContain("This is version 2, the current version of this post.");
    expect(current).not.toContain("Restore this version");
    expect(visibleText(await page(browser, `/${id}/history/1`))).toContain("Restore this version");
  });

  it("answers versions that do not exist with 404", async () => {
    const { browser } = await newUser("missing");
    const id = await browser.createPost({ title: "One version" });
    const visitor = new HttpClient(app.url);
    for (const path of [`/${id}/history/2`, `/${id}/history/0`, `/${id}/history/abc`, `/${id}/history/99999999999`, "/999999/history/1"]) {
      expect(visibleText(await page(visitor, path, 404)), path).toMatch(/no such version|No post has that address/);
    }
    expect((await fetch(`${app.url}/${id}/history/1/image`)).status).toBe(404);
    expect((await fetch(`${app.url}/${id}/history/7/image`)).status).toBe(404);
  });
});

describe("comparing versions", () => {
  it("marks inserted and deleted words in place, in the title and the text, with HTML escaped", async () => {
    const { browser } = await newUser("writer");
    const id = await browser.createPost({ title: "Recipe for bread", text: "Mix flour and water.\n\nBake for <b>40</b> minutes." });
    await browser.editPost(id, { title: "Recipe for rye bread", text: "Mix flour, salt and water.\n\nBake for 45 minutes. <script>alert(1)</script>", version: 1 });

    const html = await page(new HttpClient(app.url), `/${id}/compare?from=1&to=2`);
    expect(inner(html, "diff-title")).toBe("Recipe for <ins>rye </ins>bread");
    expect(inner(html, "diff-text")).toBe(
      "Mix flour<ins>, salt</ins> and water.\n\nBake for <del>&lt;b&gt;40&lt;/b&gt; minutes.</del><ins>45 minutes. &lt;script&gt;alert(1)&lt;/script&gt;</ins>",
    );
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<b>40");
    expect(visibleText(html)).toContain("Added words are underlined in green; removed words are struck through in red.");

    // The other way round, insertions become deletions.
    const back = await page(new HttpClient(app.url), `/${id}/compare?from=2&to=1`);
    expect(inner(back, "diff-title")).toBe("Recipe for <del>rye </del>bread");
  });

  it("shows an image change with both images, and says when nothing changed", async () => {
    const { browser } = await newUser("imager");
    const id = await browser.createPost({ title: "Pictured", text: "Same" });
    await browser.editPost(id, { title: "Pictured", text: "Same", image: asBlob(await pngImage(40, 40)), version: 1 });
    await browser.editPost(id, { title: "Pictured", text: "Same", version: 2 });
    const changed = await page(browser, `/${id}/compare?from=1&to=2`);
    expect(visibleText(changed)).toContain("Image Before: no image After: the image of version 2");
    expect(changed).toContain(`src="/${id}/history/2/image"`);
    expect(visibleText(await page(browser, `/${id}/compare?from=2&to=3`))).toContain("Nothing changed between these versions.");
    expect(visibleText(await page(browser, `/${id}/compare?from=2&to=2`))).toContain("These are the same version.");
  });

  it("answers missing or malformed versions with 400 and unknown ones with 404", async () => {
    const { browser } = await newUser("comparer");
    const id = await browser.createPost({ title: "Compare" });
    for (const query of ["", "?from=1", "?to=1", "?from=a&to=1", "?from=0&to=1", "?from=1&to=-1", "?from=1.5&to=1"]) {
      expect(visibleText(await page(browser, `/${id}/compare${query}`, 400))).toContain("Name two versions to compare");
    }
    await page(browser, `/${id}/compare?from=1&to=2`, 404);
    await page(browser, `/999999/compare?from=1&to=1`, 404);
  });
});

describe("restoring", () => {
  it("refuses a restore based on an outdated version with 409 and writes nothing; the next try goes through", async () => {
    const ann = await newUser("keeper");
    const vandal = await newUser("vandal");
    const id = await ann.browser.createPost({ title: "Kept safe", text: "The good text" });
    await vandal.browser.editPost(id, { title: "Kept safe", text: "Defaced", version: 1 });
    // Ann opens version 1 (the post is at version 2), then someone saves again.
    const restorePage = await page(ann.browser, `/${id}/history/1`);
    expect(restorePage).toContain('name="version" value="2"');
    await vandal.browser.editPost(id, { title: "Kept safe", text: "Defaced again", version: 2 });

    const before = (await databaseSnapshot(app.databaseUrl));
    const refused = await ann.browser.post(`/${id}/history/1`, { version: "2" });
    const html = await refused.text();
    expect(refused.status).toBe(409);
    expect(visibleText(html)).toContain(`${vandal.username} saved this post (version 3) since you opened this page, so nothing was restored.`);
    expect(html).toContain('name="version" value="3"');
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);

    const restored = await ann.browser.post(`/${id}/history/1`, { version: "3" });
    expect(restored.status).toBe(302);
    const post = visibleText(await page(ann.browser, `/${id}`));
    expect(post).toContain("The good text");
    expect(post).toContain(`last edited by ${ann.username}`);
    expect((await revisionRows(id)).at(-1)).toMatchObject({ version: 4, text: "The good text", restoredFrom: 1 });
  });

  it("needs a signed-in user from this site, and a real version", async () => {
    const { browser } = await newUser("guarded");
    const id = await browser.createPost({ title: "Guarded", text: "one" });
    await browser.editPost(id, { title: "Guarded", text: "two", version: 1 });
    const before = (await databaseSnapshot(app.databaseUrl));
    const visitor = await new HttpClient(app.url).post(`/${id}/history/1`, { version: "2" });
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect((await browser.post(`/${id}/history/1`, { version: "2" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await browser.post(`/${id}/history/7`, { version: "2" })).status).toBe(404);
    expect((await browser.post(`/${id}/history/1`, { version: "two" })).status).toBe(400);
    expect((await databaseSnapshot(app.databaseUrl))).toEqual(before);
  });
});

describe("an edit conflict", () => {
  it("shows what the other person changed since the editor began, word by word, beside the editor's own text", async () => {
    const ann = await newUser("first");
    const ben = await newUser("second");
    const id = await ann.browser.createPost({ title: "Agenda", text: "Budget. Hiring." });
    expect((await ann.browser.editPost(id, { title: "Agenda", text: "Budget. Hiring. Office <move>.", version: 1 })).status).toBe(302);
    const refused = await ben.browser.editPost(id, { title: "Agenda", text: "Budget. Holidays.", version: 1 });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    const section = /<section class="conflict"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(visibleText(section)).toContain(`The version ${ann.username} saved`);
    expect(visibleText(section)).toContain("What changed since you began (version 1 to 2 · compare");
    expect(section).toContain(`href="/${id}/compare?from=1&amp;to=2"`);
    expect(inner(section, "diff-text")).toBe("Budget. Hiring.<ins> Office &lt;move&gt;.</ins>");
    // Their text in full, and Ben's own words still in the form.
    expect(inner(section, "post-text")).toBe("Budget. Hiring. Office &lt;move&gt;.");
    expect(html).toMatch(/<textarea[^>]*>Budget. Holidays.<\/textarea>/);
  });
});

describe("deleting a post", () => {
  it("deletes its history and the images only it used", async () => {
    const { browser } = await newUser("deleter");
    const id = await browser.createPost({ title: "Short-lived", text: "one", image: asBlob(await pngImage(30, 30, "#010203")) });
    await browser.editPost(id, { title: "Short-lived", text: "two", image: asBlob(await pngImage(30, 30, "#040506")), version: 1 });
    expect(await revisionRows(id)).toHaveLength(2);
    const imagesBefore = (await databaseSnapshot(app.databaseUrl)).counts.Image;

    expect((await browser.post(`/${id}/delete`, {})).status).toBe(302);
    expect(await revisionRows(id)).toEqual([]);
    expect((await databaseSnapshot(app.databaseUrl)).counts.Image).toBe(imagesBefore - 2);
    const visitor = new HttpClient(app.url);
    await page(visitor, `/${id}/history`, 404);
    await page(visitor, `/${id}/history/1`, 404);
    await page(visitor, `/${id}/compare?from=1&to=2`, 404);
    expect((await fetch(`${app.url}/${id}/history/1/image`)).status).toBe(404);
    await failed(await callApi(app.url, `/api/${id}/revisions`), 404);
  });
});
