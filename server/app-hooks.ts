// What the server takes from the app: the functions app/entry.server.tsx exports beside
// Remix's handlers, reached as the server build's `entry.module`. Remix types that module
// as its own (handleRequest...), so the type here comes from the entry's source: a change
// to one of these exports fails `npm run typecheck` here, and a build without them (an
// old build) stops the server at start with what to do.
import type { ServerBuild } from "@remix-run/node";
import type * as Entry from "../app/entry.server";

export type AppHooks = Pick<
  typeof Entry,
  "answerImageRequest" | "contentVersion" | "hasSessionCookie" | "pageVariant" | "decodeImagesWith" | "maxRequestBodyBytes"
>;

const NAMES = ["answerImageRequest", "contentVersion", "hasSessionCookie", "pageVariant", "decodeImagesWith", "maxRequestBodyBytes"] as const satisfies readonly (keyof AppHooks)[];

export function appHooks(build: ServerBuild): AppHooks {
  const module = build.entry.module as unknown as Record<string, unknown>;
  const missing = NAMES.filter((name) => module[name] === undefined);
  if (missing.length > 0) throw new Error(`The server build's entry module lacks ${missing.join(", ")}: build the app again (npm run build).`);
  return module as unknown as AppHooks;
}
