import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";
import { asBlob, pngImage } from "../support/images";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const client = () => new HttpClient(app.url);

describe("pages over plain HTTP (what a browser without JavaScript sends)", () => {
  it("answers /healthz after a database query", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("shows visitors Log in and Sign up links, and nobody's name", async () => {
    const html = await (await client().get("/")).text();
    expect(visibleText(html)).toContain("Skip to content Quill Log in Sign up ");
    expect(html).toMatch(/href="\/login"/);
    expect(html).toMatch(/href="\/signup"/);
    expect(html).not.toContain('class="who"');
  });

  it("signs up, shows the name (a link to their page) in the header, and logs out with a POST", async () => {
    const alice = client();
    const username = await alice.signup(uniqueUsername("alice"));
    const html = await (await alice.get("/")).text();
    expect(visibleText(html)).toContain(`Quill New post ${username} Settings Log out`);
    expect(html).toMatch(new RegExp(`<a class="who wide-only" title="${username}: your posts"[^>]* href="/u/${username}">${username}</a>`));
    // A new account is greeted once.
    expect(visibleText(html)).toContain(`Welcome to Quill, ${username}! You are signed in.`);

    // Back to the page the header's form was on; anywhere else is refused for the front page.
    const elsewhere = client();
    await elsewhere.signup(uniqueUsername("ben"));
    const away = await elsewhere.post("/logout", { redirectTo: "//evil.example/x" });
    expect(away.headers.get("Location")).toBe("/");
    const logout = await alice.post("/logout", { redirectTo: "/1/compare?from=1&to=2" });
    expect(logout.status).toBe(302);
    expect(logout.headers.get("Location")).toBe("/1/compare?from=1&to=2");
    expect(alice.cookie).toBeNull();
    const after = visibleText(await (await alice.get("/")).text());
    expect(after).toContain("Quill Log in Sign up");
    expect(after).not.toContain(username);
  });

  it("sets a signed, httpOnly, SameSite=Lax session cookie", async () => {
    const response = await client().post("/signup", {
      username: uniqueUsername(),
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const cookie = response.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^__quill_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=\d+/);
  });

  it("refuses bad signups with 400, a message per field, and keeps the username", async () => {
    const response = await client().post("/signup", { username: "a!", password: "short", confirmPassword: "short" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("A username is 3 to 32 letters, digits, _ or -.");
    expect(html).toContain("A password needs at least 8 characters.");
    expect(html).toContain('value="a!"');
    expect(html).not.toContain('value="short"');
  });

  it("refuses a taken username, whatever its case", async () => {
    const username = await client().signup(uniqueUsername("Bob"));
    const response = await client().post("/signup", {
      username: username.toUpperCase(),
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("is taken");
  });

  it("gives the same 401 message for a wrong password and an unknown user", async () => {
    const username = await client().signup();
    const wrongPassword = await client().post("/login", { username, password: "not the password" });
    const unknownUser = await client().post("/login", { username: uniqueUsername("ghost"), password: PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    const message = "That username and password do not match.";
    expect(await wrongPassword.text()).toContain(message);
    expect(await unknownUser.text()).toContain(message);
  });

  it("sends visitors to the login page and back to where they were going", async () => {
    const visitor = client();
    const gate = await visitor.get("/new");
    expect(gate.status).toBe(302);
    expect(gate.headers.get("Location")).toBe("/login?redirectTo=%2Fnew");

    const username = await client().signup();
    const login = await visitor.post("/login", { username, password: PASSWORD, redirectTo: "/new" });
    expect(login.headers.get("Location")).toBe("/new");
    expect((await visitor.get("/new")).status).toBe(200);
  });

  it("never redirects to another site after login", async () => {
    const username = await client().signup();
    for (const redirectTo of ["//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)"]) {
      const response = await client().post("/login", { username, password: PASSWORD, redirectTo });
      expect(response.headers.get("Location"), redirectTo).toBe("/");
    }
  });

  it("keeps the signed-in header on the error page of a refused form", async () => {
    const writer = client();
    const username = await writer.signup();
    for (const [path, init] of [
      ["/new", { method: "PUT", body: { title: "Put" } }],
      ["/new", { method: "POST", body: '{"title":"json"}', headers: { "Content-Type": "application/json" } }],
      ["/settings", { method: "DELETE" }],
    ] as const) {
      const response = await writer.request(path, init);
      expect(response.status, `${init.method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(visibleText(await response.text()), `${init.method} ${path}`).toContain(`${username} Settings Log out`);
    }
  });

  it("creates a post with an image and shows its text as Markdown, HTML escaped, line breaks kept", async () => {
    const author = client();
    const username = await author.signup();
    const id = await author.createPost({
      title: "Hello <world>",
      text: "first line\n  <script>alert(1)</script>",
      image: asBlob(await pngImage(2000, 1000)),
    });
    const html = await (await client().get(`/${id}`)).text();
    expect(html).toContain("Hello &lt;world&gt;");
    expect(html).toContain("<p>first line<br>\n&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    expect(visibleText(html)).toContain(`Created by ${username} just now`);

    const image = await fetch(`${app.url}/${id}/image`);
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/webp");
    const sharp = (await import("sharp")).default;
    const stored = await sharp(new Uint8Array(await image.arrayBuffer())).metadata();
    expect([stored.width, stored.height]).toEqual([1024, 512]);

    const thumbnail = await fetch(`${app.url}/${id}/image?size=thumbnail`);
    const thumb = await sharp(new Uint8Array(await thumbnail.arrayBuffer())).metadata();
    expect([thumb.width, thumb.height]).toEqual([64, 64]);
  });

  it("serves a placeholder for a post without an image", async () => {
    const author = client();
    await author.signup();
    const id = await author.createPost({ title: "No picture" });
    const image = await fetch(`${app.url}/${id}/image`);
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/svg+xml");
  });

  it("re-renders a bad post form with 400 and everything typed", async () => {
    const author = client();
    await author.signup();
    const form = new FormData();
    form.set("title", "");
    form.set("text", "my precious words");
    form.set("image", asBlob(new TextEncoder().encode("not an image at all"), "image/png"), "fake.png");
    const response = await author.post("/new", form);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("A post needs a title.");
    expect(html).toContain("my precious words");
    expect(html).toContain("That file is not an image we can read.");
  });

  it("refuses an image over 10 MB with 413 and keeps the rest of the form", async () => {
    const author = client();
    await author.signup();
    const form = new FormData();
    form.set("title", "Big picture");
    form.set("text", "words worth keeping");
    form.set("image", asBlob(new Uint8Array(10 * 1024 * 1024 + 1)), "huge.png");
    const response = await author.post("/new", form);
    expect(response.status).toBe(413);
    const page = visibleText(await response.text());
    expect(page).toContain("The image is larger than 10 MB. Choose a smaller file.");
    expect(page).toContain("words worth keeping");
  });

  it("lets any signed-in user edit and credits the last editor", async () => {
    const owner = client();
    const ownerName = await owner.signup();
    const id = await owner.createPost({ title: "Original", text: "v1" });

    const editor = client();
    const editorName = await editor.signup();
    const form = new FormData();
    form.set("title", "Edited");
    form.set("text", "v2");
    const response = await editor.post(`/${id}/edit`, form);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/${id}`);
    const page = visibleText(await (await client().get(`/${id}`)).text());
    expect(page).toContain("Edited");
    expect(page).toContain(`Created by ${ownerName} just now`);
    expect(page).toContain(`last edited by ${editorName} just now`);
  });

  it("deletes only by POST and only for the owner", async () => {
    const owner = client();
    await owner.signup();
    const id = await owner.createPost({ title: "Doomed" });
    const stranger = client();
    await stranger.signup();

    expect((await owner.get(`/${id}/delete`)).status).toBe(200);
    expect((await client().get(`/${id}`)).status).toBe(200); // the GET deleted nothing
    expect((await stranger.get(`/${id}/delete`)).status).toBe(403);
    expect((await stranger.post(`/${id}/delete`, {})).status).toBe(403);
    expect((await client().get(`/${id}`)).status).toBe(200);

    const deleted = await owner.post(`/${id}/delete`, {});
    expect(deleted.status).toBe(302);
    // Gone, and said so: 410, not the 404 of an address that never had a post.
    const gone = await client().get(`/${id}`);
    expect(gone.status).toBe(410);
    const page = await gone.text();
    expect(visibleText(page)).toContain("This post was deleted");
    expect(page).toContain("<title>This post was deleted · Quill</title>");
    for (const path of [`/${id}/edit`, `/${id}/delete`]) expect((await owner.get(path)).status, path).toBe(410);
    expect((await client().get("/2147483000")).status).toBe(404);
  });

  it("answers unknown and non-numeric ids with a 404 page inside the layout", async () => {
    for (const path of ["/999999", "/abc", "/0", "/-1", "/1.5", "/99999999999", "/abc/edit", "/no/such/page"]) {
      const response = await client().get(path);
      expect(response.status, path).toBe(404);
      const html = await response.text();
      expect(visibleText(html), path).toContain("Quill Log in Sign up");
      expect(html, path).toContain("<title>Page not found · Quill</title>");
    }
  });
});
