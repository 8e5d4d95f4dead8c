import type { AppLoadContext } from "@remix-run/node";
import { throttleKey, type ThrottledAction } from "~/models/throttle.server";

/**
 * The client's address, as the server worked it out (Express's `trust proxy` with the
 * TRUST_PROXY hop count: server/index.ts), or undefined when nobody told us: under plain
 * `remix-serve` there is no load context.
 */
export function clientAddress(context: AppLoadContext | undefined): string | undefined {
  return context?.clientAddress || undefined;
}

/**
 * The throttle key of the client's address for `action`, as a list to spread among the
 * others: empty when the address is unknown, so that per-address limits are skipped then
 * and per-account ones still apply (one bucket for everybody would let anyone lock everyone out).
 */
export function addressThrottleKeys(action: ThrottledAction, context: AppLoadContext | undefined): string[] {
  const address = clientAddress(context);
  return address ? [throttleKey(action, "address", address)] : [];
}
