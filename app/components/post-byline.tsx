import { editorName } from "~/utils/names";

type Byline = {
  createdAt: string | Date;
  updatedAt: string | Date;
  owner: { username: string };
  editor: { username: string } | null;
};

/** "By alice · last edited by bob" with dates, the same on the list and the post. */
export function PostByline({ post }: { post: Byline }) {
  return (
    <p className="byline">
      Created by <strong>{post.owner.username}</strong> on <DateText value={post.createdAt} /> · last edited by{" "}
      <strong>{editorName(post)}</strong> on <DateText value={post.updatedAt} />
    </p>
  );
}

// A fixed locale and time zone: the server and the browser must render the same text.
// One formatter for all dates: toLocaleString() with options builds a new
// Intl.DateTimeFormat on every call, which was a third of the front page's server time.
const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export function DateText({ value }: { value: string | Date }) {
  const date = new Date(value);
  return <time dateTime={date.toISOString()}>{DATE_FORMAT.format(date)} UTC</time>;
}
