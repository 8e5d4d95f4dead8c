import fs from "node:fs";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { imageProcessPid, isAlive, startApp, workerPids, type RunningApp } from "../support/app-server";
import { HttpClient, uniqueUsername } from "../support/http-client";

// Uploads are decoded in one image process per machine (server/image-process.ts), started
// and watched by `npm start`'s primary: at a lower CPU priority, replaced when it dies or
// grows too large, and never in the web workers.

const running: RunningApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(env: Record<string, string> = {}) {
  const app = await startApp({ env });
  running.push(app);
  const owner = new HttpClient(app.url);
  await owner.signup(uniqueUsername("img"));
  const postId = await owner.createPost({ title: "A post for pictures" });
  const page = await owner.post("/settings/tokens", { intent: "create", name: "uploads" });
  const token = /quill_[A-Za-z0-9_-]{43}/.exec(await page.text())![0];
  const upload = async (bytes: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(`${app.url}/api/${postId}/image`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" },
      body: bytes,
    });
    return { status: response.status, retryAfter: response.headers.get("Retry-After"), body: (await response.json()) as { reason?: string } };
  };
  return { app, upload };
}

async function waitFor<T>(value: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = value();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Each thread of a process: its name and nice value (Linux). */
function threads(pid: number) {
  const found: { name: string; nice: number }[] = [];
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${thread}/stat`, "utf8");
      found.push({
        name: fs.readFileSync(`/proc/${pid}/task/${thread}/comm`, "utf8").trim(),
        nice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]),
      });
    } catch {
      // the thread ended while we looked
    }
  }
  return found;
}

// 40 megapixels: a decode of a few hundred ms, long enough to watch.
const bigPhoto = async () => new Uint8Array(await sharp({ create: { width: 8000, height: 5000, channels: 3, background: "#7b3ad5" } }).png().toBuffer());

describe("the image process", () => {
  it("decodes every upload at nice 10, while the web workers serve at 0 and never load libvips", async () => {
    const { app, upload } = await start();
    const photo = await bigPhoto();
    const pid = await waitFor(() => imageProcessPid(app), 5_000, "the image process");
    const seen: { name: string; nice: number }[] = [];
    const watcher = setInterval(() => seen.push(...threads(pid)), 5);
    const outcome = await upload(photo).finally(() => clearInterval(watcher));
    expect(outcome.status).toBe(200);
    const decoding = seen.filter(({ name }) => name.startsWith("libvips"));
    expect(decoding.length).toBeGreaterThan(0);
    expect(new Set(decoding.map(({ nice }) => nice))).toEqual(new Set([10]));
    // libuv's pool threads (where sharp runs) too, and the main thread.
    expect(threads(pid)[0]).toEqual({ name: "node", nice: 10 });
    for (const worker of workerPids(app)) {
      expect(threads(worker).some(({ name }) => name.startsWith("libvips"))).toBe(false);
      expect(fs.readFileSync(`/proc/${worker}/maps`, "utf8")).not.toMatch(/libvips/);
      expect(threads(worker)[0].nice).toBe(0);
    }
  });

  it("is replaced when it dies: the upload it held gets 503 with Retry-After, the next one works", async () => {
    const { app, upload } = await start();
    const photo = await bigPhoto();
    const first = await waitFor(() => imageProcessPid(app), 5_000, "the image process");
    const held = upload(photo);
    // Killed in the middle of the decode, once libvips has started.
    await waitFor(() => threads(first).some(({ name }) => name.startsWith("libvips")) || undefined, 5_000, "the decode to start");
    process.kill(first, "SIGKILL");
    const refused = await held;
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBeTruthy();
    expect(refused.body.reason).toMatch(/send it again/);
    const second = await waitFor(() => (imageProcessPid(app) === first ? undefined : imageProcessPid(app)), 5_000, "a new image process");
    expect(second).not.toBe(first);
    expect(app.output()).toMatch(new RegExp(`image process ${first} was killed by SIGKILL after [0-9.]+ s; starting another`));
    // Until the new one listens (a second or so), uploads are told to come again.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 200 && statuses.length < 50) {
      statuses.push((await upload(photo)).status);
      if (statuses.at(-1) === 503) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses.at(-1)).toBe(200);
    expect(new Set(statuses.slice(0, -1))).not.toContain(500);
    expect(isAlive(second)).toBe(true);
  });

  it("is replaced once it holds more than IMAGE_PROCESS_MAX_MB, without refusing an upload", async () => {
    const { app, upload } = await start({ IMAGE_PROCESS_MAX_MB: "1" });
    const photo = await bigPhoto();
    const first = await waitFor(() => imageProcessPid(app), 5_000, "the image process");
    expect(await upload(photo)).toMatchObject({ status: 200 });
    await waitFor(() => !isAlive(first) || undefined, 5_000, "the first image process to retire");
    expect(app.output()).toMatch(new RegExp(`image process ${first} uses [0-9]+ MB, over IMAGE_PROCESS_MAX_MB=1`));
    expect(await upload(photo)).toMatchObject({ status: 200 });
    expect(imageProcessPid(app)).not.toBe(first);
  });
});
