// How dates read: relative ("3 hours ago") for the last week, the date itself before that,
// and the exact time with its zone on hover. The same on the server and in the browser:
// one fixed locale, and the reader's time zone from their cookie (UTC without one).

const LOCALE = "en-GB";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Building an Intl.DateTimeFormat costs far more than using one: one per zone and style.
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string, style: "exact" | "day"): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let formatter = formats.get(key);
  if (!formatter) {
    formatter =
      style === "exact"
        ? new Intl.DateTimeFormat(LOCALE, { dateStyle: "long", timeStyle: "short", timeZone })
        : new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", year: "numeric", timeZone });
    if (formats.size > 200) formats.clear();
    formats.set(key, formatter);
  }
  return formatter;
}

const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

/** "12 March 2026 at 14:05 (Europe/Paris)", or "... UTC" when the reader's zone is unknown. */
export function exactDate(date: Date, timeZone: string | null): string {
  const text = format(timeZone ?? "UTC", "exact").format(date);
  return timeZone ? `${text} (${timeZone.replace(/_/g, " ")})` : `${text} UTC`;
}

/** "just now", "3 hours ago", "yesterday", then "12 Mar 2026". */
export function friendlyDate(date: Date, now: number, timeZone: string | null): string {
  const ago = now - date.getTime();
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return relative.format(-Math.floor(ago / MINUTE), "minute");
  if (ago < DAY) return relative.format(-Math.floor(ago / HOUR), "hour");
  if (ago < 7 * DAY) return relative.format(-Math.floor(ago / DAY), "day");
  return format(timeZone ?? "UTC", "day").format(date);
}
