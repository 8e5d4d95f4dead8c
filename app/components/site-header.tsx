import { Form, Link, useLocation, useMatches, useNavigation } from "@remix-run/react";
import { ThemeSwitch } from "~/components/theme-switch";
import type { Theme } from "~/utils/preferences";
import type { RouteHandle } from "~/utils/route-handle";

/**
 * The header of every page: the site, writing, who you are, and the way in or out. It stays
 * one row on any screen with any username (up to 32 characters): a wide screen shows the
 * account's links in a row, the name cut short with the full name as its tooltip; a phone
 * folds them into a menu, a <details> element, so it opens without JavaScript too.
 */
export function SiteHeader({ username, theme }: { username: string | null; theme: Theme | null }) {
  const location = useLocation();
  const matches = useMatches();
  const navigation = useNavigation();
  const loggingOut = navigation.formAction === "/logout";
  const here = `${location.pathname}${location.search}`;
  // Come back to this page after logging in or signing up, unless it is one of those forms.
  const comeBack = ["/login", "/signup", "/"].includes(location.pathname) ? "" : `?${new URLSearchParams({ redirectTo: here })}`;
  // ...and after logging out, unless only signed-in users can see it.
  const signedInOnly = matches.some((match) => (match.handle as RouteHandle | undefined)?.signedInOnly);
  const afterLogout = signedInOnly ? "/" : here;

  const logOut = (
    <Form method="post" action="/logout">
      <input type="hidden" name="redirectTo" value={afterLogout} />
      <button type="submit" className="link-button" disabled={loggingOut}>
        {loggingOut ? "Logging out…" : "Log out"}
      </button>
    </Form>
  );

  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to="/" className="brand">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" className="brand-mark">
            <path d="M20 3c-6 1-11 5-13 12l-2 6 2 .5 1.6-4.6C14 16 18 11 20 3Z" fill="currentColor" />
          </svg>
          Quill
        </Link>
        <nav aria-label="Account" className="account">
          {username ? (
            <>
              <Link to="/new" className="button small">
                New post
              </Link>
              {/* Wide screens: in a row. */}
              <Link to={`/u/${encodeURIComponent(username)}`} className="who wide-only" title={`${username}: your posts`}>
                {username}
              </Link>
              <Link to="/settings" className="wide-only">
                Settings
              </Link>
              <div className="wide-only">{logOut}</div>
              {/* Phones: in a menu (a key on it so that a new page starts with it closed). */}
              <details className="account-menu narrow-only" key={here}>
                <summary title={username}>
                  <span className="visually-hidden">Account menu: </span>
                  <span className="who">{username}</span>
                </summary>
                <div className="account-menu-items">
                  <p className="account-menu-name">
                    Signed in as{" "}
                    <Link to={`/u/${encodeURIComponent(username)}`} className="who">
                      {username}
                    </Link>
                  </p>
                  <Link to="/settings">Settings</Link>
                  {logOut}
                </div>
              </details>
            </>
          ) : (
            <>
              <Link to={`/login${comeBack}`}>Log in</Link>
              <Link to={`/signup${comeBack}`} className="button small">
                Sign up
              </Link>
            </>
          )}
          <ThemeSwitch theme={theme} />
        </nav>
      </div>
    </header>
  );
}
