import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createUser, endAllSessions, type SessionUser } from "~/models/user.server";
import { createUserSession, getUser, logout, requireUser } from "~/utils/session.server";
import { onPostgres } from "../support/database";

async function newUser(username: string): Promise<SessionUser> {
  const user = await createUser({ username, password: "correct horse" });
  if (user === "taken") throw new Error("taken");
  return user;
}

function requestWith(cookie: string | null, url = "http://quill.test/") {
  return new Request(url, { headers: cookie ? { Cookie: cookie } : {} });
}

async function signIn(user: SessionUser, redirectTo: string | null = null) {
  const response = await createUserSession(user, redirectTo);
  return { response, cookie: (response.headers.get("Set-Cookie") ?? "").split(";")[0] };
}

describe("cookie sessions", () => {
  it("signs a user in and reads them back", async () => {
    const user = await newUser("grace");
    const { response, cookie } = await signIn(user, "/new");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/new");
    expect(await getUser(requestWith(cookie))).toEqual(user);
  });

  it("only redirects to local paths", async () => {
    const user = await newUser("heidi");
    for (const target of ["//evil.example", "https://evil.example", "/\\evil.example", null]) {
      const { response } = await signIn(user, target);
      expect(response.headers.get("Location")).toBe("/");
    }
  });

  it("ignores a tampered cookie", async () => {
    const user = await newUser("ivan");
    const { cookie } = await signIn(user);
    const [name, value] = cookie.split("=");
    const payload = Buffer.from(JSON.stringify({ userId: user.id + 1, sessionVersion: 0 })).toString("base64");
    const forged = `${name}=${encodeURIComponent(payload)}.${value.split(".")[1]}`;
    expect(await getUser(requestWith(forged))).toBeNull();
  });

  it("stops honouring every cookie after the session version changes", async () => {
    const user = await newUser("judy");
    const { cookie } = await signIn(user);
    await endAllSessions(user.id);
    expect(await getUser(requestWith(cookie))).toBeNull();
  });

  it("redirects to login with the current path when nobody is signed in", async () => {
    const thrown = await requireUser(requestWith(null, "http://quill.test/5/edit?x=1")).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).headers.get("Location")).toBe("/login?redirectTo=%2F5%2Fedit%3Fx%3D1");
  });

  it("destroys the cookie on logout", async () => {
    const user = await newUser("ken");
    const { cookie } = await signIn(user);
    const response = await logout(requestWith(cookie));
    expect(response.headers.get("Set-Cookie")).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  // The file is kept beside the SQLite file; on PostgreSQL it would be the project's own
  // data/session-secret (development only: production refuses to start without the variable).
  it.skipIf(onPostgres)("makes a secret beside the database when SESSION_SECRET is unset, and reuses it", async () => {
    const saved = process.env.SESSION_SECRET;
    delete process.env.SESSION_SECRET;
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const databaseFile = (process.env.DATABASE_URL ?? "").replace(/^file:/, "");
      const secretFile = path.join(path.dirname(databaseFile), "session-secret");
      vi.resetModules();
      await import("~/utils/session.server");
      const secret = fs.readFileSync(secretFile, "utf8");
      expect(secret.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
      expect(log).toHaveBeenCalledWith(expect.stringContaining(secretFile));

      vi.resetModules();
      await import("~/utils/session.server");
      expect(fs.readFileSync(secretFile, "utf8")).toBe(secret);
    } finally {
      process.env.SESSION_SECRET = saved;
      log.mockRestore();
    }
  });
});
