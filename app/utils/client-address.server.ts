import type { AppLoadContext } from "@remix-run/node";

/**
 * The client's address, as the server worked it out (Express's `trust proxy` with the
 * TRUST_PROXY hop count: server/index.js), or undefined when nobody told us: under plain
 * `remix-serve` there is no load context. Callers then skip per-address limits and keep
 * the per-account ones.
 */
export function clientAddress(context: AppLoadContext | undefined): string | undefined {
  return context?.clientAddress || undefined;
}
