// Where the machine's CPU time went during a run: the server, the bench itself (autocannon
// runs in this process), and everything else. On a shared machine other people's builds
// and tests lower the figures, so every result says how much else was running.
import fs from "node:fs";

/** CPU time all cores spent busy since boot, in ms (/proc/stat counts in 10 ms ticks). */
function machineBusyMs() {
  const [user, nice, system, , , irq, softirq, steal] = fs
    .readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Starts counting; the function it returns gives the totals since then. */
export function watchCpu(serverCpuMs: () => number | null) {
  const started = { at: performance.now(), machine: machineBusyMs(), server: serverCpuMs() ?? NaN, self: process.cpuUsage() };
  return () => {
    const elapsedMs = performance.now() - started.at;
    const serverMs = (serverCpuMs() ?? NaN) - started.server;
    const self = process.cpuUsage(started.self);
    const benchMs = (self.user + self.system) / 1000;
    const otherMs = Math.max(0, machineBusyMs() - started.machine - serverMs - benchMs);
    return { serverMs, benchMs, otherCores: otherMs / elapsedMs };
  };
}
