import { DOMParser, type Element } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { databaseSnapshot } from "../support/database-snapshot";
import { HttpClient, uniqueUsername, visibleText } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";
import { unsafeParts, XSS_PAYLOADS } from "../support/safe-html";

// Reading and writing like a blog (issue 11), over plain HTTP against the production build:
// Markdown that stays safe, feeds and sitemaps that parse, one-time notices, 410 for deleted
// posts, authors' pages, the theme and time-zone cookies, and forms that never lose words.

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const client = () => new HttpClient(app.url);
const MB = 1024 * 1024;

async function author(prefix = "writer") {
  const browser = client();
  const username = await browser.signup(uniqueUsername(prefix));
  return { browser, username };
}

/** The post's text as the page shows it: the HTML inside <div class="post-text prose">. */
function postText(html: string) {
  const match = /<div class="post-text prose">([\s\S]*?)<\/div><\/article>/.exec(html);
  if (!match) throw new Error("no post text in the page");
  return match[1];
}

function parseXml(xml: string) {
  const errors: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") errors.push(message);
    },
  }).parseFromString(xml, "application/xml");
  expect(errors).toEqual([]);
  return document;
}

describe("Markdown on post pages", () => {
  it("renders every XSS payload to harmless HTML, under a strict policy, with no inline styles", async () => {
    const { browser } = await author("xss");
    for (const payload of XSS_PAYLOADS) {
      const id = await browser.createPost({ title: "Payload", text: payload });
      const response = await client().get(`/${id}`);
      expect(response.status).toBe(200);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      expect(csp).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'/);
      expect(csp).not.toContain("unsafe-inline");
      const html = await response.text();
      expect(unsafeParts(postText(html)), payload).toEqual([]);
      // Nowhere on the page: no style attribute, and every script carries the nonce.
      expect(html, payload).not.toMatch(/\sstyle="/);
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      for (const script of html.match(/<script\b[^>]*>/g) ?? []) expect(script, payload).toContain(`nonce="${nonce}"`);
    }
  });

  it("formats Markdown: headings below the title, lists, tables, links with rel=nofollow", async () => {
    const { browser } = await author();
    const id = await browser.createPost({
      title: "Formatted",
      text: "# Section\n\n**bold** and https://example.com\n\n- [x] done\n\n| a | b |\n|---|--:|\n| 1 | 2 |",
    });
    const html = postText(await (await client().get(`/${id}`)).text());
    expect(html).toContain("<h2>Section</h2>");
    expect(html).toContain('<strong>bold</strong> and <a href="https://example.com" rel="noopener nofollow ugc">https://example.com</a>');
    expect(html).toContain('<span class="task-box done" role="img" aria-label="Done"></span> done');
    expect(html).toContain('<th class="align-right">b</th>');
  });

  it("shows a preview of the text without saving anything (the Preview button, no JavaScript)", async () => {
    const { browser } = await author();
    const before = await databaseSnapshot(app.databaseUrl);
    const form = new FormData();
    form.set("title", "");
    form.set("text", "Draft with **bold** words");
    form.set("intent", "preview");
    form.set("image", asBlob(await pngImage(20, 20)), "chosen.png");
    const response = await browser.post("/new", form);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<div class="prose"><p>Draft with <strong>bold</strong> words</p>\n</div>');
    expect(html).toContain(">Draft with **bold** words</textarea>");
    // A preview is not a failed save: no complaint about the empty title.
    expect(html).not.toContain("A post needs a title.");
    expect(visibleText(html)).toContain("If you chose an image, choose it again: browsers do not keep a chosen file when a form comes back.");
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });
});

describe("forms that keep what was typed", () => {
  it("answers an upload past the 16 MB body limit with the form, everything typed, and a message at the image", async () => {
    const { browser } = await author();
    const before = await databaseSnapshot(app.databaseUrl);
    const form = new FormData();
    form.set("title", "Holiday photos");
    form.set("text", "Words I do not want to type twice.");
    form.set("imageAlt", "A beach at dusk");
    form.set("image", asBlob(new Uint8Array(17 * MB)), "huge.png");
    const response = await browser.post("/new", form);
    expect(response.status).toBe(413);
    const html = await response.text();
    expect(html).toContain('value="Holiday photos"');
    expect(html).toContain(">Words I do not want to type twice.</textarea>");
    expect(html).toContain('value="A beach at dusk"');
    // The message sits at the file input and the input points at it.
    expect(html).toMatch(/<input[^>]*type="file"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*image-error/);
    expect(visibleText(html)).toContain("The image is larger than 10 MB. Choose a smaller file.");
    expect(await databaseSnapshot(app.databaseUrl)).toEqual(before);
  });

  it("keeps the alt text, and removes the image on request", async () => {
    const { browser } = await author();
    const form = new FormData();
    form.set("title", "With a picture");
    form.set("imageAlt", "A blue square");
    form.set("image", asBlob(await pngImage(50, 50)), "square.png");
    const created = await browser.post("/new", form);
    const id = /^\/(\d+)$/.exec(created.headers.get("Location") ?? "")?.[1];
    expect(await (await client().get(`/${id}`)).text()).toMatch(/<img class="post-image" src="\/\d+\/image\?v=[^"]+" alt="A blue square"\/>/);

    const edit = await (await browser.get(`/${id}/edit`)).text();
    const version = /name="version" value="(\d+)"/.exec(edit)?.[1] ?? "";
    const removal = new FormData();
    removal.set("title", "With a picture");
    removal.set("imageAlt", "A blue square");
    removal.set("removeImage", "on");
    removal.set("version", version);
    expect((await browser.post(`/${id}/edit`, removal)).status).toBe(302);
    const page = await (await client().get(`/${id}`)).text();
    expect(page).not.toContain('class="post-image"');
  });
});

describe("one-time notices", () => {
  it("shows 'Published' once, on the page the form leads to, and never to anyone else", async () => {
    const { browser } = await author();
    const id = await browser.createPost({ title: "Noticed" });
    const first = await browser.get(`/${id}`);
    expect(visibleText(await first.text())).toContain("Published: your post is on the front page.");
    // Reading it used it up: the cookie comes back without it.
    expect(first.headers.get("Set-Cookie")).toMatch(/^__quill_session=/);
    const second = await browser.get(`/${id}`);
    expect(visibleText(await second.text())).not.toContain("Published");
    expect(second.headers.get("Set-Cookie")).toBeNull();
    // A visitor's page carries no cookie at all.
    expect((await client().get(`/${id}`)).headers.get("Set-Cookie")).toBeNull();
  });

  it("says 'Saved' after an edit and 'Deleted' after a delete", async () => {
    const { browser } = await author();
    const id = await browser.createPost({ title: "To change" });
    await browser.get(`/${id}`);
    const form = new FormData();
    form.set("title", "Changed");
    expect((await browser.post(`/${id}/edit`, form)).status).toBe(302);
    expect(visibleText(await (await browser.get(`/${id}`)).text())).toContain("Saved: your changes are on the post.");
    expect((await browser.post(`/${id}/delete`, {})).status).toBe(302);
    expect(visibleText(await (await browser.get("/")).text())).toContain("Deleted: the post and its image are gone.");
  });
});

describe("log out everywhere, and the API tokens", () => {
  async function token(browser: HttpClient, name: string) {
    const html = await (await browser.post("/settings/tokens", { intent: "create", name })).text();
    return /quill_[A-Za-z0-9_-]{43}/.exec(html)![0];
  }
  const works = async (value: string) => (await fetch(`${app.url}/api?limit=1`, { headers: { Authorization: `Bearer ${value}` } })).status === 200;

  it("leaves tokens working unless 'Also revoke my API tokens' is ticked", async () => {
    const { browser } = await author("everywhere");
    const first = await token(browser, "kept");
    expect((await browser.post("/settings", { intent: "logout-everywhere" })).status).toBe(302);
    expect(await works(first)).toBe(true);
    expect(visibleText(await (await browser.get("/settings")).text())).toContain("Done: every other browser and device is logged out.");

    const second = await token(browser, "also kept until now");
    expect((await browser.post("/settings", { intent: "logout-everywhere", revokeTokens: "on" })).status).toBe(302);
    expect(visibleText(await (await browser.get("/settings")).text())).toContain("and your API tokens are revoked.");
    expect(await works(first)).toBe(false);
    expect(await works(second)).toBe(false);
    expect(visibleText(await (await browser.get("/settings/tokens")).text())).toContain("You have no tokens.");
  });
});

describe("deleted posts", () => {
  it("answer 410 with a page that says so, on every address of the post; the API keeps its 404", async () => {
    const { browser } = await author();
    const id = await browser.createPost({ title: "Short-lived" });
    await browser.post(`/${id}/delete`, {});
    const page = await client().get(`/${id}`);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain("<title>This post was deleted · Quill</title>");
    expect(visibleText(html)).toContain("This post was deleted Its author deleted it.");
    const edit = new FormData();
    edit.set("title", "Too late");
    expect((await browser.post(`/${id}/edit`, edit)).status).toBe(410);
    expect((await fetch(`${app.url}/api/${id}`)).status).toBe(404);
  });
});

describe("authors' pages", () => {
  it("list what someone wrote, and others' posts they edited last, a page at a time", async () => {
    const writer = await author("pen");
    const editor = await author("red");
    const ids: number[] = [];
    for (let n = 1; n <= 22; n++) ids.push(await writer.browser.createPost({ title: `Entry ${n}`, text: `Words of entry ${n}.` }));
    const form = new FormData();
    form.set("title", "Entry 3, corrected");
    expect((await editor.browser.post(`/${ids[2]}/edit`, form)).status).toBe(302);

    const first = await (await client().get(`/u/${writer.username.toUpperCase()}`)).text();
    expect(first).toContain(`<title>Posts by ${writer.username} · Quill</title>`);
    const listed = [...first.matchAll(/<h2><a[^>]* href="\/(\d+)"/g)].map((match) => Number(match[1]));
    expect(listed).toEqual(ids.slice(2).reverse());
    expect(visibleText(first)).toContain("Words of entry 22.");
    const older = /href="(\/u\/[^"]+cursor=[^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(older).toBeDefined();
    const second = await (await client().get(older!)).text();
    expect(second).toContain(`<title>Posts by ${writer.username}, page 2 · Quill</title>`);
    expect([...second.matchAll(/<h2><a[^>]* href="\/(\d+)"/g)].map((match) => Number(match[1]))).toEqual([ids[1], ids[0]]);

    const edited = await (await client().get(`/u/${editor.username}?show=edited`)).text();
    expect([...edited.matchAll(/<h2><a[^>]* href="\/(\d+)"/g)].map((match) => Number(match[1]))).toEqual([ids[2]]);
    expect(visibleText(edited)).toContain(`last edited by ${editor.username}`);
    expect(visibleText(await (await client().get(`/u/${editor.username}`)).text())).toContain(`${editor.username} has not written a post yet.`);

    for (const missing of ["/u/nobody_at_all_here", "/u/a%20b", `/u/${"x".repeat(40)}`]) expect((await client().get(missing)).status, missing).toBe(404);
  });
});

describe("sharing", () => {
  it("describes a post to link previews: description, Open Graph with absolute addresses, canonical link", async () => {
    const { browser } = await author();
    const id = await browser.createPost({ title: "Shared <widely>", text: "The **first** words of the post.\n\nMore later.", image: asBlob(await pngImage(40, 30)) });
    const html = await (await client().get(`/${id}`)).text();
    expect(html).toContain('<meta name="description" content="The first words of the post. More later."/>');
    expect(html).toContain('<meta property="og:title" content="Shared &lt;widely&gt;"/>');
    expect(html).toContain(`<meta property="og:url" content="${app.url}/${id}"/>`);
    expect(html).toMatch(new RegExp(`<meta property="og:image" content="${app.url}/${id}/image\\?v=[A-Za-z0-9_-]+"/>`));
    expect(html).toContain(`<link rel="canonical" href="${app.url}/${id}"/>`);
    expect(html).toContain('<link rel="alternate" type="application/atom+xml" href="/feed.xml"');
  });

  it("serves a valid Atom feed of the newest 20 posts, every link absolute", async () => {
    const { browser, username } = await author("feeder");
    const ids: number[] = [];
    for (let n = 1; n <= 21; n++) ids.push(await browser.createPost({ title: `Feed item ${n} & <more>`, text: `Body ${n} with **marks**.` }));
    const response = await fetch(`${app.url}/feed.xml`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toMatch(/^public/);
    const feed = parseXml(await response.text()).documentElement!;
    const ATOM = "http://www.w3.org/2005/Atom";
    expect([feed.namespaceURI, feed.localName]).toEqual([ATOM, "feed"]);
    const child = (element: Element, name: string) => Array.from(element.childNodes).filter((node): node is Element => (node as Element).localName === name);
    const text = (element: Element, name: string) => child(element, name)[0]?.textContent ?? "";
    expect(text(feed, "title")).toBe("Quill");
    expect(text(feed, "id")).toBe(`${app.url}/`);
    expect(new Date(text(feed, "updated")).toISOString()).toBe(text(feed, "updated"));
    expect(child(feed, "link").map((link) => [link.getAttribute("rel"), link.getAttribute("href")])).toEqual([
      ["self", `${app.url}/feed.xml`],
      ["alternate", `${app.url}/`],
    ]);
    const entries = child(feed, "entry");
    expect(entries).toHaveLength(20);
    expect(entries.map((entry) => text(entry, "id"))).toEqual(ids.slice(1).reverse().map((id) => `${app.url}/${id}`));
    const [newest] = entries;
    expect(text(newest, "title")).toBe("Feed item 21 & <more>");
    expect(text(newest, "summary")).toBe("Body 21 with marks.");
    expect(child(newest, "link")[0].getAttribute("href")).toBe(`${app.url}/${ids[20]}`);
    expect(text(child(newest, "author")[0], "name")).toBe(username);
    for (const entry of entries) {
      for (const name of ["id", "title", "updated", "published"]) expect(text(entry, name), name).not.toBe("");
    }
  });

  it("serves a sitemap index whose parts list every post and author, and robots.txt pointing at it", async () => {
    const { browser, username } = await author("mapped");
    const id = await browser.createPost({ title: "On the map" });
    const gone = await browser.createPost({ title: "Off the map" });
    await browser.post(`/${gone}/delete`, {});

    const index = parseXml(await (await fetch(`${app.url}/sitemap.xml`)).text()).documentElement!;
    const SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9";
    expect([index.namespaceURI, index.localName]).toEqual([SITEMAP, "sitemapindex"]);
    const parts = Array.from(index.getElementsByTagNameNS(SITEMAP, "loc")).map((loc) => loc.textContent ?? "");
    expect(parts).toEqual([`${app.url}/sitemap/pages.xml`, `${app.url}/sitemap/posts-1.xml`, `${app.url}/sitemap/authors-1.xml`]);

    const urls: string[] = [];
    for (const part of parts) {
      const response = await fetch(part);
      expect(response.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
      const set = parseXml(await response.text()).documentElement!;
      expect([set.namespaceURI, set.localName]).toEqual([SITEMAP, "urlset"]);
      for (const url of Array.from(set.getElementsByTagNameNS(SITEMAP, "url"))) {
        const loc = url.getElementsByTagNameNS(SITEMAP, "loc")[0].textContent ?? "";
        expect(loc.startsWith(`${app.url}/`), loc).toBe(true);
        const lastmod = url.getElementsByTagNameNS(SITEMAP, "lastmod")[0]?.textContent;
        if (lastmod) expect(new Date(lastmod).toISOString()).toBe(lastmod);
        urls.push(loc);
      }
    }
    expect(urls).toContain(`${app.url}/`);
    expect(urls).toContain(`${app.url}/${id}`);
    expect(urls).not.toContain(`${app.url}/${gone}`);
    expect(urls).toContain(`${app.url}/u/${username}`);
    expect((await fetch(`${app.url}/sitemap/posts-0.xml`)).status).toBe(404);

    const robots = await fetch(`${app.url}/robots.txt`);
    expect(robots.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    const rules = await robots.text();
    expect(rules).toContain("User-agent: *");
    expect(rules).toContain("Disallow: /settings");
    expect(rules).toContain(`Sitemap: ${app.url}/sitemap.xml`);
  });
});

describe("the visitor's own settings, from cookies", () => {
  it("draws the chosen theme from the first byte, and forgets it for 'system'", async () => {
    const visitor = client();
    const chosen = await visitor.post("/theme", { theme: "dark", redirectTo: "/" });
    expect(chosen.status).toBe(302);
    expect(chosen.headers.get("Location")).toBe("/");
    expect(chosen.headers.get("Set-Cookie")).toMatch(/^quill_theme=dark; Max-Age=\d+; Path=\/; SameSite=Lax$/);
    const dark = await (await fetch(`${app.url}/`, { headers: { Cookie: "quill_theme=dark" } })).text();
    expect(dark).toMatch(/^<!DOCTYPE html><html lang="en" class="dark">/);
    expect(dark).toContain('<meta name="color-scheme" content="dark"/>');
    // No cookie: no class, and the stylesheet follows the system.
    expect(await (await fetch(`${app.url}/`)).text()).toMatch(/^<!DOCTYPE html><html lang="en">/);
    const system = await visitor.post("/theme", { theme: "system", redirectTo: "/" });
    expect(system.headers.get("Set-Cookie")).toMatch(/^quill_theme=; Max-Age=0/);
    expect((await visitor.post("/theme", { theme: "purple" })).status).toBe(400);
  });

  it("writes dates in the reader's time zone when the hint cookie names it, and says UTC without it", async () => {
    const { browser } = await author();
    const id = await browser.createPost({ title: "What time is it" });
    const zoned = await (await fetch(`${app.url}/${id}`, { headers: { Cookie: `quill_tz=${encodeURIComponent("Asia/Tokyo")}` } })).text();
    expect(zoned).toMatch(/<time dateTime="[^"]+" title="\d{1,2} \w+ \d{4} at \d\d:\d\d \(Asia\/Tokyo\)">just now<\/time>/);
    const utc = await (await fetch(`${app.url}/${id}`)).text();
    expect(utc).toMatch(/<time dateTime="[^"]+" title="\d{1,2} \w+ \d{4} at \d\d:\d\d UTC">just now<\/time>/);
    const nonsense = await (await fetch(`${app.url}/${id}`, { headers: { Cookie: "quill_tz=Mars%2FOlympus" } })).text();
    expect(nonsense).toMatch(/title="[^"]+ UTC">just now/);
    // The hint itself: a nonced inline script that sets the cookie.
    expect(utc).toMatch(/<script nonce="[^"]+">\(function\(\)\{try\{var z=Intl\.DateTimeFormat\(\)\.resolvedOptions\(\)\.timeZone/);
  });

  it("say where you are in titles: page 2, 403, 404", async () => {
    const { browser } = await author();
    const someoneElse = await author("other");
    const theirs = await someoneElse.browser.createPost({ title: "Not yours to delete" });
    const forbidden = await browser.get(`/${theirs}/delete`);
    expect(forbidden.status).toBe(403);
    const forbiddenPage = await forbidden.text();
    expect(forbiddenPage).toContain("<title>Not allowed · Quill</title>");
    expect(forbiddenPage).not.toContain("Not yours to delete");
    for (let n = 0; n < 21; n++) await browser.createPost({ title: `Filler ${n}` });
    const front = await (await client().get("/")).text();
    expect(front).toContain("<title>Quill: all posts</title>");
    const older = /href="(\/\?cursor=[^"]+)"/.exec(front)?.[1]?.replace(/&amp;/g, "&");
    const page2 = await (await client().get(older!)).text();
    expect(page2).toContain("<title>All posts, page 2 · Quill</title>");
    expect(page2).toContain("<h1>Posts, page 2</h1>");
    expect(await (await client().get("/no/such/page")).text()).toContain("<title>Page not found · Quill</title>");
  });
});
