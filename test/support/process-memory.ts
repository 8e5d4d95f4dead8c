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
 * A process's share of physical memory in MB (PSS: its own pages, and an equal part of each
 * page it shares with others, such as Node's own code; 0 once it is gone). Summed over the
 * processes of one server, this is the memory the server takes; summed RSS counts Node's
 * code once per process.
 */
export function proportionalMb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the memory of a process tree (the app: npm start's process, its workers and its
 * image process) every `everyMs` until stopped: the highest totals seen, as summed RSS and
 * as summed PSS (`proportionalMb`).
 */
export function watchMemory(root: number, everyMs = 50) {
  const peak = { resident: 0, proportional: 0 };
  const sample = () => {
    const tree = processTree(root);
    peak.resident = Math.max(peak.resident, tree.reduce((sum, pid) => sum + residentMb(pid), 0));
    peak.proportional = Math.max(peak.proportional, tree.reduce((sum, pid) => sum + proportionalMb(pid), 0));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
