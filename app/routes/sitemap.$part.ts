import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { listPostDates } from "~/models/post.server";
import { listUsernames } from "~/models/user.server";
import { parseSitemapPart } from "~/utils/sitemap";
import { xmlResponse, xmlText } from "~/utils/xml";

// One part of the sitemap (listed by /sitemap.xml): /sitemap/pages.xml, /sitemap/posts-N.xml
// or /sitemap/authors-N.xml.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const part = parseSitemapPart((params.part ?? "").replace(/\.xml$/, ""));
  if (!part || !params.part?.endsWith(".xml")) throw data("No sitemap has that address.", { status: 404 });
  const { origin } = new URL(request.url);
  let urls: string[];
  if (part.kind === "pages") {
    urls = [`<url><loc>${xmlText(`${origin}/`)}</loc><changefreq>hourly</changefreq></url>`];
  } else if (part.kind === "posts") {
    const posts = await listPostDates(part);
    urls = posts.map((post) => `<url><loc>${xmlText(`${origin}/${post.id}`)}</loc><lastmod>${post.updatedAt.toISOString()}</lastmod></url>`);
  } else {
    const names = await listUsernames(part);
    urls = names.map((name) => `<url><loc>${xmlText(`${origin}/u/${encodeURIComponent(name)}`)}</loc></url>`);
  }
  const body = `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((url) => `  ${url}`).join("\n")}
</urlset>
`;
  return xmlResponse(body, { maxAge: 3600 });
}
