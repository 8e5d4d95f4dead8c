import { Link } from "@remix-run/react";
import { DateTime, ExactDateTime } from "~/components/date-time";
import { DELETED_USER } from "~/utils/names";

type Byline = {
  /** Above 1 once the post has been saved again. */
  version: number;
  createdAt: string | Date;
  updatedAt: string | Date;
  owner: { username: string };
  editor: { username: string } | null;
};

/** "Created by alice 3 hours ago · last edited by bob yesterday", the same on lists and posts. */
export function PostByline({ post }: { post: Byline }) {
  const edited = post.version > 1 || post.editor?.username !== post.owner.username;
  return (
    <p className="byline">
      <span>
        Created by <AuthorLink name={post.owner.username} /> <DateTime value={post.createdAt} />
      </span>
      {edited ? (
        <span>
          {" "}
          · last edited by {post.editor ? <AuthorLink name={post.editor.username} /> : <strong>{DELETED_USER}</strong>} <DateTime value={post.updatedAt} />
        </span>
      ) : null}
    </p>
  );
}

function AuthorLink({ name }: { name: string }) {
  return (
    <Link to={`/u/${encodeURIComponent(name)}`} className="author">
      {name}
    </Link>
  );
}

/** An exact date in the reader's time zone (the history and compare pages: "saved ... on <date>"). */
export function DateText({ value }: { value: string | Date }) {
  return <ExactDateTime value={value} />;
}
