import type { LoaderFunctionArgs } from "@remix-run/node";
import { listPostsWithOpenings } from "~/models/post.server";
import { postImageUrl } from "~/utils/image-url";
import { postExcerpt } from "~/utils/markdown.server";
import { SITE_DESCRIPTION, SITE_NAME } from "~/utils/meta";
import { xmlResponse, xmlText } from "~/utils/xml";

// The newest 20 posts as an Atom feed (RFC 4287), every link absolute.

const FEED_SIZE = 20;

export async function loader({ request }: LoaderFunctionArgs) {
  const { origin } = new URL(request.url);
  const { posts } = await listPostsWithOpenings({ limit: FEED_SIZE });
  const updated = posts.reduce((latest, post) => (post.updatedAt > latest ? post.updatedAt : latest), new Date(0));
  const entries = posts.map((post) => {
    const url = `${origin}/${post.id}`;
    const summary = postExcerpt(post);
    return `  <entry>
    <title>${xmlText(post.title)}</title>
    <link rel="alternate" type="text/html" href="${xmlText(url)}"/>
    <id>${xmlText(url)}</id>
    <published>${post.createdAt.toISOString()}</published>
    <updated>${post.updatedAt.toISOString()}</updated>
    <author><name>${xmlText(post.owner.username)}</name><uri>${xmlText(`${origin}/u/${encodeURIComponent(post.owner.username)}`)}</uri></author>${
      post.editor && post.editor.username !== post.owner.username ? `\n    <contributor><name>${xmlText(post.editor.username)}</name></contributor>` : ""
    }
    <summary type="text">${xmlText(summary || post.title)}</summary>${
      post.imageHash ? `\n    <link rel="enclosure" type="image/webp" href="${xmlText(`${origin}${postImageUrl(post)}`)}"/>` : ""
    }
  </entry>`;
  });
  const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${xmlText(SITE_NAME)}</title>
  <subtitle>${xmlText(SITE_DESCRIPTION)}</subtitle>
  <link rel="self" type="application/atom+xml" href="${xmlText(`${origin}/feed.xml`)}"/>
  <link rel="alternate" type="text/html" href="${xmlText(`${origin}/`)}"/>
  <id>${xmlText(`${origin}/`)}</id>
  <updated>${updated.toISOString()}</updated>
  <generator>Quill</generator>
${entries.join("\n")}
</feed>
`;
  return xmlResponse(feed, { maxAge: 300, type: "application/atom+xml" });
}
