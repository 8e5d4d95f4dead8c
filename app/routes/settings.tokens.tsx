import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { DateTime } from "~/components/date-time";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormErrors } from "~/components/field";
import { createApiToken, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import { TokenNameSchema } from "~/utils/account-schemas";
import { readForm } from "~/utils/form.server";
import { parseId } from "~/utils/http.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { TOKEN_NAME_MAX_LENGTH } from "~/utils/rules";
import { redirectWithNotice, requireUser } from "~/utils/session.server";
import { firstOfEach } from "~/utils/validation";
import type { RouteHandle } from "~/utils/route-handle";

export const handle: RouteHandle = { signedInOnly: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: error ? errorTitle(error) : pageTitle(data?.confirming ? `Revoke “${data.confirming.name}”?` : "API tokens") },
];

// The page right after creating a token holds the token itself: never keep it in a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const tokens = await listApiTokens(user.id);
  // "Revoke…" asks first: ?revoke=<id> shows the question, the POST below does it.
  const revokeId = parseId(new URL(request.url).searchParams.get("revoke"));
  const confirming = tokens.find((token) => token.id === revokeId) ?? null;
  return { tokens, confirming: confirming ? { id: confirming.id, name: confirming.name } : null };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { formData } = await readForm(request, { fields: ["intent", "name", "tokenId"] });
  const intent = formData.get("intent");

  if (intent === "create") {
    const submission = parseWithZod(firstOfEach(formData), { schema: TokenNameSchema });
    if (submission.status !== "success") return data({ result: submission.reply(), created: null }, { status: 400 });
    // Shown in this response only (not via a redirect), so the token never sits in a cookie.
    const { token, apiToken } = await createApiToken({ userId: user.id, name: submission.value.name });
    return { result: submission.reply({ resetForm: true }), created: { name: apiToken.name, token } };
  }
  if (intent === "revoke") {
    const id = parseId(String(formData.get("tokenId") ?? ""));
    // Someone else's token id finds nothing, exactly like one already revoked.
    if (id === null || !(await revokeApiToken({ id, userId: user.id }))) {
      throw data("That token does not exist any more.", { status: 404 });
    }
    return redirectWithNotice(request, "/settings/tokens", "Token revoked: scripts using it now get 401.");
  }
  throw data("Unknown action.", { status: 400 });
}

export default function ApiTokens() {
  const { tokens, confirming } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const created = actionData?.created;
  const navigation = useNavigation();
  const creating = navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const revoking = navigation.state === "submitting" && navigation.formData?.get("intent") === "revoke";
  const [form, fields] = useForm({
    id: "create-token",
    lastResult: actionData?.result,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(firstOfEach(formData), { schema: TokenNameSchema }),
  });
  const { key: nameKey, ...nameProps } = getInputProps(fields.name, { type: "text", ariaDescribedBy: "name-hint" });

  return (
    <main className="page narrow">
      <p className="eyebrow">
        <Link to="/settings">Settings</Link>
      </p>
      <h1>API tokens</h1>
      <p className="lead">
        A token lets a script use the <a href="/api">JSON API</a> as you: send it as <code>Authorization: Bearer &lt;token&gt;</code>. Revoke
        a token as soon as you no longer need it.
      </p>

      {confirming ? (
        <section aria-labelledby="confirm-heading" className="card confirm">
          <h2 id="confirm-heading">Revoke “{confirming.name}”?</h2>
          <p>Scripts using this token get 401 from then on. This cannot be undone: you would make a new token instead.</p>
          <Form method="post" action="/settings/tokens" className="form-actions">
            <input type="hidden" name="intent" value="revoke" />
            <input type="hidden" name="tokenId" value={confirming.id} />
            <button type="submit" className="danger" disabled={revoking}>
              {revoking ? "Revoking…" : "Revoke token"}
            </button>
            <Link to="/settings/tokens" className="button secondary">
              Keep it
            </Link>
          </Form>
        </section>
      ) : null}

      {created ? <NewToken name={created.name} token={created.token} /> : null}

      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="empty">You have no tokens.</p>
        ) : (
          <div className="table-scroll" tabIndex={0}>
            <table className="tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id}>
                    <td className="token-name">{token.name}</td>
                    <td>
                      <DateTime value={token.createdAt} />
                    </td>
                    <td>{token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : "Never"}</td>
                    <td>
                      <Link to={`?revoke=${token.id}`} className="danger-text" aria-label={`Revoke ${token.name}…`}>
                        Revoke…
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="hint">Last use is recorded to the minute.</p>
      </section>

      <section aria-labelledby="create-heading" className="card">
        <h2 id="create-heading">Create a token</h2>
        <Form method="post" className="stack" {...getFormProps(form)}>
          <FormErrors id={form.errorId} errors={form.errors} />
          <input type="hidden" name="intent" value="create" />
          <Field
            htmlFor={fields.name.id}
            label="Token name"
            hint="What the token is for, such as “backup script”."
            hintId="name-hint"
            errors={fields.name.errors}
            errorId={fields.name.errorId}
          >
            <input key={nameKey} {...nameProps} required maxLength={TOKEN_NAME_MAX_LENGTH} autoComplete="off" />
          </Field>
          <div>
            <button type="submit" disabled={creating}>
              {creating ? "Creating…" : "Create token"}
            </button>
          </div>
        </Form>
      </section>
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
    <section aria-labelledby="new-token-heading" className="card success">
      <h2 id="new-token-heading">Your new token “{name}”</h2>
      <div className="field">
        <label htmlFor="new-token">Copy it now: it will not be shown again.</label>
        <input
          id="new-token"
          className="token-once"
          readOnly
          value={token}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
      </div>
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

// A refused form (405, 413, 415...) renders here, inside the root layout, so the root
// loader still runs and the header still shows who is signed in.
export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
