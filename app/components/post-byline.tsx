type Byline = {
  createdAt: string | Date;
  updatedAt: string | Date;
  owner: { username: string };
  editor: { username: string };
};

/** "By alice · last edited by bob" with dates, the same on the list and the post. */
export function PostByline({ post }: { post: Byline }) {
  return (
    <p className="byline">
      Created by <strong>{post.owner.username}</strong> on <DateText value={post.createdAt} /> · last edited by{" "}
      <strong>{post.editor.username}</strong> on <DateText value={post.updatedAt} />
    </p>
  );
}

function DateText({ value }: { value: string | Date }) {
  const date = new Date(value);
  // A fixed locale and time zone: the server and the browser must render the same text.
  const text = date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return <time dateTime={date.toISOString()}>{text} UTC</time>;
}
