import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Field } from "~/components/field";
import { createApiToken, listApiTokens, revokeApiToken, validateTokenName } from "~/models/api-token.server";
import { readForm } from "~/utils/form.server";
import { parseId } from "~/utils/http.server";
import { TOKEN_NAME_MAX_LENGTH } from "~/utils/rules";
import { requireUser } from "~/utils/session.server";
import { textField } from "~/utils/validation";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "API tokens · Quill" }];

// The page right after creating a token holds the token itself: never keep it in a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { tokens: await listApiTokens(user.id) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { formData } = await readForm(request, { fields: ["intent", "name", "tokenId"] });
  const intent = textField(formData, "intent");

  if (intent === "create") {
    const name = textField(formData, "name");
    const validated = validateTokenName(name);
    if (!validated.ok) return data({ errors: validated.errors, name, created: null }, { status: 400 });
    // Shown in this response only (not via a redirect), so the token never sits in a cookie.
    const { token, apiToken } = await createApiToken({ userId: user.id, name: validated.value.name });
    return { errors: null, name: "", created: { name: apiToken.name, token } };
  }
  if (intent === "revoke") {
    const id = parseId(textField(formData, "tokenId"));
    // Someone else's token id finds nothing, exactly like one already revoked.
    if (id === null || !(await revokeApiToken({ id, userId: user.id }))) {
      return data({ errors: { form: "That token does not exist any more." }, name: "", created: null }, { status: 404 });
    }
    return redirect("/settings/tokens?done=revoked");
  }
  return data({ errors: { form: "Unknown action." }, name: "", created: null }, { status: 400 });
}

export default function ApiTokens() {
  const { tokens } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Partial<Record<"form" | "name", string>> | null | undefined = actionData?.errors;
  const created = actionData?.created;
  const navigation = useNavigation();
  const creating = navigation.state === "submitting" && navigation.formData?.get("intent") === "create";

  return (
    <main className="page narrow">
      <h1>API tokens</h1>
      <p>
        A token lets a script use the <a href="/api">JSON API</a> as you: send it as{" "}
        <code>Authorization: Bearer &lt;token&gt;</code>. Revoke a token as soon as you no longer need it.
      </p>
      <RevokedNotice />
      {errors?.form ? (
        <p className="error" role="alert">
          {errors.form}
        </p>
      ) : null}

      {created ? <NewToken name={created.name} token={created.token} /> : null}

      <section aria-labelledby="create-heading">
        <h2 id="create-heading">Create a token</h2>
        {/* A new key after each created token empties the name field when scripts run. */}
        <Form method="post" className="stack" key={created?.token}>
          <input type="hidden" name="intent" value="create" />
          <Field id="name" label="Token name" error={errors?.name}>
            <input
              id="name"
              name="name"
              defaultValue={actionData?.name}
              required
              maxLength={TOKEN_NAME_MAX_LENGTH}
              aria-invalid={errors?.name ? true : undefined}
              aria-describedby={errors?.name ? "name-error" : "name-hint"}
            />
          </Field>
          <p id="name-hint" className="hint">
            What the token is for, such as “backup script”.
          </p>
          <div>
            <button type="submit" disabled={creating}>
              {creating ? "Creating…" : "Create token"}
            </button>
          </div>
        </Form>
      </section>

      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="empty">You have no tokens.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>
                    <DateText value={token.createdAt} />
                  </td>
                  <td>{token.lastUsedAt ? <DateText value={token.lastUsedAt} /> : "Never"}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="tokenId" value={token.id} />
                      <button type="submit" className="danger" aria-label={`Revoke ${token.name}`}>
                        Revoke
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="hint">Last use is recorded to the minute.</p>
      </section>

      <p>
        <Link to="/settings">Back to settings</Link>
      </p>
    </main>
  );
}

/** The new token, once: a read-only field to select and copy, and a Copy button with JavaScript. */
function NewToken({ name, token }: { name: string; token: string }) {
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState(false);
  // The button needs the clipboard API, so it only appears once the page runs scripts.
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  return (
    <section aria-labelledby="new-token-heading" className="notice">
      <h2 id="new-token-heading">Your new token “{name}”</h2>
      <Field id="new-token" label="Copy it now: it will not be shown again.">
        <input
          id="new-token"
          className="token-once"
          readOnly
          value={token}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
      </Field>
      {canCopy ? (
        <p>
          <button type="button" onClick={() => navigator.clipboard.writeText(token).then(() => setCopied(true), () => setCopied(false))}>
            {copied ? "Copied" : "Copy token"}
          </button>
        </p>
      ) : null}
    </section>
  );
}

const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

// A fixed locale and time zone, as on posts: the server and the browser render the same text.
function DateText({ value }: { value: string | Date }) {
  const date = new Date(value);
  return <time dateTime={date.toISOString()}>{DATE_FORMAT.format(date)} UTC</time>;
}

function RevokedNotice() {
  const [searchParams] = useSearchParams();
  return searchParams.get("done") === "revoked" ? (
    <p className="notice" role="status">
      Token revoked: scripts using it now get 401.
    </p>
  ) : null;
}

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
