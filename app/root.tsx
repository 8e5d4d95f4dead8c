import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { ClockProvider } from "~/components/date-time";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/notice";
import { ProgressBar } from "~/components/progress-bar";
import { SiteFooter } from "~/components/site-footer";
import { SiteHeader } from "~/components/site-header";
import { useThemeChoice } from "~/components/theme-switch";
import stylesheet from "~/styles/app.css?url";
import { errorTitle, SITE_DESCRIPTION, SITE_NAME } from "~/utils/meta";
import { useNonce } from "~/utils/nonce";
import { readPreferences, timeZoneHintScript } from "~/utils/preferences";
import type { RouteHandle } from "~/utils/route-handle";
import { getUser, takeNotice } from "~/utils/session.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "alternate", type: "application/atom+xml", href: "/feed.xml", title: `${SITE_NAME}: newest posts` },
];

export const meta: MetaFunction = ({ error }) => [
  { title: error ? errorTitle(error) : SITE_NAME },
  { name: "description", content: SITE_DESCRIPTION },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const [user, { notice, setCookie }] = await Promise.all([getUser(request), takeNotice(request)]);
  const { theme, timeZone } = readPreferences(request.headers.get("Cookie"));
  const body = {
    // Pages read who is signed in from here rather than asking getUser again.
    username: user?.username ?? null,
    userId: user?.id ?? null,
    theme,
    timeZone,
    // "3 hours ago" is measured from here, in the browser's first render as on the server.
    renderedAt: Date.now(),
    notice: notice ? { id: `${Date.now()}`, message: notice } : null,
  };
  // Only a page that shows a notice sets a cookie (the notice is used up): the others stay
  // the same for every visitor who is not signed in, and can be kept.
  return setCookie ? data(body, { headers: { "Set-Cookie": setCookie } }) : body;
}

// The layout wraps pages and error pages alike, so the header is always there.
export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const root = useRouteLoaderData<typeof loader>("root");
  const choice = useThemeChoice(root?.theme ?? null);
  // The time-zone hint reloads only pages that answer a plain GET: never a form's answer.
  const leaf = useMatches().at(-1);
  const reloadable = (leaf?.handle as RouteHandle | undefined)?.samePageForVisitors === true;
  return (
    <html lang="en" className={choice === "system" ? undefined : choice}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content={choice === "system" ? "light dark" : choice} />
        <Meta />
        <Links />
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: timeZoneHintScript({ reload: reloadable }) }} />
      </head>
      <body>
        <ProgressBar />
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader username={root?.username ?? null} theme={root?.theme ?? null} />
        <ClockProvider renderedAt={root?.renderedAt ?? 0} timeZone={root?.timeZone ?? null}>
          <div id="main" className="main">
            <Notice notice={root?.notice ?? null} />
            {children}
          </div>
        </ClockProvider>
        <SiteFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
