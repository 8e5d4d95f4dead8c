import type { LoaderFunctionArgs } from "@remix-run/node";
import { GeneralErrorBoundary } from "~/components/error-boundary";

// Every address no other route claims: a real 404 inside the normal layout, whatever the
// method (a form posted to nowhere is not a 405: nothing lives there). The server hands
// this route a path whose percent-encoding does not decode, with the reason, for a 400.
export function loader({ context }: LoaderFunctionArgs): never {
  if (context.badPath) throw new Response(context.badPath, { status: 400 });
  throw new Response("Nothing lives at this address.", { status: 404 });
}

export const action = loader;

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
