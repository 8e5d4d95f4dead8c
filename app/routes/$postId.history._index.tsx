import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DateText } from "~/components/post-byline";
import { ChangeSize, EditorLink } from "~/components/revisions";
import { getHistoryPost, listRevisions } from "~/models/revision.server";
import { decodeCursor, encodeCursor } from "~/utils/cursor.server";
import { invariantResponse, requirePostId } from "~/utils/http.server";

// Every save of a post, newest first, a page at a time (keyset pages, like the front page).
// Public, like the post. Reads no revision text: what changed was counted at save time.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `History of “${data.post.title}” · Quill` : "Post not found · Quill" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const before = decodeCursor(new URL(request.url).searchParams.get("cursor"));
  invariantResponse(before !== null, "That page link is not valid.", 400);
  const [post, { revisions, next }] = await Promise.all([getHistoryPost(id), listRevisions(id, { before })]);
  invariantResponse(post, "No post has that address.", 404);
  return {
    post,
    revisions,
    isFirstPage: before === undefined,
    olderHref: next ? `/${id}/history?cursor=${encodeCursor(next)}` : null,
  };
}

export default function PostHistory() {
  const { post, revisions, isFirstPage, olderHref } = useLoaderData<typeof loader>();
  return (
    <main className="page">
      <h1>History of “{post.title}”</h1>
      <p>
        Every save of this post, newest first. <Link to={`/${post.id}`}>Back to the post</Link>
      </p>
      {revisions.length === 0 ? (
        <p className="empty">No older versions.</p>
      ) : (
        <ol className="history" aria-label="Versions">
          {revisions.map((revision) => (
            <li key={revision.version}>
              {/* Spaces between the parts: the layout (flex) ignores them, copying and screen readers do not. */}
              <Link className="version" to={`/${post.id}/history/${revision.version}`}>
                Version {revision.version}
              </Link>{" "}
              {revision.version === post.version ? <span>(current)</span> : null}{" "}
              <span className="history-meta">
                by <EditorLink editor={revision.editor} /> on <DateText value={revision.createdAt} />
              </span>{" "}
              {revision.previousVersion !== null ? (
                <>
                  <ChangeSize charsAdded={revision.charsAdded} charsRemoved={revision.charsRemoved} />{" "}
                  {revision.imageChanged ? <span>image changed</span> : null}{" "}
                  {revision.restoredFrom !== null ? <span>restored version {revision.restoredFrom}</span> : null}{" "}
                  <Link to={`/${post.id}/compare?from=${revision.previousVersion}&to=${revision.version}`}>
                    changes<span className="visually-hidden"> in version {revision.version}</span>
                  </Link>
                </>
              ) : (
                <span>{revision.version === 1 ? "created" : "the oldest version kept"}</span>
              )}
            </li>
          ))}
        </ol>
      )}
      <nav aria-label="Pages" className="pager">
        {isFirstPage ? null : <Link to={`/${post.id}/history`}>Newest versions</Link>}
        {olderHref ? <Link to={olderHref}>Older versions</Link> : null}
      </nav>
      {post.version > 1 ? (
        <Form method="get" action={`/${post.id}/compare`} className="compare-form" aria-label="Compare two versions">
          <div className="field">
            <label htmlFor="compare-from">Compare version</label>
            <input id="compare-from" name="from" type="number" min={1} max={post.version} required defaultValue={post.version - 1} />
          </div>
          <div className="field">
            <label htmlFor="compare-to">with version</label>
            <input id="compare-to" name="to" type="number" min={1} max={post.version} required defaultValue={post.version} />
          </div>
          <button type="submit">Compare</button>
        </Form>
      ) : null}
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
