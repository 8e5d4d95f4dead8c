import type { LoaderFunctionArgs } from "@remix-run/node";
import { lastPostId } from "~/models/post.server";
import { lastUserId } from "~/models/user.server";
import { sitemapParts } from "~/utils/sitemap";
import { xmlResponse, xmlText } from "~/utils/xml";

// A sitemap index (sitemaps.org): the front page, then posts and authors by ranges of
// SITEMAP_SIZE ids, so no file nears the protocol's 50,000 addresses at any size.

export async function loader({ request }: LoaderFunctionArgs) {
  const { origin } = new URL(request.url);
  const parts = sitemapParts({ lastPostId: await lastPostId(), lastUserId: await lastUserId() });
  const body = `<?xml version="1.0" encoding="utf-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${parts.map((part) => `  <sitemap><loc>${xmlText(`${origin}/sitemap/${part}.xml`)}</loc></sitemap>`).join("\n")}
</sitemapindex>
`;
  return xmlResponse(body, { maxAge: 3600 });
}

