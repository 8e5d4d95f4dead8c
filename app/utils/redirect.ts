const DEFAULT_REDIRECT = "/";

/**
 * Only same-site paths: "/x" is fine; "//host", "/\host", "http:..." and anything with
 * control characters would send the user elsewhere, so they become the default.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_REDIRECT) {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  if (to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  return to;
}
