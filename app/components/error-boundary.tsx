import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";

type StatusHandler = (error: { status: number; message: string }) => ReactNode;

const defaultHandlers: Record<number, StatusHandler> = {
  400: ({ message }) => <Problem title="That request could not be understood" detail={message} />,
  403: ({ message }) => <Problem title="Not allowed" detail={message || "You may not do that."} />,
  404: ({ message }) => <Problem title="Page not found" detail={message || "Nothing lives at this address."} />,
  405: ({ message }) => <Problem title="Method not allowed" detail={message} />,
  413: ({ message }) => <Problem title="Too large" detail={message} />,
  415: ({ message }) => <Problem title="Unsupported form" detail={message} />,
  429: ({ message }) => <Problem title="Too many attempts" detail={message} />,
  503: ({ message }) => <Problem title="Busy right now" detail={message || "Please try again in a moment."} />,
};

/**
 * The error page used by the root and by routes: known statuses get a page that says what
 * happened; anything else is a plain 500 (details stay in the server log, never the page).
 */
export function GeneralErrorBoundary({ statusHandlers }: { statusHandlers?: Record<number, StatusHandler> }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === "string" ? error.data : "";
    const handler = statusHandlers?.[error.status] ?? defaultHandlers[error.status];
    if (handler) return <>{handler({ status: error.status, message })}</>;
    return <Problem title={`Error ${error.status}`} detail={message || error.statusText} />;
  }
  if (typeof document !== "undefined" || process.env.NODE_ENV !== "production") console.error(error);
  return <Problem title="Something went wrong" detail="The error has been logged. Please try again in a moment." />;
}

function Problem({ title, detail }: { title: string; detail?: string }) {
  return (
    <main className="page problem">
      <h1>{title}</h1>
      {detail ? <p>{detail}</p> : null}
      <p>
        <Link to="/">Back to all posts</Link>
      </p>
    </main>
  );
}
