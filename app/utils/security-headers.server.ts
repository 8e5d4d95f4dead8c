import crypto from "node:crypto";

// Every other security header (nosniff, framing, referrer, HSTS...) is set by the server on
// every response, with helmet (server/security-headers.ts). The Content-Security-Policy is
// the app's: its nonce belongs to the page being rendered.

export function createNonce() {
  return crypto.randomBytes(16).toString("base64");
}

/** The policy for an HTML page: its nonce lets exactly Remix's own inline scripts run. */
export function contentSecurityPolicy(nonce: string) {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets the nonced module scripts import the route chunks.
    `script-src 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Vite's dev server injects styles at run time; the build links a stylesheet.
    `style-src 'self'${dev ? " 'unsafe-inline'" : ""}`,
    // blob: is the preview of an image picked for upload.
    "img-src 'self' data: blob:",
    // blob: also covers the picked image's preview, which the browser may fetch.
    `connect-src 'self' blob:${dev ? " ws:" : ""}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
