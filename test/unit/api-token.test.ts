import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiToken, listApiTokens, revokeApiToken, verifyApiToken } from "~/models/api-token.server";
import { TokenNameSchema } from "~/utils/account-schemas";
import { createUser, type SessionUser } from "~/models/user.server";
import { reader } from "~/utils/db.server";

let alice: SessionUser;
let bob: SessionUser;

beforeAll(async () => {
  const made = await Promise.all([
    createUser({ username: "alice", password: "correct horse" }),
    createUser({ username: "bob", password: "correct horse" }),
  ]);
  if (made.includes("taken")) throw new Error("taken");
  [alice, bob] = made as SessionUser[];
});

describe("token names", () => {
  it("are required, trimmed, at most 100 characters, and on one line", () => {
    const valid = (name: string) => TokenNameSchema.safeParse({ name });
    expect(valid("  backup  ")).toMatchObject({ success: true, data: { name: "backup" } });
    expect(valid("   ").success).toBe(false);
    expect(valid("x".repeat(101)).success).toBe(false);
    expect(valid("x".repeat(100)).success).toBe(true);
    expect(valid("two\nlines").success).toBe(false);
    expect(valid("bell\u0007").success).toBe(false);
  });
});

describe("API tokens", () => {
  it("are random, prefixed, and stored only as their SHA-256", async () => {
    const first = await createApiToken({ userId: alice.id, name: "one" });
    const second = await createApiToken({ userId: alice.id, name: "two" });
    expect(first.token).toMatch(/^quill_[A-Za-z0-9_-]{43}$/);
    expect(first.token).not.toBe(second.token);
    const row = await reader().apiToken.findUniqueOrThrow({ where: { id: first.apiToken.id } });
    expect(row.tokenHash).toBe(crypto.createHash("sha256").update(first.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(first.token.slice(6));
  });

  it("identify their owner, and nothing else does", async () => {
    const { token } = await createApiToken({ userId: bob.id, name: "bob's" });
    expect(await verifyApiToken(token)).toEqual({ id: bob.id, username: "bob", sessionVersion: bob.sessionVersion });
    const unknown = `quill_${crypto.randomBytes(32).toString("base64url")}`;
    for (const candidate of [unknown, "", "quill_", token.slice(0, -1), `${token}x`, token.replace("quill_", "QUILL_"), ` ${token}`]) {
      expect(await verifyApiToken(candidate), candidate).toBeNull();
    }
  });

  it("record their last use at most once a minute", async () => {
    const { token, apiToken } = await createApiToken({ userId: alice.id, name: "throttled" });
    const lastUsed = async () => {
      const row = await reader().apiToken.findUniqueOrThrow({ where: { id: apiToken.id }, select: { lastUsedAt: true } });
      return row.lastUsedAt === null ? undefined : row.lastUsedAt.getTime();
    };
    const start = new Date("2030-01-01T00:00:00Z");
    expect(await lastUsed()).toBeUndefined();
    await verifyApiToken(token, start);
    expect(await lastUsed()).toBe(start.getTime());
    await verifyApiToken(token, new Date(start.getTime() + 59_000));
    expect(await lastUsed()).toBe(start.getTime());
    const later = new Date(start.getTime() + 61_000);
    await verifyApiToken(token, later);
    expect(await lastUsed()).toBe(later.getTime());
  });

  it("are listed per user, newest first, and revoked only by their owner", async () => {
    const { token, apiToken } = await createApiToken({ userId: alice.id, name: "to revoke" });
    expect((await listApiTokens(alice.id))[0]).toMatchObject({ id: apiToken.id, name: "to revoke", lastUsedAt: null });
    expect((await listApiTokens(bob.id)).map((listed) => listed.id)).not.toContain(apiToken.id);

    expect(await revokeApiToken({ id: apiToken.id, userId: bob.id })).toBe(false);
    expect(await verifyApiToken(token)).not.toBeNull();
    expect(await revokeApiToken({ id: apiToken.id, userId: alice.id })).toBe(true);
    expect(await verifyApiToken(token)).toBeNull();
    expect(await revokeApiToken({ id: apiToken.id, userId: alice.id })).toBe(false);
  });
});
