import { isRouteErrorResponse } from "@remix-run/react";

export const SITE_NAME = "Quill";
export const SITE_DESCRIPTION = "Quill: posts and notes, written and edited together.";

/** "Edit “Tides” · Quill": where you are, then the site. */
export function pageTitle(...parts: string[]) {
  return [...parts, SITE_NAME].join(" · ");
}

/** What an error page is called, by status: the boundary's heading and the page's title. */
export const STATUS_TITLES: Record<number, string> = {
  400: "That request could not be understood",
  403: "Not allowed",
  404: "Page not found",
  405: "Method not allowed",
  410: "This post was deleted",
  413: "Too large",
  415: "Unsupported form",
  429: "Too many attempts",
  503: "Busy right now",
};

export function errorTitle(error: unknown): string {
  if (isRouteErrorResponse(error)) return pageTitle(STATUS_TITLES[error.status] ?? `Error ${error.status}`);
  return pageTitle("Something went wrong");
}
