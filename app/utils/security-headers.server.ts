import crypto from "node:crypto";

export function createNonce() {
  return crypto.randomBytes(16).toString("base64");
}

/**
 * Headers every response carries. HTML pages also get a Content-Security-Policy whose
 * nonce lets exactly Remix's own inline scripts run.
 */
export function applySecurityHeaders(headers: Headers, request: Request, nonce?: string) {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("X-Frame-Options", "DENY");
  if (isHttps(request)) headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  if (nonce !== undefined) headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
}

function contentSecurityPolicy(nonce: string) {
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

function isHttps(request: Request) {
  return (
    new URL(request.url).protocol === "https:" ||
    request.headers.get("X-Forwarded-Proto")?.split(",")[0]?.trim() === "https"
  );
}
