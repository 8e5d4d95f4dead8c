import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager, PostList } from "~/components/post-list";
import { listPostsWithOpenings } from "~/models/post.server";
import type { loader as rootLoader } from "~/root";
import { decodeCursor, encodeCursor } from "~/utils/cursor.server";
import { invariantResponse } from "~/utils/http.server";
import { postExcerpt } from "~/utils/markdown.server";
import { errorTitle, pageTitle, SITE_DESCRIPTION, SITE_NAME } from "~/utils/meta";
import { pageNumber } from "~/utils/paging";
import type { RouteHandle } from "~/utils/route-handle";

// Depends only on the URL, the database and the page-variant cookies for visitors who are not signed in.
export const handle: RouteHandle = { samePageForVisitors: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  if (!data) return [{ title: errorTitle(error) }];
  return [
    { title: data.page === 1 ? `${SITE_NAME}: all posts` : pageTitle(`All posts, page ${data.page}`) },
    { name: "description", content: SITE_DESCRIPTION },
    { tagName: "link", rel: "canonical", href: data.canonical },
  ];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const after = decodeCursor(url.searchParams.get("cursor"));
  invariantResponse(after !== null, "That page link is not valid.", 400);
  const page = after === undefined ? 1 : pageNumber(url.searchParams.get("page"));
  const { posts, next } = await listPostsWithOpenings({ after });
  return {
    posts: posts.map(({ opening, ...post }) => ({ ...post, excerpt: postExcerpt({ ...post, opening }) })),
    page,
    canonical: `${url.origin}${after === undefined ? "/" : `/?${new URLSearchParams({ cursor: encodeCursor(after), page: String(page) })}`}`,
    olderHref: next ? `/?${new URLSearchParams({ cursor: encodeCursor(next), page: String(page + 1) })}` : null,
  };
}

export default function Index() {
  const { posts, page, olderHref } = useLoaderData<typeof loader>();
  const signedIn = Boolean(useRouteLoaderData<typeof rootLoader>("root")?.username);

  return (
    <main className="page">
      <div className="page-title">
        <h1>{page === 1 ? "Posts" : `Posts, page ${page}`}</h1>
      </div>
      {posts.length === 0 ? (
        <div className="empty">
          <p>{page === 1 ? "No posts yet." : "No older posts."}</p>
          {page === 1 ? (
            <p>
              {signedIn ? <Link to="/new">Write the first one.</Link> : <><Link to="/signup">Sign up</Link> to write the first one.</>}
            </p>
          ) : null}
        </div>
      ) : (
        <PostList posts={posts} />
      )}
      <Pager newerHref={page === 1 ? null : "/"} olderHref={olderHref} />
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
