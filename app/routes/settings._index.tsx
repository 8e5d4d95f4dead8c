import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field } from "~/components/field";
import { beginAttempt, throttleKey } from "~/models/throttle.server";
import { changePassword, endAllSessions, passwordProblem } from "~/models/user.server";
import { addressThrottleKeys } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { PASSWORD_MIN_LENGTH } from "~/utils/rules";
import { createUserSession, requireUser } from "~/utils/session.server";
import { textField } from "~/utils/validation";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Settings · Quill" }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { username: user.username };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { formData } = await readForm(request, { fields: ["intent", "currentPassword", "newPassword"] });
  const intent = textField(formData, "intent");

  if (intent === "logout-everywhere") {
    // Every cookie issued so far stops working; this browser gets a fresh one.
    return createUserSession(await endAllSessions(user.id), "/settings?done=sessions");
  }
  if (intent === "change-password") {
    const next = textField(formData, "newPassword");
    const problem = passwordProblem(next);
    if (problem) return data({ errors: { newPassword: problem } }, { status: 400 });
    // Checking the current password is a password guess like a login: limited the same way.
    const accountKey = throttleKey("password", "user", String(user.id));
    const attempt = await beginAttempt("password", [accountKey, ...addressThrottleKeys("password", context)]);
    if (!attempt.allowed) {
      const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
      const form =
        attempt.reason === "busy"
          ? "Too many password changes at once. Try again in a moment."
          : `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
      return data({ errors: { form } }, { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } });
    }
    const updated = await changePassword(user, textField(formData, "currentPassword"), next).catch(async (error: unknown) => {
      await attempt.abandoned();
      throw error;
    });
    if (!updated) {
      await attempt.counted();
      return data({ errors: { currentPassword: "That is not your current password." } }, { status: 400 });
    }
    await attempt.cleared([accountKey]);
    return createUserSession(updated, "/settings?done=password");
  }
  return data({ errors: { form: "Unknown action." } }, { status: 400 });
}

export default function Settings() {
  const { username } = useLoaderData<typeof loader>();
  const errors: Partial<Record<"form" | "currentPassword" | "newPassword", string>> | undefined = useActionData<typeof action>()?.errors;
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  return (
    <main className="page narrow">
      <h1>Settings for {username}</h1>
      <Notice />
      {errors?.form ? <p className="error" role="alert">{errors.form}</p> : null}

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <p>
          Scripts can use the JSON API with a personal token. <Link to="/settings/tokens">Manage API tokens</Link>
        </p>
      </section>

      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="change-password" />
          <input type="hidden" name="username" autoComplete="username" value={username} />
          <Field id="currentPassword" label="Current password" error={errors?.currentPassword}>
            <input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" required />
          </Field>
          <Field id="newPassword" label="New password" error={errors?.newPassword}>
            <input id="newPassword" name="newPassword" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} />
          </Field>
          <div>
            <button type="submit" disabled={busy("change-password")}>
              {busy("change-password") ? "Saving…" : "Change password"}
            </button>
          </div>
          <p className="hint">Changing the password logs you out on every other device.</p>
        </Form>
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Sessions</h2>
        <Form method="post">
          <input type="hidden" name="intent" value="logout-everywhere" />
          <button type="submit" disabled={busy("logout-everywhere")}>
            {busy("logout-everywhere") ? "Logging out…" : "Log out everywhere else"}
          </button>
        </Form>
      </section>
    </main>
  );
}

const NOTICES: Record<string, string> = {
  sessions: "Done: every other browser and device is logged out.",
  password: "Password changed. Every other browser and device is logged out.",
};

function Notice() {
  const [searchParams] = useSearchParams();
  const notice = NOTICES[searchParams.get("done") ?? ""];
  return notice ? (
    <p className="notice" role="status">
      {notice}
    </p>
  ) : null;
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
