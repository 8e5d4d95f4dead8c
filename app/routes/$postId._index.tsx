import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PostByline } from "~/components/post-byline";
import { getPost } from "~/models/post.server";
import type { loader as rootLoader } from "~/root";
import { invariantResponse, requirePostId } from "~/utils/http.server";
import { postImageUrl } from "~/utils/image-url";
import type { RouteHandle } from "~/utils/route-handle";

// Depends only on the URL and the database for visitors who are not signed in.
export const handle: RouteHandle = { samePageForVisitors: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.post.title} · Quill` : "Post not found · Quill" },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const post = await getPost(requirePostId(params.postId));
  invariantResponse(post, "No post has that address.", 404);
  return { post };
}

export default function PostPage() {
  const { post } = useLoaderData<typeof loader>();
  const userId = useRouteLoaderData<typeof rootLoader>("root")?.userId ?? null;
  const signedIn = userId !== null;
  const isOwner = userId === post.ownerId;
  return (
    <main className="page">
      <article className="post">
        <h1>{post.title}</h1>
        <PostByline post={post} />
        {post.imageHash ? <img className="post-image" src={postImageUrl(post)} alt="" /> : null}
        {/* Text is rendered as text (React escapes it); CSS keeps its whitespace. */}
        <div className="post-text">{post.text}</div>
      </article>
      <nav aria-label="Post actions" className="actions">
        {signedIn ? <Link to={`/${post.id}/edit`}>Edit</Link> : <Link to={`/login?redirectTo=/${post.id}/edit`}>Log in to edit</Link>}
        {isOwner ? <Link to={`/${post.id}/delete`}>Delete</Link> : null}
        <Link to={`/${post.id}/history`}>History</Link>
        <Link to="/">All posts</Link>
      </nav>
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
