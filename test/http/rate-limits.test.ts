import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { HttpClient, PASSWORD, uniqueUsername, visibleText } from "../support/http-client";

// Sign-ups and password changes are limited like logins (issue 13). This app keeps the
// default sign-up limit (20 an hour per address); every request here comes from 127.0.0.1.
let app: RunningApp;
beforeAll(async () => {
  app = await startApp({ env: { SIGNUP_LIMIT_PER_HOUR: "20" } });
});
afterAll(() => app?.stop());

describe("sign-ups", () => {
  it("make at most 20 accounts an hour from one address, then answer 429 with Retry-After", async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) {
      const response = await new HttpClient(app.url).post("/signup", {
        username: uniqueUsername("bulk"),
        password: PASSWORD,
        confirmPassword: PASSWORD,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(20).fill(302));
    const refused = await new HttpClient(app.url).post("/signup", { username: uniqueUsername("one_more"), password: PASSWORD, confirmPassword: PASSWORD });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(50 * 60);
    expect(refused.headers.get("Set-Cookie")).toBeNull();
    expect(visibleText(await refused.text())).toContain("Too many new accounts from your address.");
  });

  it("refuse a malformed username before anything about it is stored", async () => {
    const response = await new HttpClient(app.url).post("/signup", { username: "x".repeat(10_000), password: PASSWORD, confirmPassword: PASSWORD });
    expect(response.status).toBe(400);
  });
});

describe("password changes", () => {
  it("check the current password at most 10 times in 15 minutes, then refuse even the right one", async () => {
    const client = new HttpClient(app.url);
    // The sign-up limit is spent by now: this account comes from a login instead.
    const owner = new HttpClient(app.url);
    const username = await makeAccountDirectly(owner);
    await client.login(username);
    const change = (current: string) =>
      client.post("/settings", { intent: "change-password", currentPassword: current, newPassword: "a brand new password" });
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect((await change(`wrong ${attempt}`)).status, `attempt ${attempt}`).toBe(400);
    }
    const refused = await change(PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(14 * 60);
    expect(visibleText(await refused.text())).toContain("Too many wrong passwords.");
    // Still the old password: the refused change did not happen.
    await new HttpClient(app.url).login(username);
  });

  it("checks at most 10 of 30 wrong current passwords sent at once", async () => {
    // An app of its own: this address has used up its wrong passwords above.
    const fresh = await startApp();
    const client = new HttpClient(fresh.url);
    await client.signup(uniqueUsername("swarm"));
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, n) =>
        (await client.post("/settings", { intent: "change-password", currentPassword: `guess ${n}`, newPassword: "a brand new password" })).status,
      ),
    );
    expect([statuses.filter((status) => status === 400).length, statuses.filter((status) => status === 429).length]).toEqual([10, 20]);
    await fresh.stop();
  });
});

/** An account made past the sign-up limit: through a second app process on the same file, with its own limit. */
async function makeAccountDirectly(client: HttpClient) {
  const other = await startApp({ dataDir: app.dataDir, env: { SIGNUP_LIMIT_PER_HOUR: "100000" } });
  try {
    return await Object.assign(new HttpClient(other.url), { cookie: null }).signup(uniqueUsername("changer"));
  } finally {
    await other.stop();
    client.cookie = null;
  }
}
