import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Image decodes take turns across worker processes (server/decode-turns.ts), over a real
// node:cluster channel: three workers, one turn.
const CLUSTER = path.resolve(
  import.meta.dirname,
  "../support/decode-turns-cluster.js"
);

type Result = {
  worker: number;
  exitCode?: number;
  start?: number;
  end?: number;
  outcome?: string;
  first?: string;
  second?: string;
};

async function run(scenario: string): Promise<Result[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", CLUSTER], {
    env: { ...process.env, SCENARIO: scenario },
    timeout: 20_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Result[];
}

// Each of the four processes loads the TypeScript through tsx: seconds on a busy machine.
describe("decode turns across workers", { timeout: 30_000 }, () => {
  it("runs one decode at a time over all the workers", async () => {
    const results = await run("one at a time");
    const decodes = results
      .filter((result) => result.start !== undefined)
      .sort((a, b) => a.start! - b.start!);
    expect(decodes).toHaveLength(12);
    expect(new Set(decodes.map(({ worker }) => worker)).size).toBe(3);
    for (let n = 1; n < decodes.length; n++)
      expect(decodes[n].start!).toBeGreaterThanOrEqual(
        decodes[n - 1].end! - 0.5
      );
  });

  it("gives back the turn of a worker that dies while decoding", async () => {
    const results = await run("a worker dies holding the turn");
    expect(
      results.find(
        ({ worker, exitCode }) => worker === 0 && exitCode !== undefined
      )?.exitCode
    ).toBe(3);
    const outcomes = results
      .filter(({ outcome }) => outcome)
      .sort((a, b) => a.worker - b.worker);
    expect(outcomes).toEqual([
      { worker: 1, outcome: "ran" },
      { worker: 2, outcome: "ran" },
    ]);
  });

  it("answers busy when the wait runs out, and the cancelled wait keeps no turn", async () => {
    const results = await run("a wait runs out");
    expect(results.filter(({ first }) => first)).toEqual([
      { worker: 1, first: "busy", second: "ran" },
    ]);
  });
});
