// The security headers of every response, whoever answers it (kept pages, images, static
// files, redirects, 304s, errors): set here, first, by helmet. The Content-Security-Policy
// is left to the app, which renders the page and so knows its nonce (app/entry.server.tsx).
import type { RequestHandler } from "express";
import helmet, { type HelmetOptions } from "helmet";

const OPTIONS: HelmetOptions = {
  contentSecurityPolicy: false,
  xFrameOptions: { action: "deny" },
  // The full origin to our own pages (the login page's redirectTo needs none); only the
  // origin to other sites.
  referrerPolicy: { policy: "strict-origin-when-cross-origin" },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
};

// HSTS only over HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto): over
// plain HTTP it means nothing, and a development host would be told to refuse HTTP.
const overHttps = helmet(OPTIONS);
const overHttp = helmet({ ...OPTIONS, strictTransportSecurity: false });

// Helmet does not set this one: no page of Quill needs these browser features.
const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

export const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
  (req.secure ? overHttps : overHttp)(req, res, next);
};
