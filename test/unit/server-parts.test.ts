import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv, type Env } from "../../server/config";
import { decodesAsPath, isHost } from "../../server/malformed-requests";
import { preferredEncoding } from "../../server/response-cache";
import { SegmentedLru } from "../../server/segmented-lru";
import { deflateParts, gzipJoined } from "../../server/spliced-gzip";

// The server's small decisions, each on its own (the whole server is tested over HTTP in
// test/http and test/reliability).

describe("settings", () => {
  const setting = <Name extends keyof Env>(name: Name, value: string | undefined): Env[Name] => parseEnv({ [name]: value })[name];

  it("takes TRUST_PROXY as a hop count and refuses `true` as too trusting", () => {
    expect([undefined, "", "false", "0", "1", "2"].map((value) => setting("TRUST_PROXY", value))).toEqual([0, 0, 0, 0, 1, 2]);
    expect(() => setting("TRUST_PROXY", "true")).toThrow(/^TRUST_PROXY=true is too trusting/);
    for (const bad of ["yes", "-1", "loopback", "1.5"]) expect(() => setting("TRUST_PROXY", bad)).toThrow(ConfigError);
  });

  it("caches responses 60 s unless RESPONSE_CACHE_MAX_AGE_SECONDS (or its old name) says otherwise", () => {
    const maxAge = (value: string | undefined) => setting("RESPONSE_CACHE_MAX_AGE_SECONDS", value);
    expect([undefined, "", "5"].map(maxAge)).toEqual([60, 60, 5]);
    for (const bad of ["0", "1.5", "a minute"]) expect(() => maxAge(bad)).toThrow(/^RESPONSE_CACHE_MAX_AGE_SECONDS takes a number of seconds/);
    expect(parseEnv({ KEPT_ANSWERS_MAX_AGE_SECONDS: "7" }).RESPONSE_CACHE_MAX_AGE_SECONDS).toBe(7);
    expect(() => parseEnv({ KEPT_ANSWERS_MAX_AGE_SECONDS: "soon" })).toThrow(/^KEPT_ANSWERS_MAX_AGE_SECONDS takes/);
    expect(parseEnv({ RESPONSE_CACHE_MAX_AGE_SECONDS: "3", KEPT_ANSWERS_MAX_AGE_SECONDS: "7" }).RESPONSE_CACHE_MAX_AGE_SECONDS).toBe(3);
  });

  it("takes WEB_CONCURRENCY as a number of workers, one per core by default", () => {
    expect(setting("WEB_CONCURRENCY", "3")).toBe(3);
    expect(setting("WEB_CONCURRENCY", undefined)).toBeGreaterThanOrEqual(1);
    for (const bad of ["0", "two", "-2"]) expect(() => setting("WEB_CONCURRENCY", bad)).toThrow(/^WEB_CONCURRENCY takes a number of worker processes/);
  });

  it("takes PORT as a port number, ORIGIN as a list of origins, COOKIE_SECURE as true or false", () => {
    expect(setting("PORT", undefined)).toBe(3000);
    expect(setting("PORT", "8080")).toBe(8080);
    expect(() => setting("PORT", "99999")).toThrow(/^PORT takes a port number, not "99999"/);
    expect(setting("ORIGIN", " https://a.example/, https://b.example ,")).toEqual(["https://a.example", "https://b.example"]);
    expect([undefined, "true", "FALSE"].map((value) => setting("COOKIE_SECURE", value))).toEqual([true, true, false]);
    expect(() => setting("COOKIE_SECURE", "no")).toThrow(/^COOKIE_SECURE takes true or false, not "no"/);
  });
});

it("tells host names from what is not one", () => {
  for (const good of ["localhost", "localhost:3000", "127.0.0.1:8080", "[::1]:3000", "blog.example", "xn--bcher-kva.example"]) {
    expect(isHost(good), good).toBe(true);
  }
  for (const bad of ["exa mple", "[::1", ":99999", "localhost:99999", "a/b", "", "999.999.999.999", "a@b"]) expect(isHost(bad), bad).toBe(false);
});

it("tells a path whose percent-encoding decodes from one that does not", () => {
  for (const good of ["/", "/1/edit", "/%25", "/caf%C3%A9", "/a%20b"]) expect(decodesAsPath(good), good).toBe(true);
  for (const bad of ["/%", "/%zz", "/%E0%A4%A", "/%FF", "/1%/edit"]) expect(decodesAsPath(bad), bad).toBe(false);
});

it("picks Brotli, else gzip, else nothing, as the client allows", () => {
  expect(preferredEncoding("gzip, deflate, br, zstd")).toBe("br");
  expect(preferredEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
  expect(preferredEncoding("*;q=0, identity")).toBeNull();
  expect(preferredEncoding(undefined)).toBeNull();
});

describe("the response cache's memory (a segmented LRU)", () => {
  const entry = (bytes = 1) => ({ bytes });

  it("keeps at most so many entries and bytes, making room from the oldest asked for once", () => {
    const store = new SegmentedLru<{ bytes: number }>({ maxEntries: 10, maxBytes: 100 });
    for (let n = 0; n < 15; n++) store.set(`k${n}`, entry());
    expect(store.size).toBe(10);
    expect(store.get("k0")).toBeUndefined();
    expect(store.get("k14")).toBeDefined();
    store.set("big", entry(95));
    expect(store.bytes).toBeLessThanOrEqual(100);
  });

  it("keeps what is asked for again through a flood of answers asked for once", () => {
    const store = new SegmentedLru<{ bytes: number }>({ maxEntries: 10, maxBytes: 1_000 });
    for (const key of ["front", "post"]) {
      store.set(key, entry());
      store.get(key);
    }
    for (let n = 0; n < 1_500; n++) store.set(`/?junk=${n}`, entry());
    expect(store.get("front")).toBeDefined();
    expect(store.get("post")).toBeDefined();
    expect(store.size).toBe(10);
  });

  it("gives its protected part at most 80%, so new answers still find room", () => {
    const store = new SegmentedLru<{ bytes: number }>({ maxEntries: 10, maxBytes: 1_000 });
    for (let n = 0; n < 10; n++) {
      store.set(`hot${n}`, entry());
      store.get(`hot${n}`);
    }
    store.set("new", entry());
    expect(store.get("new")).toBeDefined();
    expect(store.size).toBe(10);
  });
});

it("splices a kept page's gzip around each new nonce, readable by any gzip decoder", () => {
  const nonce = "k3J0bm9uY2UrLz0=";
  const pages = [
    `<!DOCTYPE html><script nonce="${nonce}">1</script><p>héllo 🌍</p><script nonce="${nonce}">2</script>`,
    `${nonce}${nonce}at both ends, and twice in a row${nonce}`,
    "no nonce at all",
    "",
    `<p>${"a long page, ".repeat(20_000)}</p><script nonce="${nonce}"></script>`,
  ];
  for (const page of pages) {
    const parts = page.split(nonce).map((part) => Buffer.from(part));
    const deflated = deflateParts(parts);
    for (const fresh of ["AAAAAAAAAAAAAAAAAAAAAA==", "/+/+/+/+/+/+/+/+/+/+/w=="]) {
      const expected = page.split(nonce).join(fresh);
      // gunzipSync checks the CRC-32 and the length as well as the blocks.
      expect(zlib.gunzipSync(gzipJoined(parts, deflated, Buffer.from(fresh))).toString("utf8")).toBe(expected);
    }
  }
});
