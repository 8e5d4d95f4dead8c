import fs from "node:fs";

/** A process and all its descendants, found through /proc (Linux). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index++) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
}

/** Resident memory of one process in MB (0 once it is gone). */
export function residentMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the resident memory of a process tree (the app: npm start's process, the server
 * and its workers) every `everyMs` until stopped; `peak` is the highest total seen.
 */
export function watchMemory(root: number, everyMs = 50) {
  let peak = 0;
  const sample = () => {
    const total = processTree(root).reduce((sum, pid) => sum + residentMb(pid), 0);
    peak = Math.max(peak, total);
    return total;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    get peakMb() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
