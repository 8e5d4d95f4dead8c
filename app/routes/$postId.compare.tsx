import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DateText } from "~/components/post-byline";
import { DiffLegend, DiffNote, DiffText, EditorLink } from "~/components/revisions";
import { compareRevisions, getHistoryPost } from "~/models/revision.server";
import { invariantResponse, parseId, requirePostId } from "~/utils/http.server";

// Two versions of a post, word by word: /:postId/compare?from=A&to=B. Public, like the post.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Changes to “${data.to.title}”, version ${data.from.version} to ${data.to.version} · Quill` : "Compare versions · Quill" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const search = new URL(request.url).searchParams;
  const from = parseId(search.get("from"));
  const to = parseId(search.get("to"));
  invariantResponse(from !== null && to !== null, "Name two versions to compare, as ?from=1&to=2 (whole numbers from 1).", 400);
  const [post, comparison] = await Promise.all([getHistoryPost(id), compareRevisions(id, from, to)]);
  invariantResponse(post, "No post has that address.", 404);
  invariantResponse(comparison, "This post has no such version.", 404);
  const { from: older, to: newer, title, text } = comparison;
  // Only what the page shows: the two texts themselves stay on the server.
  const about = ({ version, editor, createdAt, imageHash, imageAlt }: typeof older) => ({ version, editor, createdAt, imageHash, imageAlt });
  return { post, from: about(older), to: { ...about(newer), title: newer.title }, title, text };
}

export default function CompareVersions() {
  const { post, from, to, title, text } = useLoaderData<typeof loader>();
  const versionLink = (version: number) => <Link to={`/${post.id}/history/${version}`}>version {version}</Link>;
  const imageChanged = from.imageHash !== to.imageHash || from.imageAlt !== to.imageAlt;
  return (
    <main className="page">
      <h1>Changes to “{to.title}”</h1>
      <p>
        From {versionLink(from.version)} (<EditorLink editor={from.editor} />, <DateText value={from.createdAt} />) to{" "}
        {versionLink(to.version)} (<EditorLink editor={to.editor} />, <DateText value={to.createdAt} />).{" "}
        <Link to={`/${post.id}/history`}>History</Link>
      </p>
      {from.version === to.version ? (
        <p className="diff-note">These are the same version.</p>
      ) : title.identical && text.identical && !imageChanged ? (
        <p className="diff-note">Nothing changed between these versions.</p>
      ) : (
        <DiffLegend />
      )}
      <section aria-labelledby="title-changes">
        <h2 id="title-changes">Title</h2>
        <p className="diff-title">
          <DiffText parts={title.parts} />
        </p>
        <DiffNote diff={title} />
      </section>
      <section aria-labelledby="text-changes">
        <h2 id="text-changes">Text</h2>
        <div className="diff-text">
          <DiffText parts={text.parts} />
        </div>
        <DiffNote diff={text} />
      </section>
      {imageChanged ? (
        <section aria-labelledby="image-changes">
          <h2 id="image-changes">Image</h2>
          <div className="compare-images">
            {[from, to].map((version, index) => (
              <figure key={version.version}>
                {version.imageHash ? <img src={`/${post.id}/history/${version.version}/image`} alt={version.imageAlt} /> : null}
                <figcaption>
                  {index === 0 ? "Before" : "After"}: {version.imageHash ? `the image of version ${version.version}` : "no image"}
                  {version.imageAlt ? ` (described as “${version.imageAlt}”)` : null}
                </figcaption>
              </figure>
            ))}
          </div>
        </section>
      ) : null}
      <Form key={`${from.version}-${to.version}`} method="get" className="compare-form" aria-label="Compare other versions">
        <div className="field">
          <label htmlFor="compare-from">Compare version</label>
          <input id="compare-from" name="from" type="number" min={1} required defaultValue={from.version} />
        </div>
        <div className="field">
          <label htmlFor="compare-to">with version</label>
          <input id="compare-to" name="to" type="number" min={1} required defaultValue={to.version} />
        </div>
        <button type="submit">Compare</button>
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
