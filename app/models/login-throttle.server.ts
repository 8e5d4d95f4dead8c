import { prisma } from "~/utils/db.server";

// At most 10 failed logins per username and per client address in 15 minutes.
export const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60 * 1000;

function throttleKeys(username: string, address: string) {
  return [`user:${username.toLowerCase()}`, `address:${address}`];
}

/** Seconds until another attempt is allowed, or 0 when the attempt may go ahead. */
export async function loginRetryAfter(username: string, address: string, now = new Date()): Promise<number> {
  const rows = await prisma.loginThrottle.findMany({
    where: { key: { in: throttleKeys(username, address) }, failures: { gte: MAX_FAILURES } },
  });
  const waits = rows.map((row) => row.windowStart.getTime() + WINDOW_MS - now.getTime());
  return Math.max(0, ...waits.map((ms) => Math.ceil(ms / 1000)));
}

/** Counts a failed login against both the username and the address. */
export async function recordLoginFailure(username: string, address: string, now = new Date()) {
  const windowOpenedAfter = new Date(now.getTime() - WINDOW_MS);
  for (const key of throttleKeys(username, address)) {
    // A window that has run out starts over; otherwise one more failure in it.
    const { count } = await prisma.loginThrottle.updateMany({
      where: { key, windowStart: { gt: windowOpenedAfter } },
      data: { failures: { increment: 1 } },
    });
    if (count === 0) {
      await prisma.loginThrottle.upsert({
        where: { key },
        create: { key, failures: 1, windowStart: now },
        update: { failures: 1, windowStart: now },
      });
    }
  }
}

/** A successful login clears the username's count (the address keeps its own). */
export async function clearLoginFailures(username: string) {
  await prisma.loginThrottle.deleteMany({ where: { key: throttleKeys(username, "")[0] } });
}
