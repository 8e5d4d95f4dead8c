import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormErrors } from "~/components/field";
import { beginAttempt, loginClearedKeys, loginThrottleKeys, rememberLoginAddress } from "~/models/throttle.server";
import { verifyLogin } from "~/models/user.server";
import { LoginSchema } from "~/utils/account-schemas";
import { clientAddress } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";
import { USERNAME_PATTERN } from "~/utils/rules";
import { createUserSession, getUser } from "~/utils/session.server";
import { firstOfEach } from "~/utils/validation";

export const meta: MetaFunction = ({ error }) => [{ title: error ? errorTitle(error) : pageTitle("Log in") }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

// One message for an unknown name and a wrong password: no hint about which accounts exist.
const NO_MATCH = "That username and password do not match.";

export async function action({ request, context }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["username", "password", "redirectTo"] });
  const submission = parseWithZod(firstOfEach(formData), { schema: LoginSchema });
  // The password never comes back in the page.
  const refuse = (status: number, message: string, headers?: HeadersInit) =>
    data({ result: submission.reply({ formErrors: [message], hideFields: ["password"] }) }, { status, headers });
  if (submission.status !== "success") return data({ result: submission.reply({ hideFields: ["password"] }) }, { status: 400 });
  const { username, password, redirectTo } = submission.value;

  // A name that breaks the username rules cannot have an account: no password to check,
  // and nothing stored about it.
  if (!USERNAME_PATTERN.test(username)) return refuse(401, NO_MATCH);
  // Per (account, address) and per address, with a higher ceiling per account for addresses
  // it has not logged in from; per account alone when the server does not know the address
  // (plain remix-serve). See app/models/throttle.server.ts.
  const address = clientAddress(context);
  const attempt = await beginAttempt("login", await loginThrottleKeys(username, address));
  if (!attempt.allowed) {
    const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
    const message =
      attempt.reason === "busy"
        ? "Too many logins at once for this account or address. Try again in a moment."
        : `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    return refuse(429, message, { "Retry-After": String(attempt.retryAfterSeconds) });
  }

  const user = await verifyLogin({ username, password }).catch(async (error: unknown) => {
    await attempt.abandoned();
    throw error;
  });
  if (!user) {
    await attempt.counted();
    return refuse(401, NO_MATCH);
  }
  // This pair's count starts over (the address and the account's ceiling keep theirs), and
  // the address becomes one the owner is known to log in from.
  await attempt.cleared(loginClearedKeys(username, address));
  await rememberLoginAddress(username, address);
  return createUserSession(user, redirectTo ?? null);
}

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    id: "login",
    lastResult: actionData?.result,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(firstOfEach(formData), { schema: LoginSchema }),
  });
  const { key: usernameKey, ...usernameProps } = getInputProps(fields.username, { type: "text", ariaDescribedBy: form.errors ? form.errorId : undefined });
  const { key: passwordKey, ...passwordProps } = getInputProps(fields.password, { type: "password" });
  return (
    <main className="page narrow">
      <h1>Log in</h1>
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <Field htmlFor={fields.username.id} label="Username" errors={fields.username.errors} errorId={fields.username.errorId}>
          <input key={usernameKey} {...usernameProps} autoComplete="username" required autoCapitalize="none" spellCheck={false} />
        </Field>
        <Field htmlFor={fields.password.id} label="Password" errors={fields.password.errors} errorId={fields.password.errorId}>
          <input key={passwordKey} {...passwordProps} autoComplete="current-password" required />
        </Field>
        <div>
          <button type="submit" disabled={submitting}>
            {submitting ? "Logging in…" : "Log in"}
          </button>
        </div>
      </Form>
      <p className="after-form">
        New here? <Link to={{ pathname: "/signup", search: searchParams.toString() }}>Sign up</Link>
      </p>
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
