import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormErrors } from "~/components/field";
import { beginAttempt, throttleKey } from "~/models/throttle.server";
import { changePassword, endAllSessions } from "~/models/user.server";
import { LogoutEverywhereSchema, PasswordChangeSchema } from "~/utils/account-schemas";
import { addressThrottleKeys } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { PASSWORD_MIN_LENGTH } from "~/utils/rules";
import { createUserSession, requireUser } from "~/utils/session.server";
import { firstOfEach } from "~/utils/validation";
import type { RouteHandle } from "~/utils/route-handle";

export const handle: RouteHandle = { signedInOnly: true };

export const meta: MetaFunction = ({ error }) => [{ title: error ? errorTitle(error) : pageTitle("Settings") }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { username: user.username };
}

const PASSWORDS = ["currentPassword", "newPassword"];

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { formData } = await readForm(request, { fields: ["intent", "currentPassword", "newPassword", "revokeTokens"] });
  const intent = formData.get("intent");

  if (intent === "logout-everywhere") {
    const submission = parseWithZod(firstOfEach(formData), { schema: LogoutEverywhereSchema });
    const revokeTokens = submission.status === "success" && submission.value.revokeTokens === true;
    // Every cookie issued so far stops working; this browser gets a fresh one.
    const notice = revokeTokens
      ? "Done: every other browser and device is logged out, and your API tokens are revoked."
      : "Done: every other browser and device is logged out.";
    return createUserSession(await endAllSessions(user.id, { revokeTokens }), "/settings", notice);
  }
  if (intent === "change-password") {
    const submission = parseWithZod(firstOfEach(formData), { schema: PasswordChangeSchema });
    if (submission.status !== "success") {
      return data({ intent, result: submission.reply({ hideFields: PASSWORDS }) }, { status: 400 });
    }
    const { currentPassword, newPassword } = submission.value;
    // Checking the current password is a password guess like a login: limited the same way.
    const accountKey = throttleKey("password", "user", String(user.id));
    const attempt = await beginAttempt("password", [accountKey, ...addressThrottleKeys("password", context)]);
    if (!attempt.allowed) {
      const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
      const message =
        attempt.reason === "busy"
          ? "Too many password changes at once. Try again in a moment."
          : `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
      return data(
        { intent, result: submission.reply({ formErrors: [message], hideFields: PASSWORDS }) },
        { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } },
      );
    }
    const updated = await changePassword(user, currentPassword, newPassword).catch(async (error: unknown) => {
      await attempt.abandoned();
      throw error;
    });
    if (!updated) {
      await attempt.counted();
      const fieldErrors = { currentPassword: ["That is not your current password."] };
      return data({ intent, result: submission.reply({ fieldErrors, hideFields: PASSWORDS }) }, { status: 400 });
    }
    await attempt.cleared([accountKey]);
    return createUserSession(updated, "/settings", "Password changed. Every other browser and device is logged out.");
  }
  throw data("Unknown action.", { status: 400 });
}

export default function Settings() {
  const { username } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const [form, fields] = useForm({
    id: "change-password",
    lastResult: actionData?.intent === "change-password" ? actionData.result : undefined,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(firstOfEach(formData), { schema: PasswordChangeSchema }),
  });
  const { key: currentKey, ...currentProps } = getInputProps(fields.currentPassword, { type: "password" });
  const { key: nextKey, ...nextProps } = getInputProps(fields.newPassword, { type: "password", ariaDescribedBy: "newPassword-hint" });
  return (
    <main className="page narrow">
      <h1>Settings</h1>
      <p className="lead">
        Signed in as <Link to={`/u/${encodeURIComponent(username)}`}>{username}</Link>.
      </p>

      <section aria-labelledby="password-heading" className="card">
        <h2 id="password-heading">Change password</h2>
        <Form method="post" className="stack" {...getFormProps(form)}>
          <FormErrors id={form.errorId} errors={form.errors} />
          <input type="hidden" name="intent" value="change-password" />
          <input type="hidden" name="username" autoComplete="username" value={username} />
          <Field htmlFor={fields.currentPassword.id} label="Current password" errors={fields.currentPassword.errors} errorId={fields.currentPassword.errorId}>
            <input key={currentKey} {...currentProps} autoComplete="current-password" required />
          </Field>
          <Field
            htmlFor={fields.newPassword.id}
            label="New password"
            hint={`At least ${PASSWORD_MIN_LENGTH} characters. Changing it logs you out on every other device.`}
            hintId="newPassword-hint"
            errors={fields.newPassword.errors}
            errorId={fields.newPassword.errorId}
          >
            <input key={nextKey} {...nextProps} autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} />
          </Field>
          <div>
            <button type="submit" disabled={busy("change-password")}>
              {busy("change-password") ? "Saving…" : "Change password"}
            </button>
          </div>
        </Form>
      </section>

      <section aria-labelledby="sessions-heading" className="card">
        <h2 id="sessions-heading">Sessions</h2>
        <p>Log out every other browser and device where you are signed in. This one stays signed in.</p>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="logout-everywhere" />
          <div className="checkbox">
            <input type="checkbox" id="revokeTokens" name="revokeTokens" aria-describedby="revokeTokens-hint" />
            <label htmlFor="revokeTokens">Also revoke my API tokens</label>
          </div>
          <p id="revokeTokens-hint" className="hint">
            Tokens belong to scripts, not browsers: they keep working unless you tick this (or revoke them one by one).
          </p>
          <div>
            <button type="submit" className="secondary" disabled={busy("logout-everywhere")}>
              {busy("logout-everywhere") ? "Logging out…" : "Log out everywhere else"}
            </button>
          </div>
        </Form>
      </section>

      <section aria-labelledby="tokens-heading" className="card">
        <h2 id="tokens-heading">API tokens</h2>
        <p>
          Scripts can use the JSON API with a personal token. <Link to="/settings/tokens">Manage API tokens</Link>
        </p>
      </section>
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
