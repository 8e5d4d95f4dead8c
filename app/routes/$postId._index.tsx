import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PostByline } from "~/components/post-byline";
import { getPost } from "~/models/post.server";
import type { loader as rootLoader } from "~/root";
import { postNotFound, requirePostId } from "~/utils/http.server";
import { postImageUrl } from "~/utils/image-url";
import { excerpt, renderPostText } from "~/utils/markdown.server";
import { errorTitle, pageTitle, SITE_NAME } from "~/utils/meta";
import type { RouteHandle } from "~/utils/route-handle";

// Depends only on the URL, the database and the page-variant cookies for visitors who are not signed in.
export const handle: RouteHandle = { samePageForVisitors: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  if (!data) return [{ title: errorTitle(error) }];
  const { post, url, description, imageUrl } = data;
  return [
    { title: pageTitle(post.title) },
    { name: "description", content: description },
    { tagName: "link", rel: "canonical", href: url },
    { property: "og:type", content: "article" },
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:title", content: post.title },
    { property: "og:description", content: description },
    { property: "og:url", content: url },
    ...(imageUrl
      ? [
          { property: "og:image", content: imageUrl },
          { property: "og:image:alt", content: post.imageAlt || post.title },
        ]
      : []),
    { name: "twitter:card", content: imageUrl ? "summary_large_image" : "summary" },
    { property: "article:published_time", content: new Date(post.createdAt).toISOString() },
    { property: "article:modified_time", content: new Date(post.updatedAt).toISOString() },
  ];
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requirePostId(params.postId);
  const post = (await getPost(id)) ?? (await postNotFound(id));
  const { origin } = new URL(request.url);
  return {
    post,
    // Rendered once per version of the post (markdown.server.ts), and safe to insert as it is.
    html: renderPostText(post),
    url: `${origin}/${post.id}`,
    description: excerpt(post.text.slice(0, 1_000), 160) || post.title,
    imageUrl: post.imageHash ? `${origin}${postImageUrl(post)}` : null,
  };
}

export default function PostPage() {
  const { post, html } = useLoaderData<typeof loader>();
  const userId = useRouteLoaderData<typeof rootLoader>("root")?.userId ?? null;
  const signedIn = userId !== null;
  const isOwner = userId === post.ownerId;
  return (
    <main className="page">
      <article className="post">
        <header className="post-header">
          <h1>{post.title}</h1>
          <PostByline post={post} />
        </header>
        {post.imageHash ? (
          <figure className="post-figure">
            <img className="post-image" src={postImageUrl(post)} alt={post.imageAlt} />
          </figure>
        ) : null}
        <div className="post-text prose" dangerouslySetInnerHTML={{ __html: html }} />
      </article>
      <nav aria-label="Post actions" className="actions">
        {signedIn ? (
          <Link to={`/${post.id}/edit`} className="button secondary">
            Edit
          </Link>
        ) : (
          <Link to={`/login?redirectTo=/${post.id}/edit`} className="button secondary">
            Log in to edit
          </Link>
        )}
        {isOwner ? (
          <Link to={`/${post.id}/delete`} className="button secondary danger-text">
            Delete
          </Link>
        ) : null}
        <Link to={`/${post.id}/history`} className="button secondary">
          History
        </Link>
        <Link to="/">All posts</Link>
      </nav>
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
