import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DateText } from "~/components/post-byline";
import { EditorLink } from "~/components/revisions";
import { getHistoryPost, getRevision, previousVersion, restoreRevision } from "~/models/revision.server";
import type { loader as rootLoader } from "~/root";
import { readForm } from "~/utils/form.server";
import { invariantResponse, requirePostId, requireVersion } from "~/utils/http.server";
import { editorName } from "~/utils/names";
import { requireUser } from "~/utils/session.server";
import { renderPostText } from "~/utils/markdown.server";
import { textField } from "~/utils/validation";

// A post as it was at one version, public like the post. Signed-in users may restore it:
// a new save with the old content, refused (409) if someone saved since the page was loaded.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `“${data.revision.title}” as of version ${data.revision.version} · Quill` : "Version not found · Quill" },
];

const NO_VERSION = "This post has no such version.";

export async function loader({ params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const version = requireVersion(params.version);
  const [post, revision, previous] = await Promise.all([getHistoryPost(id), getRevision(id, version), previousVersion(id, version)]);
  invariantResponse(post, "No post has that address.", 404);
  invariantResponse(revision, NO_VERSION, 404);
  // The same Markdown pipeline as the post page (and its cache: a version's text never changes).
  return { post, revision, previous, html: renderPostText({ id: post.id, version: revision.version, text: revision.text }) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requirePostId(params.postId);
  const version = requireVersion(params.version);
  const user = await requireUser(request);
  const { formData } = await readForm(request, { fields: ["version"] });
  // The version of the post the page showed: the same check as an edit.
  const seen = textField(formData, "version");
  const baseVersion = /^[0-9]{1,9}$/.test(seen) ? Number(seen) : null;
  invariantResponse(!seen || baseVersion !== null, "The form is damaged: reload the page and try again.", 400);
  const result = await restoreRevision({ postId: id, version, editorId: user.id, baseVersion });
  invariantResponse(result.status !== "missing", "No post has that address.", 404);
  invariantResponse(result.status !== "no-revision", NO_VERSION, 404);
  if (result.status === "conflict") {
    const { version: current } = result.current;
    return data({ conflict: { version: current, editor: editorName(result.current) } }, { status: 409 });
  }
  return redirect(`/${id}`);
}

export default function PostVersion() {
  const { post, revision, previous, html } = useLoaderData<typeof loader>();
  const conflict = useActionData<typeof action>()?.conflict;
  const signedIn = useRouteLoaderData<typeof rootLoader>("root")?.userId != null;
  const restoring = useNavigation().state === "submitting";
  const isCurrent = revision.version === post.version;
  const here = `/${post.id}/history/${revision.version}`;
  return (
    <main className="page">
      <p className="old-version" role="note">
        {isCurrent ? (
          <>This is version {revision.version}, the current version of this post.</>
        ) : (
          <>
            <strong>Old version.</strong> This is version {revision.version} of this post, not the current version ({post.version}).{" "}
            <Link to={`/${post.id}`}>See the current version</Link>
          </>
        )}
      </p>
      {/* The post page's layout (app/routes/$postId._index.tsx), with this version's byline. */}
      <article className="post">
        <header className="post-header">
          <h1>{revision.title}</h1>
          <p className="byline">
            Version {revision.version}, saved by <EditorLink editor={revision.editor} /> on <DateText value={revision.createdAt} />
            {revision.restoredFrom !== null ? <> (restoring version {revision.restoredFrom})</> : null}
          </p>
        </header>
        {revision.imageHash ? (
          <figure className="post-figure">
            <img className="post-image" src={`${here}/image`} alt={revision.imageAlt} />
          </figure>
        ) : null}
        <div className="post-text prose" dangerouslySetInnerHTML={{ __html: html }} />
      </article>
      <nav aria-label="Version actions" className="actions">
        <Link to={`/${post.id}/history`}>History</Link>
        {previous !== null ? <Link to={`/${post.id}/compare?from=${previous}&to=${revision.version}`}>Changes in this version</Link> : null}
        {!isCurrent ? <Link to={`/${post.id}/compare?from=${revision.version}&to=${post.version}`}>Compare with the current version</Link> : null}
      </nav>
      {isCurrent ? null : signedIn ? (
        <Form method="post" className="restore">
          {conflict ? (
            <p className="error" role="alert">
              {conflict.editor} saved this post (version {conflict.version}) since you opened this page, so nothing was restored.
              Restore again to replace that version too.
            </p>
          ) : null}
          <input type="hidden" name="version" value={conflict?.version ?? post.version} />
          <button type="submit" disabled={restoring}>
            {restoring ? "Restoring…" : "Restore this version"}
          </button>
        </Form>
      ) : (
        <p className="restore">
          <Link to={`/login?redirectTo=${encodeURIComponent(here)}`}>Log in to restore this version</Link>
        </p>
      )}
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
