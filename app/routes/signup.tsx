import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field } from "~/components/field";
import { beginAttempt } from "~/models/throttle.server";
import { createUser, validateNewCredentials } from "~/models/user.server";
import { addressThrottleKeys } from "~/utils/client-address.server";
import { readForm } from "~/utils/form.server";
import { PASSWORD_MIN_LENGTH, USERNAME_RULE } from "~/utils/rules";
import { safeRedirect } from "~/utils/redirect";
import { createUserSession, getUser } from "~/utils/session.server";
import { textField, type FieldErrors } from "~/utils/validation";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Sign up · Quill" }];

// Remix passes on only Set-Cookie from an action by itself; the 429 needs its Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

type SignupField = "username" | "password" | "confirmPassword";

export async function action({ request, context }: ActionFunctionArgs) {
  const { formData } = await readForm(request, { fields: ["username", "password", "confirmPassword", "redirectTo"] });
  const username = textField(formData, "username").trim();
  const password = textField(formData, "password");
  const redirectTo = textField(formData, "redirectTo");

  const validated = validateNewCredentials({ username, password });
  const errors: FieldErrors<SignupField> = validated.ok ? {} : { ...validated.errors };
  if (!errors.password && formData.has("confirmPassword") && textField(formData, "confirmPassword") !== password) {
    errors.confirmPassword = "The two passwords are not the same.";
  }
  if (!validated.ok || errors.confirmPassword) return data({ errors, username }, { status: 400 });

  // Every account costs a password hash and a row: a limited number an hour per address.
  const attempt = await beginAttempt("signup", addressThrottleKeys("signup", context));
  if (!attempt.allowed) {
    const errors: FieldErrors<SignupField> = {
      form:
        attempt.reason === "busy"
          ? "Too many sign-ups at once from your address. Try again in a moment."
          : `Too many new accounts from your address. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`,
    };
    return data({ errors, username }, { status: 429, headers: { "Retry-After": String(attempt.retryAfterSeconds) } });
  }
  const user = await createUser(validated.value).catch(async (error: unknown) => {
    await attempt.abandoned();
    throw error;
  });
  await attempt.counted();
  if (user === "taken") {
    return data({ errors: { username: `The username “${username}” is taken. Choose another one.` } as FieldErrors<SignupField>, username }, { status: 400 });
  }
  return createUserSession(user, redirectTo);
}

export default function Signup() {
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors;
  const [searchParams] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  const describedBy = (field: SignupField, hint?: string) =>
    [hint, errors?.[field] ? `${field}-error` : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <main className="page narrow">
      <h1>Create an account</h1>
      <Form method="post" className="stack">
        {errors?.form ? (
          <p className="error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <Field id="username" label="Username" error={errors?.username}>
          <input
            id="username"
            name="username"
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_\-]{3,32}"
            defaultValue={actionData?.username}
            aria-invalid={errors?.username ? true : undefined}
            aria-describedby={describedBy("username", "username-hint")}
          />
          <small id="username-hint">{USERNAME_RULE}</small>
        </Field>
        <Field id="password" label="Password" error={errors?.password}>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            aria-invalid={errors?.password ? true : undefined}
            aria-describedby={describedBy("password", "password-hint")}
          />
          <small id="password-hint">At least {PASSWORD_MIN_LENGTH} characters</small>
        </Field>
        <Field id="confirmPassword" label="Password again" error={errors?.confirmPassword}>
          <input
            id="confirmPassword"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={errors?.confirmPassword ? true : undefined}
            aria-describedby={describedBy("confirmPassword")}
          />
        </Field>
        <div>
          <button type="submit" disabled={submitting}>
            {submitting ? "Creating account…" : "Sign up"}
          </button>
        </div>
      </Form>
      <p>
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
