import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DateTime } from "~/components/date-time";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager, PostList } from "~/components/post-list";
import { listPostsOfAuthor } from "~/models/post.server";
import { getUserByUsername } from "~/models/user.server";
import { decodeCursor, encodeCursor } from "~/utils/cursor.server";
import { invariantResponse } from "~/utils/http.server";
import { postExcerpt } from "~/utils/markdown.server";
import { errorTitle, pageTitle } from "~/utils/meta";
import { pageNumber } from "~/utils/paging";
import type { RouteHandle } from "~/utils/route-handle";
import { USERNAME_PATTERN } from "~/utils/rules";

// Depends only on the URL, the database and the page-variant cookies for visitors who are not signed in.
export const handle: RouteHandle = { samePageForVisitors: true };

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  if (!data) return [{ title: errorTitle(error) }];
  const what = data.show === "written" ? `Posts by ${data.author.username}` : `Posts ${data.author.username} edited last`;
  return [
    { title: pageTitle(data.page === 1 ? what : `${what}, page ${data.page}`) },
    { name: "description", content: `${what} on Quill.` },
    { tagName: "link", rel: "canonical", href: data.canonical },
  ];
};

const NO_SUCH_AUTHOR = "Nobody has that username.";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const username = params.username ?? "";
  invariantResponse(USERNAME_PATTERN.test(username), NO_SUCH_AUTHOR, 404);
  const author = await getUserByUsername(username);
  invariantResponse(author, NO_SUCH_AUTHOR, 404);
  const url = new URL(request.url);
  const show = url.searchParams.get("show") === "edited" ? "edited" : "written";
  const after = decodeCursor(url.searchParams.get("cursor"));
  invariantResponse(after !== null, "That page link is not valid.", 400);
  const page = after === undefined ? 1 : pageNumber(url.searchParams.get("page"));
  const { posts, next } = await listPostsOfAuthor({ userId: author.id, show, after });
  const base = `/u/${encodeURIComponent(author.username)}`;
  const query = (extra: Record<string, string>) => {
    const search = new URLSearchParams({ ...(show === "edited" ? { show } : {}), ...extra }).toString();
    return search ? `${base}?${search}` : base;
  };
  return {
    author,
    show,
    page,
    posts: posts.map(({ opening, ...post }) => ({ ...post, excerpt: postExcerpt({ ...post, opening }) })),
    newerHref: page === 1 ? null : query({}),
    olderHref: next ? query({ cursor: encodeCursor(next), page: String(page + 1) }) : null,
    canonical: `${url.origin}${after === undefined ? query({}) : query({ cursor: encodeCursor(after), page: String(page) })}`,
    base,
  };
}

export default function AuthorPage() {
  const { author, show, page, posts, newerHref, olderHref, base } = useLoaderData<typeof loader>();
  return (
    <main className="page">
      <header className="author-header">
        <p className="eyebrow">Author</p>
        <h1 className="author-name">{author.username}</h1>
        <p className="byline">
          Joined <DateTime value={author.createdAt} />
        </p>
      </header>
      <nav aria-label="Lists" className="tabs">
        <Link to={base} aria-current={show === "written" ? "page" : undefined}>
          Written
        </Link>
        <Link to={`${base}?show=edited`} aria-current={show === "edited" ? "page" : undefined}>
          Edited last
        </Link>
      </nav>
      {posts.length === 0 ? (
        <p className="empty">
          {page > 1
            ? "No older posts."
            : show === "written"
              ? `${author.username} has not written a post yet.`
              : `${author.username} is not the last editor of anyone else's post.`}
        </p>
      ) : (
        <PostList posts={posts} />
      )}
      <Pager newerHref={newerHref} olderHref={olderHref} />
    </main>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
