// The bench's output: a Markdown table on stdout (pasteable into the README) and a JSON
// file under bench/results/ (git-ignored) with everything measured.
import fs from "node:fs";
import path from "node:path";
import type { Argon2Timing } from "./argon2";
import type { EndpointResult, Measured } from "./load";

export type Report = {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; loadAverageAtStart: number[] };
  options: { database: "sqlite" | "postgresql"; posts: number; duration: number; warmup: number; connections: number; workers: number; webConcurrency: number[] };
  database: { posts: number; imagePosts: number; seedSeconds: number; megabytes: number };
  argon2: Argon2Timing;
  /** One run per worker count, on the same data. */
  runs: {
    webConcurrency: number;
    results: EndpointResult[];
    /** The sum of the server processes' VmHWM at the end: their peaks over the run (at most their peak together). */
    serverPeakRssMb: number;
    /** With --against: the other checkout's server, endpoint by endpoint beside this one. */
    against?: { root: string; results: EndpointResult[] };
  }[];
};

const number = (value: number, digits = 0) =>
  value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function table(results: EndpointResult[]) {
  const rows = results.map((result) =>
    result.available
      ? [
          result.endpoint,
          number(result.requestsPerSecond),
          number(result.latencyMs.p50),
          number(result.latencyMs.p99),
          number(result.errors),
          result.unexpectedStatus === result.non2xx3xx
            ? number(result.non2xx3xx)
            : `${number(result.non2xx3xx)} (${number(result.unexpectedStatus)} not ${expectedStatus(result)})`,
          number(result.serverCpuMsPerRequest, 2),
          number(result.loadCpuMsPerRequest, 2),
          number(result.rssMb),
        ]
      : [result.endpoint, `not available (${result.reason})`, "", "", "", "", "", "", ""],
  );
  const header = ["endpoint", "req/s", "p50 ms", "p99 ms", "errors", "non-2xx/3xx", "server CPU ms/req", "load CPU ms/req", "RSS MB"];
  return [header, header.map((_, n) => (n === 0 ? "---" : "---:")), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Requests a second with the second worker count against the first, endpoint by endpoint. */
export function comparison(first: EndpointResult[], second: EndpointResult[]) {
  const lines = ["| endpoint | ratio |", "| --- | ---: |"];
  for (const a of first) {
    const b = second.find((each) => each.endpoint === a.endpoint);
    if (a.available && b?.available) lines.push(`| ${a.endpoint} | ${number(b.requestsPerSecond / a.requestsPerSecond, 2)}x |`);
  }
  return lines.join("\n");
}

/** How a rendered signed-in front page compares with the framework's floor (the 404 page). */
export function floorRatio(results: EndpointResult[]) {
  const floor = results.find((result) => result.endpoint.includes("404 page"));
  const page = results.find((result) => result.endpoint === "GET / signed in, 50 users");
  if (!floor?.available || !page?.available) return "";
  return `Signed-in front page: ${number(page.serverCpuMsPerRequest, 2)} ms of server CPU, the 404 page ${number(floor.serverCpuMsPerRequest, 2)} ms: ${number(page.serverCpuMsPerRequest / floor.serverCpuMsPerRequest, 1)}x the floor.`;
}

function expectedStatus(result: Measured) {
  const [mostCommon] = Object.entries(result.statusCodes).sort(([, a], [, b]) => b - a);
  return mostCommon ? `the expected status; most were ${mostCommon[0]}` : "the expected status";
}

export function writeReport(directory: string, report: Report) {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${report.date.replace(/[:.]/g, "-")}-${report.options.posts}${report.options.database === "postgresql" ? "-postgresql" : ""}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
