import { Form, Link, useLocation, useNavigation } from "@remix-run/react";
import { ThemeSwitch } from "~/components/theme-switch";
import type { Theme } from "~/utils/preferences";

/** The header of every page: the site, writing, who you are, and the way in or out. */
export function SiteHeader({ username, theme }: { username: string | null; theme: Theme | null }) {
  const location = useLocation();
  const navigation = useNavigation();
  const loggingOut = navigation.formAction === "/logout";
  // Come back to this page after logging in, unless this page is the login form itself.
  const here = `${location.pathname}${location.search}`;
  const loginHref = ["/login", "/signup", "/"].includes(location.pathname)
    ? "/login"
    : `/login?${new URLSearchParams({ redirectTo: here })}`;

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
              <Link to={`/u/${encodeURIComponent(username)}`} className="who" title="Your posts">
                {username}
              </Link>
              <Link to="/settings">Settings</Link>
              <Form method="post" action="/logout">
                <button type="submit" className="link-button" disabled={loggingOut}>
                  {loggingOut ? "Logging out…" : "Log out"}
                </button>
              </Form>
            </>
          ) : (
            <>
              <Link to={loginHref}>Log in</Link>
              <Link to="/signup" className="button small">
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
