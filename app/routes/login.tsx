import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field } from "~/components/field";
import { beginAttempt, throttleKey } from "~/models/throttle.server";
import { verifyLogin } from "~/models/user.server";
import { addressThrottleKeys } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { safeRedirect } from "~/utils/redirect";
import { createUserSession, getUser } from "~/utils/session.server";
import { USERNAME_PATTERN } from "~/utils/rules";
import { textField } from "~/utils/validation";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Log in · Quill" }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["username", "password", "redirectTo"] });
  const username = textField(formData, "username").trim();
  const password = textField(formData, "password");
  const redirectTo = textField(formData, "redirectTo");
  if (!username || !password) {
    return data({ error: "Enter your username and your password.", username }, { status: 400 });
  }

  // A name that breaks the username rules cannot have an account: no password to check,
  // and nothing stored about it.
  if (!USERNAME_PATTERN.test(username)) return data({ error: NO_MATCH, username }, { status: 401 });
  // Per account, and per client address when the server knows it (not under plain remix-serve).
  const attempt = await beginAttempt("login", [throttleKey("login", "user", username), ...addressThrottleKeys("login", context)]);
  if (!attempt.allowed) {
    const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
    const error =
      attempt.reason === "busy"
        ? "Too many logins at once for this account or address. Try again in a moment."
        : `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    return data({ error, username }, { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } });
  }

  const user = await verifyLogin({ username, password }).catch(async (error: unknown) => {
    await attempt.abandoned();
    throw error;
  });
  if (!user) {
    await attempt.counted();
    return data({ error: NO_MATCH, username }, { status: 401 });
  }
  // The username's count starts over; the address keeps its own.
  await attempt.cleared([throttleKey("login", "user", username)]);
  return createUserSession(user, redirectTo);
}

// One message for an unknown name and a wrong password: no hint about which accounts exist.
const NO_MATCH = "That username and password do not match.";

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  return (
    <main className="page narrow">
      <h1>Log in</h1>
      <Form method="post" className="stack">
        {actionData?.error ? (
          <p className="error" role="alert" id="login-error">
            {actionData.error}
          </p>
        ) : null}
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <Field id="username" label="Username">
          <input
            id="username"
            name="username"
            autoComplete="username"
            required
            defaultValue={actionData?.username}
            aria-describedby={actionData?.error ? "login-error" : undefined}
          />
        </Field>
        <Field id="password" label="Password">
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <div>
          <button type="submit" disabled={submitting}>
            {submitting ? "Logging in…" : "Log in"}
          </button>
        </div>
      </Form>
      <p>
        New here? <Link to={{ pathname: "/signup", search: searchParams.toString() }}>Create an account</Link>
      </p>
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
