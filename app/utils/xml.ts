// Text in XML (feeds, sitemaps): escaped, and without the characters XML 1.0 cannot hold at
// all (control characters, lone surrogates, U+FFFE and U+FFFF), which would make a feed reader
// refuse the whole document.

// eslint-disable-next-line no-control-regex
const NOT_IN_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(value: string): string {
  return value
    .replace(NOT_IN_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export function xmlResponse(body: string, { maxAge, type = "application/xml" }: { maxAge: number; type?: string }) {
  return new Response(body, {
    headers: {
      "Content-Type": `${type}; charset=utf-8`,
      // The same for everybody: browsers and shared caches may keep it a while.
      "Cache-Control": `public, max-age=${maxAge}`,
    },
  });
}
