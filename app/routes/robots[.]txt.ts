import type { LoaderFunctionArgs } from "@remix-run/node";

// Crawlers may read every post and author page; forms, accounts and the API are not for them.
export function loader({ request }: LoaderFunctionArgs) {
  const { origin } = new URL(request.url);
  const body = [
    "User-agent: *",
    "Allow: /",
    "Disallow: /new",
    "Disallow: /*/edit",
    "Disallow: /*/delete",
    "Disallow: /login",
    "Disallow: /signup",
    "Disallow: /settings",
    "Disallow: /api",
    "",
    `Sitemap: ${origin}/sitemap.xml`,
    "",
  ].join("\n");
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=86400" } });
}
