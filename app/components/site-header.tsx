import { Form, Link, useLocation, useNavigation } from "@remix-run/react";

/** The header of every page: who you are, and the way in or out. */
export function SiteHeader({ username }: { username: string | null }) {
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
      <Link to="/" className="brand">
        Quill
      </Link>
      <nav aria-label="Account" className="account">
        {username ? (
          <>
            <span className="who">{`[${username}]`}</span>
            <Link to="/settings">Settings</Link>
            <Form method="post" action="/logout">
              <button type="submit" className="link-button" disabled={loggingOut}>
                {loggingOut ? "Logging out…" : "Logout"}
              </button>
            </Form>
          </>
        ) : (
          <>
            <span className="who">[Anonymous]</span>
            <Link to={loginHref}>Login</Link>
            <Link to="/signup">Sign up</Link>
          </>
        )}
      </nav>
    </header>
  );
}
