import { Diff, diffLines, type ChangeObject } from "diff";

// Word-level differences between two versions of a text, by the `diff` package (jsdiff):
// used at save time to count what changed, and by the compare and edit-conflict pages to
// show it (docs/decisions/012-revisions.md).

/** A stretch of text that both versions share (0), only the newer has (1), or only the older (-1). */
export type DiffPart = [change: -1 | 0 | 1, text: string];

export type WordDiff = {
  parts: DiffPart[];
  /** Characters in the inserted and in the deleted stretches. */
  added: number;
  removed: number;
  /**
   * "words" normally. Where a word diff would take too long (long, unrelated paragraphs),
   * those lines are shown replaced as a whole ("lines"); if even the line diff would, the
   * whole text is ("whole").
   */
  by: "words" | "lines" | "whole";
  /** The two texts are exactly the same. */
  identical: boolean;
  /** They differ only in spaces and line breaks. */
  onlySpacing: boolean;
};

// Every visitor may ask for any comparison, so the work one costs has a ceiling.
const TIMEOUT_MS = 100;

/**
 * jsdiff's diffWordsWithSpace (words, runs of spaces, line breaks and single other
 * characters are the tokens), defined the way jsdiff's docs say custom diffs are, with two
 * changes: the token pattern is compiled once (the library builds a Unicode RegExp on every
 * call, which cost more than comparing a sentence), and a word is letters of any alphabet
 * (the library's are Latin only, so a Greek or Cyrillic word was compared letter by
 * letter). Chinese and Japanese, written without spaces, are still compared character by
 * character (the `v` flag's set difference takes their scripts out of the letters).
 */
const TOKEN = new RegExp("\\r?\\n|[[\\p{L}\\p{M}\\p{N}_]--[\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}]]+|[^\\S\\r\\n]+|[\\s\\S]", "gv");

class WordsWithSpaceDiff extends Diff<string, string> {
  tokenize(value: string): string[] {
    return value.match(TOKEN) ?? [];
  }
}
const wordsWithSpace = new WordsWithSpaceDiff();

/**
 * The word-level differences from `before` to `after`. Word diffs cost time in proportion
 * to the words compared, so the texts are narrowed first: what both share at the start and
 * the end is set aside, the lines (paragraphs) in between are compared with jsdiff's line
 * diff, and only the runs of lines that changed are compared word by word (again without
 * what they share at their ends). The usual edit changes a few words in a few paragraphs,
 * so it costs about the same for a long post as for a short one.
 */
export function wordDiff(before: string, after: string): WordDiff {
  if (before === after) return { parts: before ? [[0, before]] : [], added: 0, removed: 0, by: "words", identical: true, onlySpacing: false };
  const deadline = Date.now() + TIMEOUT_MS;
  const timeout = () => Math.max(1, deadline - Date.now());
  const diff = new DiffBuilder();

  withCommonEnds(diff, before, after, (older, newer) => {
    const lines = diffLines(older, newer, { timeout: timeout() });
    if (!lines) {
      diff.by = "whole";
      diff.push(-1, older);
      diff.push(1, newer);
      return;
    }
    // Each run of changed lines: what it removed and what it added, compared word by word.
    let removed = "";
    let added = "";
    const flush = () => {
      withCommonEnds(diff, removed, added, (oldWords, newWords) => {
        const words = wordsWithSpace.diff(oldWords, newWords, { timeout: timeout() });
        if (words) for (const change of words) diff.push(kind(change), change.value);
        else {
          diff.by = "lines";
          diff.push(-1, oldWords);
          diff.push(1, newWords);
        }
      });
      removed = added = "";
    };
    for (const change of lines) {
      if (change.removed) removed += change.value;
      else if (change.added) added += change.value;
      else {
        flush();
        diff.push(0, change.value);
      }
    }
    flush();
  });
  return diff.result();
}

/**
 * Sets aside what `before` and `after` share at the start and the end, cut at whitespace so
 * that no word is split, and hands the rest to `middle` (unless one side of it is empty).
 */
function withCommonEnds(diff: DiffBuilder, before: string, after: string, middle: (older: string, newer: string) => void) {
  // A cut is between words when whitespace (or the end of the text) is on one side of it in both texts.
  const spaceOrEdge = (text: string, index: number) => index < 0 || index >= text.length || isSpace(text.charCodeAt(index));
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  while (start > 0 && !(spaceOrEdge(before, start - 1) || (spaceOrEdge(before, start) && spaceOrEdge(after, start)))) start--;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  while (end > 0 && !(spaceOrEdge(before, before.length - end) || (spaceOrEdge(before, before.length - end - 1) && spaceOrEdge(after, after.length - end - 1)))) end--;
  const older = before.slice(start, before.length - end);
  const newer = after.slice(start, after.length - end);

  diff.push(0, before.slice(0, start));
  if (!older || !newer) {
    diff.push(-1, older);
    diff.push(1, newer);
  } else middle(older, newer);
  diff.push(0, before.slice(before.length - end));
}

function kind(change: ChangeObject<string>): DiffPart[0] {
  return change.added ? 1 : change.removed ? -1 : 0;
}

class DiffBuilder {
  parts: DiffPart[] = [];
  by: WordDiff["by"] = "words";

  push(change: DiffPart[0], text: string) {
    if (!text) return;
    const last = this.parts[this.parts.length - 1];
    if (last && last[0] === change) last[1] += text;
    else this.parts.push([change, text]);
  }

  result(): WordDiff {
    const parts = absorbPunctuation(this.parts);
    let added = 0;
    let removed = 0;
    let onlySpacing = true;
    for (const [change, text] of parts) {
      if (change === 1) added += text.length;
      if (change === -1) removed += text.length;
      if (change !== 0 && /\S/.test(text)) onlySpacing = false;
    }
    return { parts, added, removed, by: this.by, identical: false, onlySpacing };
  }
}

// A diff that keeps "<", ">" or a comma in common between two rewritten stretches is
// minimal but unreadable ("<b>40</b>" to "<i>45</i>" would keep the brackets). Such bits
// of punctuation, between two changes, are shown as changed too.
const PUNCTUATION_ONLY = /^[^\p{L}\p{N}]{1,3}$/u;

function absorbPunctuation(parts: DiffPart[]): DiffPart[] {
  const result: DiffPart[] = [];
  let removed = "";
  let added = "";
  let inChange = false;
  const close = () => {
    if (removed) result.push([-1, removed]);
    if (added) result.push([1, added]);
    removed = added = "";
    inChange = false;
  };
  parts.forEach(([change, text], index) => {
    if (change === -1) removed += text;
    else if (change === 1) added += text;
    else if (inChange && PUNCTUATION_ONLY.test(text) && index + 1 < parts.length) {
      removed += text;
      added += text;
      return;
    } else {
      close();
      result.push([0, text]);
      return;
    }
    inChange = true;
  });
  close();
  return result;
}

function isSpace(code: number) {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

/** The state of a post that a revision keeps. */
export type PostState = { title: string; text: string; imageHash: string | null; imageAlt: string };

export type ChangeSize = { charsAdded: number; charsRemoved: number; imageChanged: boolean };

/**
 * How much a save changed, for the history list: characters in the words inserted and
 * deleted in the title and the text, and whether the image (or its description) changed.
 * `before` is null for a new post.
 */
export function changeSize(before: PostState | null, after: PostState): ChangeSize {
  if (!before) {
    return { charsAdded: after.title.length + after.text.length, charsRemoved: 0, imageChanged: after.imageHash !== null };
  }
  const title = wordDiff(before.title, after.title);
  const text = wordDiff(before.text, after.text);
  return {
    charsAdded: title.added + text.added,
    charsRemoved: title.removed + text.removed,
    imageChanged: before.imageHash !== after.imageHash || before.imageAlt !== after.imageAlt,
  };
}
