// What one password costs on this machine, with the app's own parameters.
import { verify } from "@node-rs/argon2";
import { hashPassword } from "~/models/user.server";

export type Argon2Timing = { parameters: string; hashMs: number; verifyMs: number; runs: number };

/** Median of `runs` hashes and of `runs` verifies, one at a time, after one warm-up of each. */
export async function timeArgon2(runs = 15): Promise<Argon2Timing> {
  const password = "correct horse battery staple";
  const stored = await hashPassword(password);
  await verify(stored, password);
  const hashes: number[] = [];
  const verifies: number[] = [];
  for (let n = 0; n < runs; n++) {
    let started = performance.now();
    await hashPassword(password);
    hashes.push(performance.now() - started);
    started = performance.now();
    if (!(await verify(stored, password))) throw new Error("argon2 verify failed");
    verifies.push(performance.now() - started);
  }
  // The parameters as stored in every hash: $argon2id$v=19$m=19456,t=2,p=1$...
  const parameters = stored.split("$").slice(1, 4).join(" ");
  return { parameters, hashMs: median(hashes), verifyMs: median(verifies), runs };
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
