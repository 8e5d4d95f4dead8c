import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormErrors } from "~/components/field";
import { beginAttempt } from "~/models/throttle.server";
import { createUser } from "~/models/user.server";
import { SignupSchema } from "~/utils/account-schemas";
import { addressThrottleKeys } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";
import { PASSWORD_MIN_LENGTH, USERNAME_RULE } from "~/utils/rules";
import { createUserSession, getUser } from "~/utils/session.server";
import { firstOfEach } from "~/utils/validation";

export const meta: MetaFunction = ({ error }) => [{ title: error ? errorTitle(error) : pageTitle("Sign up") }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

// Passwords never come back in the page.
const HIDDEN = ["password", "confirmPassword"];

export async function action({ request, context }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["username", "password", "confirmPassword", "redirectTo"] });
  const submission = parseWithZod(firstOfEach(formData), { schema: SignupSchema });
  if (submission.status !== "success") return data({ result: submission.reply({ hideFields: HIDDEN }) }, { status: 400 });
  const { username, password, redirectTo } = submission.value;

  // Every account costs a password hash and a row: a limited number an hour per address.
  const attempt = await beginAttempt("signup", addressThrottleKeys("signup", context));
  if (!attempt.allowed) {
    const message =
      attempt.reason === "busy"
        ? "Too many sign-ups at once from your address. Try again in a moment."
        : `Too many new accounts from your address. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`;
    return data(
      { result: submission.reply({ formErrors: [message], hideFields: HIDDEN }) },
      { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } },
    );
  }
  const user = await createUser({ username, password }).catch(async (error: unknown) => {
    await attempt.abandoned();
    throw error;
  });
  await attempt.counted();
  if (user === "taken") {
    const message = `The username “${username}” is taken. Choose another one.`;
    return data({ result: submission.reply({ fieldErrors: { username: [message] }, hideFields: HIDDEN }) }, { status: 400 });
  }
  return createUserSession(user, redirectTo ?? null, `Welcome to Quill, ${user.username}! You are signed in.`);
}

export default function Signup() {
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    id: "signup",
    lastResult: actionData?.result,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(firstOfEach(formData), { schema: SignupSchema }),
  });
  const { key: usernameKey, ...usernameProps } = getInputProps(fields.username, { type: "text", ariaDescribedBy: "username-hint" });
  const { key: passwordKey, ...passwordProps } = getInputProps(fields.password, { type: "password", ariaDescribedBy: "password-hint" });
  const { key: confirmKey, ...confirmProps } = getInputProps(fields.confirmPassword, { type: "password" });
  return (
    <main className="page narrow">
      <h1>Create an account</h1>
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <Field
          htmlFor={fields.username.id}
          label="Username"
          hint={`${USERNAME_RULE}. People see it on your posts.`}
          hintId="username-hint"
          errors={fields.username.errors}
          errorId={fields.username.errorId}
        >
          <input
            key={usernameKey}
            {...usernameProps}
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_\-]{3,32}"
            autoCapitalize="none"
            spellCheck={false}
          />
        </Field>
        <Field
          htmlFor={fields.password.id}
          label="Password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters`}
          hintId="password-hint"
          errors={fields.password.errors}
          errorId={fields.password.errorId}
        >
          <input key={passwordKey} {...passwordProps} autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} />
        </Field>
        <Field htmlFor={fields.confirmPassword.id} label="Password again" errors={fields.confirmPassword.errors} errorId={fields.confirmPassword.errorId}>
          <input key={confirmKey} {...confirmProps} autoComplete="new-password" required />
        </Field>
        <div>
          <button type="submit" disabled={submitting}>
            {submitting ? "Creating account…" : "Sign up"}
          </button>
        </div>
      </Form>
      <p className="after-form">
        Have an account already? <Link to={{ pathname: "/login", search: searchParams.toString() }}>Log in</Link>
      </p>
    </main>
  );
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
