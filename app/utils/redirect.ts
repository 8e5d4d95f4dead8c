const DEFAULT_REDIRECT = "/";

/**
 * Only same-site paths: "/x" is fine; "//host", "/\host", "http:..." and anything with
 * control characters would send the user elsewhere, so they become the default. So does
 * anything but visible ASCII: our own links are percent-encoded, and a Location header
 * cannot carry other characters (a "/☃" made the redirect itself throw, a 500).
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_REDIRECT) {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  if (to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (/[^\u0021-\u007e]|\\/.test(to)) return fallback;
  return to;
}
