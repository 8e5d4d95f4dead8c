import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { PostByline } from "~/components/post-byline";
import { listPosts } from "~/models/post.server";
import type { loader as rootLoader } from "~/root";
import { decodeCursor, encodeCursor } from "~/utils/cursor.server";
import { invariantResponse } from "~/utils/http.server";
import { postImageUrl } from "~/utils/image-url";
import type { RouteHandle } from "~/utils/route-handle";

// Depends only on the URL and the database for visitors who are not signed in.
export const handle: RouteHandle = { samePageForVisitors: true };

export const meta: MetaFunction = () => [{ title: "Quill: all posts" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const after = decodeCursor(new URL(request.url).searchParams.get("cursor"));
  invariantResponse(after !== null, "That page link is not valid.", 400);
  const { posts, next } = await listPosts({ after });
  return {
    posts,
    isFirstPage: after === undefined,
    olderHref: next ? `/?cursor=${encodeCursor(next)}` : null,
  };
}

export default function Index() {
  const { posts, isFirstPage, olderHref } = useLoaderData<typeof loader>();
  const signedIn = Boolean(useRouteLoaderData<typeof rootLoader>("root")?.username);

  return (
    <main className="page">
      <div className="page-title">
        <h1>Posts</h1>
        {signedIn ? (
          <Link to="/new" className="button">
            New post
          </Link>
        ) : null}
      </div>
      {posts.length === 0 ? (
        <p className="empty">{isFirstPage ? "No posts yet." : "No older posts."}</p>
      ) : (
        <ol className="post-list">
          {posts.map((post) => (
            <li key={post.id}>
              <img src={postImageUrl(post, "thumbnail")} alt="" width={64} height={64} loading="lazy" />
              <div>
                <h2>
                  <Link to={`/${post.id}`}>{post.title}</Link>
                </h2>
                <PostByline post={post} />
              </div>
            </li>
          ))}
        </ol>
      )}
      <nav aria-label="Pages" className="pager">
        {isFirstPage ? null : <Link to="/">Newest posts</Link>}
        {olderHref ? <Link to={olderHref}>Older posts</Link> : null}
      </nav>
    </main>
  );
}
