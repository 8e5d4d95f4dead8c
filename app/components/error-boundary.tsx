import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
import { STATUS_TITLES } from "~/utils/meta";

type StatusHandler = (error: { status: number; message: string }) => ReactNode;

const DEFAULT_DETAILS: Record<number, string> = {
  403: "You may not do that.",
  404: "Nothing lives at this address.",
  410: "Its author deleted it. Nothing lives at this address any more.",
  503: "Please try again in a moment.",
};

/**
 * The error page used by the root and by routes: known statuses get a page that says what
 * happened; anything else is a plain 500 (details stay in the server log, never the page).
 */
export function GeneralErrorBoundary({ statusHandlers }: { statusHandlers?: Record<number, StatusHandler> }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === "string" ? error.data : "";
    const handler = statusHandlers?.[error.status];
    if (handler) return <>{handler({ status: error.status, message })}</>;
    const title = STATUS_TITLES[error.status] ?? `Error ${error.status}`;
    return <Problem status={error.status} title={title} detail={message || DEFAULT_DETAILS[error.status] || error.statusText} />;
  }
  if (typeof document !== "undefined" || process.env.NODE_ENV !== "production") console.error(error);
  return <Problem status={500} title="Something went wrong" detail="The error has been logged. Please try again in a moment." />;
}

export function Problem({ status, title, detail }: { status: number; title: string; detail?: string }) {
  return (
    <main className="page narrow problem">
      <p className="problem-status">{status === 500 ? "Error" : `Error ${status}`}</p>
      <h1>{title}</h1>
      {detail ? <p className="lead">{detail}</p> : null}
      <p>
        <Link to="/" className="button secondary">
          Back to all posts
        </Link>
      </p>
    </main>
  );
}
