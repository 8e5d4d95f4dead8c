/**
 * Cookies whose values change how a page looks to a visitor who is not signed in (a theme,
 * a time zone). A kept page is kept once per combination of their values, so a visitor
 * never gets a page rendered for someone else's settings (server/kept-answers.js).
 *
 * Empty for now: no page depends on a cookie other than the session's. A cookie added
 * here must be one the page really reads, or each value just keeps another copy.
 */
export const PAGE_VARIANT_COOKIES: readonly string[] = [];
