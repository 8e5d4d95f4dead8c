import crypto from "node:crypto";
import type http from "node:http";
import type { TLSSocket } from "node:tls";

export function createNonce() {
  return crypto.randomBytes(16).toString("base64");
}

/**
 * Headers every response carries. HTML pages also get a Content-Security-Policy whose
 * nonce lets exactly Remix's own inline scripts run.
 */
export function securityHeaders({ https, nonce }: { https: boolean; nonce?: string }): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
  };
  if (https) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  if (nonce !== undefined) headers["Content-Security-Policy"] = contentSecurityPolicy(nonce);
  return headers;
}

/** securityHeaders() for a Fetch request, set on `headers`. */
export function applySecurityHeaders(headers: Headers, request: Request, nonce?: string) {
  for (const [name, value] of Object.entries(securityHeaders({ https: isHttpsRequest(request), nonce }))) {
    headers.set(name, value);
  }
}

/** Whether a Fetch request came over HTTPS, itself or through a TLS-terminating proxy. */
export function isHttpsRequest(request: Request) {
  return new URL(request.url).protocol === "https:" || isHttpsProxied(request.headers.get("X-Forwarded-Proto"));
}

/** Whether a raw Node request came over HTTPS, itself or through a TLS-terminating proxy. */
export function isHttpsMessage(message: http.IncomingMessage) {
  const forwarded = message.headers["x-forwarded-proto"];
  return (message.socket as TLSSocket | null)?.encrypted === true || isHttpsProxied(typeof forwarded === "string" ? forwarded : null);
}

function isHttpsProxied(forwardedProto: string | null) {
  return forwardedProto?.split(",")[0]?.trim() === "https";
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
