/**
 * What rendered Markdown may contain, checked by reading every tag: a "<" that does not
 * open or close one of these elements, an attribute not listed for its element, or an
 * address with a scheme other than http, https or mailto is a failure. Text is escaped, so
 * outside tags there is no "<" at all.
 */
const ALLOWED: Record<string, string[]> = {
  p: [], br: [], hr: [], em: [], strong: [], s: [], code: ["class"], pre: [], blockquote: [],
  h2: [], h3: [], h4: [], h5: [], h6: [], ul: ["class"], ol: ["class", "start"], li: ["class"],
  a: ["href", "rel", "title"], img: ["src", "alt", "title", "loading"],
  div: ["class", "tabindex"], table: [], thead: [], tbody: [], tr: [], th: ["class"], td: ["class"],
  span: ["class", "role", "aria-label"],
};

const TAG = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/;
const ATTRIBUTE = /\s+([a-z-]+)(?:="([^"]*)")?/g;

export function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  for (let at = html.indexOf("<"); at !== -1; at = html.indexOf("<", at + 1)) {
    const match = TAG.exec(html.slice(at));
    if (!match) {
      problems.push(`a "<" that opens no allowed tag: ${html.slice(at, at + 40)}`);
      continue;
    }
    const [, closing, name, attributes] = match;
    const allowed = ALLOWED[name];
    if (!allowed) {
      problems.push(`element <${name}>`);
      continue;
    }
    if (closing) continue;
    for (const [, attribute, value = ""] of attributes.matchAll(ATTRIBUTE)) {
      if (!allowed.includes(attribute)) problems.push(`attribute ${attribute} on <${name}>`);
      if ((attribute === "href" || attribute === "src") && !safeAddress(decodeEntities(value))) problems.push(`${attribute}="${value}"`);
    }
  }
  return problems;
}

function decodeEntities(value: string) {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function safeAddress(url: string) {
  // eslint-disable-next-line no-control-regex
  const squeezed = url.replace(/[\u0000-\u0020]/g, "").toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(squeezed)?.[1];
  return scheme === undefined || ["http", "https", "mailto"].includes(scheme);
}

/** Posts that try to get script, styles or foreign content into a page. */
export const XSS_PAYLOADS: string[] = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "<svg onload=alert(1)><circle r=1></svg>",
  '<a href="javascript:alert(1)">raw link</a>',
  "<iframe src=https://evil.example></iframe>",
  "<style>body{display:none}</style>",
  '<div style="position:fixed;inset:0">cover</div>',
  "<!-- comment --><script>alert(1)</script>",
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](  javascript:alert(1))",
  "[click](<javascript:alert(1)>)",
  "[click](java\tscript:alert(1))",
  "[click](&#106;avascript:alert(1))",
  "[click](&#x6A;avascript&#x3A;alert(1))",
  "[click](javascript&colon;alert(1))",
  "[click](vbscript:msgbox(1))",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[click](file:///etc/passwd)",
  "[ref][1]\n\n[1]: javascript:alert(1)",
  "<javascript:alert(1)>",
  "javascript:alert(1)",
  "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
  "![x](javascript:alert(1))",
  "![x](data:image/png;base64,iVBORw0KGgo=)",
  "[x](data:image/png;base64,iVBORw0KGgo=)",
  "[x](ms-msdt:/id PCWDiagnostic)",
  "[x](intent://scan/#Intent;scheme=zxing;end)",
  "![x](https://evil.example/track.png)",
  '![x" onerror="alert(1)](/1/image)',
  '[x](https://example.com" onmouseover="alert(1))',
  '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
  'www.example.com/"onmouseover="alert(1)',
  "https://example.com/<script>alert(1)</script>",
  "`<script>alert(1)</script>`",
  "```html\n<script>alert(1)</script>\n```",
  "    <script>indented code</script>",
  "| <b>a</b> | b |\n|:-:|--:|\n| <i onclick=x>1</i> | 2 |",
  "- [x] <img src=x onerror=alert(1)>",
  "> <script>alert(1)</script>",
  "**<script>**alert(1)**</script>**",
  "[<img src=x onerror=alert(1)>](https://example.com)",
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "\u202e<script>alert(1)</script>",
];
