import { GeneralErrorBoundary } from "~/components/error-boundary";

// Every address no other route claims: a real 404 inside the normal layout.
export function loader() {
  throw new Response("Nothing lives at this address.", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
