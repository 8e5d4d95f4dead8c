import MarkdownIt, { type StateCore, type Token } from "markdown-it";

/**
 * Posts are written in Markdown: CommonMark with GitHub's tables, strikethrough, task lists
 * and autolinks, rendered here, on the server, to HTML that pages insert as it is
 * (docs/decisions/011-reading-and-writing.md). That is safe only because of how this
 * renderer is set up, so every choice below is about what the HTML may contain:
 *
 * - `html: false`: raw HTML in a post is text, escaped like everything else.
 * - Links and images keep only http:, https:, mailto: and relative addresses
 *   (validateLink): no javascript:, vbscript:, data:, file: or anything else.
 * - External links get `rel="noopener nofollow ugc"`.
 * - No `style` attributes (the Content-Security-Policy forbids them): table alignment
 *   becomes a class; images from other sites (which the policy would block) become links.
 * - Headings start at h2 (the post's highest becomes h2): the title is the page's only h1.
 *
 * test/unit/markdown.test.ts holds it to that with a table of XSS payloads.
 */

const markdown = new MarkdownIt("default", {
  html: false,
  // Bare https:// and www. addresses become links, as on GitHub; "example.com" alone does not.
  linkify: true,
  // A single line break is a line break: posts written before Markdown read as they did.
  breaks: true,
  typographer: false,
});
markdown.linkify.set({ fuzzyLink: false, fuzzyEmail: false });
// linkify-it without fuzzy links ignores "www." addresses; GitHub links them, so do we.
markdown.linkify.add("www.", {
  validate(text, pos) {
    const tail = text.slice(pos);
    const match = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#][^\s<>"]*)?/i.exec(tail);
    if (!match) return 0;
    // Trailing punctuation ends a sentence, not the address.
    return match[0].replace(/[.,:;!?)'"]+$/, "").length;
  },
  normalize(match) {
    match.url = `https://${match.url}`;
  },
});

const ALLOWED_SCHEMES = new Set(["http", "https", "mailto"]);

/** Only web, mail and relative addresses; everything with another scheme is refused. */
export function isSafeUrl(url: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  const squeezed = url.replace(/[\u0000-\u0020\u007f-\u00a0]/g, "").toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(squeezed)?.[1];
  if (scheme === undefined) return !squeezed.includes(":") || /^[/?#.]/.test(squeezed);
  return ALLOWED_SCHEMES.has(scheme);
}

markdown.validateLink = isSafeUrl;

/** A link to another site (or a protocol-relative one): anything not starting with one "/", "#" or "?". */
function isExternal(href: string) {
  return !/^(?:\/(?!\/)|#|\?)/.test(href);
}

// ---- rules ---------------------------------------------------------------------------

markdown.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index];
  if (isExternal(String(token.attrGet("href") ?? ""))) token.attrSet("rel", "noopener nofollow ugc");
  return self.renderToken(tokens, index, options);
};

// The page's policy lets images come only from Quill itself; one from elsewhere would be
// blocked (and reported as a violation), so it is shown as a link to the picture instead.
markdown.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index];
  const src = String(token.attrGet("src") ?? "");
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (!src || isExternal(src)) {
    const label = markdown.utils.escapeHtml(alt || src || "image");
    return src ? `<a href="${markdown.utils.escapeHtml(src)}" rel="noopener nofollow ugc">${label}</a>` : label;
  }
  const title = token.attrGet("title") === null ? "" : String(token.attrGet("title"));
  return `<img src="${markdown.utils.escapeHtml(src)}" alt="${markdown.utils.escapeHtml(alt)}"${title ? ` title="${markdown.utils.escapeHtml(title)}"` : ""} loading="lazy">`;
};

// Tables scroll inside their own box on narrow screens, never the page; the box can be
// focused so that keyboard users can scroll it too.
markdown.renderer.rules.table_open = () => '<div class="table-scroll" tabindex="0">\n<table>\n';
markdown.renderer.rules.table_close = () => "</table>\n</div>\n";

markdown.renderer.rules.task_box = (tokens, index) =>
  tokens[index].meta?.done ? '<span class="task-box done" role="img" aria-label="Done"></span> ' : '<span class="task-box" role="img" aria-label="Not done"></span> ';

markdown.core.ruler.push("quill_adjust", (state: StateCore) => {
  const tokens = state.tokens;
  // The post's highest heading becomes an h2, under the title's h1, whether it was written
  // "#" or "##"; the others keep their distance from it (at most h6).
  const levels = tokens.filter((token) => token.type === "heading_open").map((token) => Number(token.tag.slice(1)));
  const shift = levels.length > 0 ? 2 - Math.min(...levels) : 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.type === "heading_open" || token.type === "heading_close") {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + shift)}`;
    }
    // text-align:... -> class="align-..."
    if ((token.type === "th_open" || token.type === "td_open") && token.attrs) {
      const style = String(token.attrGet("style") ?? "");
      const align = /text-align:(left|right|center)/.exec(style)?.[1];
      token.attrs = token.attrs.filter(([name]) => name !== "style");
      if (align) token.attrJoin("class", `align-${align}`);
    }
    if (token.type === "list_item_open") markTask(state, tokens, index);
  }
});

/**
 * GitHub's task lists: a list item whose text starts with "[ ] " or "[x] " gets a box,
 * drawn by CSS. Not a form control: it cannot be ticked, so a picture with a label says
 * what it shows.
 */
function markTask(state: StateCore, tokens: Token[], index: number) {
  const inline = tokens[index + 2];
  if (tokens[index + 1]?.type !== "paragraph_open" || inline?.type !== "inline") return;
  const match = /^\[([ xX])\][ \t]/.exec(inline.content);
  const first = inline.children?.[0];
  if (!match || first?.type !== "text" || !first.content.startsWith(match[0].slice(0, 3))) return;
  first.content = first.content.slice(3).replace(/^[ \t]/, "");
  inline.content = inline.content.slice(match[0].length);
  const box = new state.Token("task_box", "", 0);
  box.meta = { done: match[1] !== " " };
  inline.children!.unshift(box);
  tokens[index].attrJoin("class", "task-list-item");
  // The list the item belongs to: the nearest open list before it at one level up.
  for (let back = index - 1; back >= 0; back--) {
    const candidate = tokens[back];
    if ((candidate.type === "bullet_list_open" || candidate.type === "ordered_list_open") && candidate.level === tokens[index].level - 1) {
      if (!String(candidate.attrGet("class") ?? "").includes("task-list")) candidate.attrJoin("class", "task-list");
      break;
    }
  }
}

// ---- rendering -----------------------------------------------------------------------

/** A post's text as safe HTML. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

/**
 * Rendering the longest posts (100,000 characters with tables and lists) takes tens of
 * milliseconds, so each post's HTML is kept by id and version, which every save changes:
 * at most 8 MB of it, the least recently read going first.
 */
const MAX_CACHED_BYTES = 8 * 1024 * 1024;
const rendered = new Map<string, string>(); // oldest first
let renderedBytes = 0;

export function renderPostText(post: { id: number; version: number; text: string }): string {
  const key = `${post.id}:${post.version}`;
  const kept = rendered.get(key);
  if (kept !== undefined) {
    rendered.delete(key);
    rendered.set(key, kept);
    return kept;
  }
  const html = renderMarkdown(post.text);
  const bytes = html.length * 2;
  if (bytes <= MAX_CACHED_BYTES / 4) {
    rendered.set(key, html);
    renderedBytes += bytes;
    for (const [oldest, value] of rendered) {
      if (renderedBytes <= MAX_CACHED_BYTES) break;
      rendered.delete(oldest);
      renderedBytes -= value.length * 2;
    }
  }
  return html;
}

/**
 * The first words of a post as plain text, for the front page, feeds and descriptions:
 * Markdown's marks removed, at most about `length` characters, cut at a word. Blocks that
 * end without punctuation (a heading, a list item) are kept apart as a reader would say
 * them: items of one list with commas, anything else with a full stop.
 */
export function excerpt(text: string, length = 200): string {
  const blocks: { text: string; list: number | null }[] = [];
  let size = 0;
  // Which list (by its opening token's index) the blocks being read belong to, innermost last.
  const lists: number[] = [];
  for (const [index, block] of markdown.parse(text, {}).entries()) {
    if (size > length) break;
    if (block.type === "bullet_list_open" || block.type === "ordered_list_open") lists.push(index);
    else if (block.type === "bullet_list_close" || block.type === "ordered_list_close") lists.pop();
    let words = "";
    if (block.type === "inline") {
      for (const child of block.children ?? []) {
        if (child.type === "text" || child.type === "code_inline" || child.type === "image") words += child.content;
        else if (child.type === "softbreak" || child.type === "hardbreak") words += " ";
      }
    } else if (block.type === "fence" || block.type === "code_block") {
      words = block.content;
    }
    words = words.replace(/\s+/g, " ").trim();
    if (!words) continue;
    blocks.push({ text: words, list: lists.at(-1) ?? null });
    size += words.length + 2;
  }
  let flat = "";
  for (const [index, block] of blocks.entries()) {
    const previous = blocks[index - 1];
    if (previous) {
      const open = !/[.!?:;,…)"'”’]$/.test(previous.text);
      flat += open ? (previous.list !== null && previous.list === block.list ? ", " : ". ") : " ";
    }
    flat += block.text;
  }
  if (flat.length <= length) return flat;
  const cut = flat.slice(0, length + 1);
  const atWord = cut.lastIndexOf(" ");
  return `${(atWord > length * 0.6 ? cut.slice(0, atWord) : cut.slice(0, length)).replace(/[\s.,;:!?-]+$/, "")}…`;
}

const excerpts = new Map<string, string>(); // oldest first, at most 5,000

/** A listed post's excerpt from the opening of its text, kept per id and version. */
export function postExcerpt(post: { id: number; version: number; opening: string }): string {
  const key = `${post.id}:${post.version}`;
  let text = excerpts.get(key);
  if (text === undefined) {
    text = excerpt(post.opening);
    excerpts.set(key, text);
    if (excerpts.size > 5_000) excerpts.delete(excerpts.keys().next().value as string);
  }
  return text;
}
