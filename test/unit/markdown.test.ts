import { describe, expect, it } from "vitest";
import { excerpt, isSafeUrl, renderMarkdown, renderPostText } from "~/utils/markdown.server";
import { unsafeParts, XSS_PAYLOADS } from "../support/safe-html";

describe("Markdown rendering is safe", () => {
  it.each(XSS_PAYLOADS)("%j renders to allowed elements, attributes and addresses only", (payload) => {
    const html = renderMarkdown(payload);
    expect(unsafeParts(html)).toEqual([]);
    // And a blunter look at the tags alone (text may say "onerror=", escaped).
    const tags = html.match(/<[^>]*>/g) ?? [];
    for (const tag of tags) {
      // Attribute values are quoted and escaped by then: look at names only.
      expect(tag.replace(/="[^"]*"/g, '=""')).not.toMatch(/^<(script|iframe|style|svg|object|embed|form|input)|\son[a-z]+=|\sstyle=/i);
      expect(tag).not.toMatch(/(href|src)="\s*(javascript|vbscript|data|file):/i);
    }
  });

  it("the checker itself catches what it must (so the table above means something)", () => {
    expect(unsafeParts('<p><img src="x" onerror="alert(1)"></p>')).not.toEqual([]);
    expect(unsafeParts('<a href="javascript:alert(1)">x</a>')).not.toEqual([]);
    expect(unsafeParts('<a href="&#106;avascript:alert(1)">x</a>')).not.toEqual([]);
    expect(unsafeParts("<script>alert(1)</script>")).not.toEqual([]);
    expect(unsafeParts('<th style="text-align:left">a</th>')).not.toEqual([]);
  });

  it("allows web, mail and relative addresses only", () => {
    for (const url of ["https://example.com", "http://example.com/a?b#c", "mailto:a@example.com", "/12", "#top", "?page=2", "notes/today", "../up"]) {
      expect(isSafeUrl(url), url).toBe(true);
    }
    for (const url of ["javascript:alert(1)", " JAVASCRIPT:x", "java\nscript:x", "vbscript:x", "data:text/html,x", "file:///etc/passwd", "blob:https://x/y", "intent://x", "ftp://x"]) {
      expect(isSafeUrl(url), url).toBe(false);
    }
  });

  it("gives external links rel=noopener nofollow ugc, and none to Quill's own", () => {
    expect(renderMarkdown("[a](https://example.com) [b](/3)")).toBe(
      '<p><a href="https://example.com" rel="noopener nofollow ugc">a</a> <a href="/3">b</a></p>\n',
    );
    expect(renderMarkdown("[c](//evil.example)")).toContain('rel="noopener nofollow ugc"');
  });
});

describe("Markdown formatting", () => {
  it("keeps plain posts as they read: paragraphs, and line breaks within them", () => {
    expect(renderMarkdown("First line\nsecond line\n\nNew paragraph")).toBe("<p>First line<br>\nsecond line</p>\n<p>New paragraph</p>\n");
  });

  it("formats emphasis, headings, lists, quotes, code and strikethrough", () => {
    const html = renderMarkdown("# Big\n\n**bold** _it_ ~~gone~~ `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n```\nblock\n```");
    expect(html).toContain("<h2>Big</h2>");
    expect(html).toContain("<strong>bold</strong> <em>it</em> <s>gone</s> <code>code</code>");
    expect(html).toContain("<ul>\n<li>one</li>\n<li>two</li>\n</ul>");
    expect(html).toContain("<ol>\n<li>first</li>\n</ol>");
    expect(html).toContain("<blockquote>\n<p>quoted</p>\n</blockquote>");
    expect(html).toContain("<pre><code>block\n</code></pre>");
  });

  it("starts a post's headings at h2, under the page's h1, keeping their steps", () => {
    expect(renderMarkdown("# One\n\n## Two\n\n### Three")).toBe("<h2>One</h2>\n<h3>Two</h3>\n<h4>Three</h4>\n");
    expect(renderMarkdown("## Two\n\n### Three")).toBe("<h2>Two</h2>\n<h3>Three</h3>\n");
    expect(renderMarkdown("#### Four\n\n###### Six")).toBe("<h2>Four</h2>\n<h4>Six</h4>\n");
    expect(renderMarkdown("# One\n\n###### Six")).toBe("<h2>One</h2>\n<h6>Six</h6>\n");
  });

  it("renders GitHub tables with alignment as classes, in a box that scrolls on its own", () => {
    const html = renderMarkdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |");
    expect(html).toContain('<div class="table-scroll" tabindex="0">');
    expect(html).toContain('<th class="align-left">a</th>\n<th class="align-center">b</th>\n<th class="align-right">c</th>');
    expect(html).not.toContain("style=");
  });

  it("renders task lists as labelled boxes", () => {
    const html = renderMarkdown("- [ ] to do\n- [x] done\n- not a task");
    expect(html).toContain('<ul class="task-list">');
    expect(html).toContain('<li class="task-list-item"><span class="task-box" role="img" aria-label="Not done"></span> to do</li>');
    expect(html).toContain('<li class="task-list-item"><span class="task-box done" role="img" aria-label="Done"></span> done</li>');
    expect(html).toContain("<li>not a task</li>");
  });

  it("links bare https:// and www. addresses, not other words with dots", () => {
    const html = renderMarkdown("See https://example.com/a, www.example.org/b. Not node.js or example.com.");
    expect(html).toContain('<a href="https://example.com/a" rel="noopener nofollow ugc">https://example.com/a</a>,');
    expect(html).toContain('<a href="https://www.example.org/b" rel="noopener nofollow ugc">www.example.org/b</a>.');
    expect(html).toContain("Not node.js or example.com.");
  });

  it("shows Quill's own images and turns other sites' images into links", () => {
    expect(renderMarkdown("![A cat](/4/image)")).toBe('<p><img src="/4/image" alt="A cat" loading="lazy"></p>\n');
    expect(renderMarkdown("![A cat](https://example.com/cat.png)")).toBe(
      '<p><a href="https://example.com/cat.png" rel="noopener nofollow ugc">A cat</a></p>\n',
    );
  });

  it("stays quick on hostile nesting and repetition", () => {
    for (const text of ["[".repeat(50_000), "*a".repeat(50_000), "> ".repeat(20_000) + "x", "- ".repeat(20_000) + "x", "`".repeat(50_000), "|a".repeat(30_000) + "\n|-|\n"]) {
      const started = performance.now();
      renderMarkdown(text);
      // Generous: the machine is shared; a blow-up would take seconds to minutes.
      expect(performance.now() - started, text.slice(0, 10)).toBeLessThan(3_000);
    }
  });

  it("keeps each post's HTML per version", () => {
    const first = renderPostText({ id: 1, version: 1, text: "one" });
    expect(renderPostText({ id: 1, version: 1, text: "changed without a new version" })).toBe(first);
    expect(renderPostText({ id: 1, version: 2, text: "two" })).toBe("<p>two</p>\n");
  });
});

describe("excerpts", () => {
  it("are plain text without Markdown's marks, cut at a word", () => {
    expect(excerpt("# Title\n\nSome **bold** and [a link](https://x.example).")).toBe("Title. Some bold and a link.");
    const long = excerpt("word ".repeat(100), 50);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long).toMatch(/^(word )+word…$/);
    expect(excerpt("<script>alert(1)</script>")).toBe("<script>alert(1)</script>");
  });

  it("keep blocks apart as a reader would say them: a list's items with commas, others with a full stop", () => {
    expect(excerpt("Books to read:\n\n- The Left Hand of Darkness\n- Piranesi\n- A Psalm for the Wild-Built")).toBe(
      "Books to read: The Left Hand of Darkness, Piranesi, A Psalm for the Wild-Built",
    );
    expect(excerpt("## Lists and tasks\n\nPlain lists, with emphasis\n\n1. one\n2. two\n\n- three")).toBe(
      "Lists and tasks. Plain lists, with emphasis. one, two. three",
    );
    expect(excerpt("Done already!\n\nNext one? Yes.\n\n```\ncode here\n```")).toBe("Done already! Next one? Yes. code here");
    expect(excerpt("- outer\n  - inner a\n  - inner b\n- outer two")).toBe("outer. inner a, inner b. outer two");
  });
});
