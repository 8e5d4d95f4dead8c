/**
 * Cookies whose values change how a page looks to a visitor who is not signed in: the
 * colour theme they picked (`quill_theme`: light or dark; none follows the system) and the
 * time zone their browser reported (`quill_tz`, for dates in their own time). A kept page
 * is kept once per combination of their values (server/response-cache.ts, through
 * pageVariant in page-caching.server.ts), so a visitor never gets a page rendered for
 * someone else's settings, and visitors with the same settings share one.
 *
 * The names are app/utils/preferences.ts's THEME_COOKIE and TIME_ZONE_COOKIE (a test checks
 * they agree). A cookie added here must be one pages really read, or each value just keeps
 * another copy.
 */
export const PAGE_VARIANT_COOKIES: readonly string[] = ["quill_theme", "quill_tz"];
