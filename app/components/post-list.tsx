import { Link } from "@remix-run/react";
import { PostByline } from "~/components/post-byline";
import { postImageUrl } from "~/utils/image-url";

export type ListedPost = {
  id: number;
  version: number;
  title: string;
  excerpt: string;
  imageHash: string | null;
  createdAt: string | Date;
  updatedAt: string | Date;
  owner: { username: string };
  editor: { username: string } | null;
};

/** Posts as the front page and authors' pages list them: picture, title, first words, byline. */
export function PostList({ posts }: { posts: ListedPost[] }) {
  return (
    <ol className="post-list">
      {posts.map((post) => (
        <li key={post.id} className="post-card">
          {post.imageHash ? (
            <img className="thumb" src={postImageUrl(post, "thumbnail")} alt="" width={64} height={64} loading="lazy" />
          ) : (
            <Placeholder id={post.id} title={post.title} />
          )}
          <div className="post-card-body">
            <h2>
              <Link to={`/${post.id}`}>{post.title}</Link>
            </h2>
            {post.excerpt ? <p className="excerpt">{post.excerpt}</p> : null}
            <PostByline post={post} />
          </div>
        </li>
      ))}
    </ol>
  );
}

/**
 * A post without a picture gets a tile of its own: its title's first letter on one of eight
 * colours chosen by its id, so neighbours differ (classes, since the page's policy allows
 * no inline styles).
 */
function Placeholder({ id, title }: { id: number; title: string }) {
  const letter = Array.from(title.trim())[0]?.toUpperCase() ?? "·";
  return (
    <span className={`thumb placeholder tone-${id % 8}`} aria-hidden="true">
      {letter}
    </span>
  );
}

/** "Older posts" / "Newest posts" under a list. */
export function Pager({ newerHref, olderHref }: { newerHref: string | null; olderHref: string | null }) {
  if (!newerHref && !olderHref) return null;
  return (
    <nav aria-label="Pages" className="pager">
      {newerHref ? (
        <Link to={newerHref} className="button secondary">
          ← Newest posts
        </Link>
      ) : (
        <span />
      )}
      {olderHref ? (
        <Link to={olderHref} className="button secondary" rel="next">
          Older posts →
        </Link>
      ) : null}
    </nav>
  );
}
