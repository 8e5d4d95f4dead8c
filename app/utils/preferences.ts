import { parse } from "cookie";

// A visitor's preferences that change how pages look, kept in plain cookies so that pages
// are right from the first byte, without JavaScript (docs/decisions/011-reading-and-writing.md):
// the colour theme they chose, and their time zone as the browser reports it (a client
// hint, set by a small script in the page's head).

export const THEME_COOKIE = "quill_theme";
export const TIME_ZONE_COOKIE = "quill_tz";
const ONE_YEAR = 60 * 60 * 24 * 365;

export type Theme = "light" | "dark";
/** What the switch offers: a fixed theme, or whatever the system says. */
export type ThemeChoice = Theme | "system";

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === "light" || value === "dark" || value === "system";
}

/** The visitor's preferences from a Cookie header; anything unknown reads as the default. */
export function readPreferences(cookieHeader: string | null | undefined): { theme: Theme | null; timeZone: string | null } {
  // The parser pageVariant (page-caching.server.ts) keys kept pages with: both read the same values.
  const cookies = cookieHeader ? parse(cookieHeader) : {};
  const theme = cookies[THEME_COOKIE];
  const timeZone = cookies[TIME_ZONE_COOKIE];
  return {
    theme: theme === "light" || theme === "dark" ? theme : null,
    timeZone: timeZone && isTimeZone(timeZone) ? timeZone : null,
  };
}

const knownZones = new Map<string, boolean>();

/** Whether Intl knows the zone ("Europe/Paris"); remembered, since every page asks. */
export function isTimeZone(zone: string): boolean {
  if (zone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1_000) knownZones.set(zone, known);
  }
  return known;
}

/** The Set-Cookie that stores a theme choice ("system" forgets it). Not secret, so not Secure-only. */
export function themeCookie(choice: ThemeChoice): string {
  const attributes = "Path=/; SameSite=Lax";
  return choice === "system" ? `${THEME_COOKIE}=; Max-Age=0; ${attributes}` : `${THEME_COOKIE}=${choice}; Max-Age=${ONE_YEAR}; ${attributes}`;
}

/**
 * The client hint: the browser's time zone into a cookie, and one reload when it was
 * missing or different, so the page is rendered again with dates in the right zone. It
 * only reloads if the cookie really was stored (no loop when cookies are off), and only on
 * pages that are the answer to a plain GET (root.tsx decides).
 */
export function timeZoneHintScript({ reload }: { reload: boolean }) {
  const name = TIME_ZONE_COOKIE;
  return `(function(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;if(!z)return;var r=/(?:^|;\\s*)${name}=([^;]*)/;var m=document.cookie.match(r);if(m&&decodeURIComponent(m[1])===z)return;document.cookie="${name}="+encodeURIComponent(z)+"; Path=/; Max-Age=${ONE_YEAR}; SameSite=Lax";m=document.cookie.match(r);if(${reload ? "true" : "false"}&&m&&decodeURIComponent(m[1])===z)location.reload()}catch(e){}})();`;
}
