import { describe, expect, it } from "vitest";
import { exactDate, friendlyDate } from "~/utils/dates";
import { pageVariant } from "~/utils/page-caching.server";
import { PAGE_VARIANT_COOKIES } from "~/utils/page-variant";
import { readPreferences, THEME_COOKIE, themeCookie, TIME_ZONE_COOKIE, timeZoneHintScript } from "~/utils/preferences";

describe("preferences from cookies", () => {
  it("are exactly the cookies kept pages vary on", () => {
    expect([...PAGE_VARIANT_COOKIES].sort()).toEqual([THEME_COOKIE, TIME_ZONE_COOKIE].sort());
  });

  it("that look different give kept pages different keys, however the header is spelled", () => {
    const headers = [
      null,
      "",
      "quill_theme=dark",
      " quill_theme = dark ",
      "quill_theme=%64ark",
      'quill_theme="dark"',
      "quill_theme=light",
      "quill_theme=dark; quill_theme=light",
      "quill_theme=light; quill_theme=dark",
      "quill_tz=Europe%2FParis",
      "quill_tz=Europe/Paris; quill_theme=dark",
      "quill_tz=Asia%2FTokyo; quill_theme=dark",
      "xquill_theme=dark; quill_tz=UTC",
      "quill_tz=%E0%A4%A",
    ];
    const byKey = new Map<string, string>();
    for (const header of headers) {
      const key = pageVariant(header);
      const seen = JSON.stringify(readPreferences(header));
      expect(byKey.get(key) ?? seen, `${header}`).toBe(seen);
      byKey.set(key, seen);
    }
    // Without them, whatever other cookies come along, every visitor shares one page.
    expect(new Set([null, "", "other=1", "theme=dark; x=y"].map(pageVariant)).size).toBe(1);
  });

  it("read a theme and a time zone Intl knows; anything else is the default", () => {
    expect(readPreferences("quill_theme=dark; quill_tz=Europe%2FParis")).toEqual({ theme: "dark", timeZone: "Europe/Paris" });
    expect(readPreferences(" quill_theme = light ;other=1")).toEqual({ theme: "light", timeZone: null });
    expect(readPreferences("quill_theme=purple; quill_tz=Mars%2FOlympus")).toEqual({ theme: null, timeZone: null });
    expect(readPreferences(`quill_tz=${"A".repeat(100)}`).timeZone).toBeNull();
    expect(readPreferences("quill_tz=%E0%A4%A")).toEqual({ theme: null, timeZone: null });
    expect(readPreferences(null)).toEqual({ theme: null, timeZone: null });
  });

  it("store the theme for a year, and forget it for 'system'", () => {
    expect(themeCookie("dark")).toBe("quill_theme=dark; Max-Age=31536000; Path=/; SameSite=Lax");
    expect(themeCookie("system")).toBe("quill_theme=; Max-Age=0; Path=/; SameSite=Lax");
  });

  it("the hint script reloads only when asked to", () => {
    expect(timeZoneHintScript({ reload: true })).toContain("if(true&&m&&");
    expect(timeZoneHintScript({ reload: false })).toContain("if(false&&m&&");
  });
});

describe("dates as people read them", () => {
  const now = Date.parse("2026-03-12T14:05:00Z");
  const ago = (ms: number) => new Date(now - ms);
  it("are relative for a week, then the date, in the reader's zone", () => {
    expect(friendlyDate(ago(20_000), now, null)).toBe("just now");
    expect(friendlyDate(ago(5 * 60_000), now, null)).toBe("5 minutes ago");
    expect(friendlyDate(ago(3 * 3_600_000), now, null)).toBe("3 hours ago");
    expect(friendlyDate(ago(26 * 3_600_000), now, null)).toBe("yesterday");
    expect(friendlyDate(ago(3 * 86_400_000), now, null)).toBe("3 days ago");
    expect(friendlyDate(new Date("2026-01-31T23:30:00Z"), now, null)).toBe("31 Jan 2026");
    expect(friendlyDate(new Date("2026-01-31T23:30:00Z"), now, "Asia/Tokyo")).toBe("1 Feb 2026");
    // A clock a little ahead of ours is "just now", not "in 2 minutes".
    expect(friendlyDate(new Date(now + 90_000), now, null)).toBe("just now");
  });

  it("say the exact time and its zone on hover: UTC when the reader's is unknown", () => {
    expect(exactDate(new Date("2026-03-12T14:05:00Z"), null)).toBe("12 March 2026 at 14:05 UTC");
    expect(exactDate(new Date("2026-03-12T14:05:00Z"), "America/New_York")).toBe("12 March 2026 at 10:05 (America/New York)");
  });
});
