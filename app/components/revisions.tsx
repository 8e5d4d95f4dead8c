import { Link } from "@remix-run/react";
import { Fragment } from "react";
import type { DiffPart, WordDiff } from "~/utils/word-diff.server";
import { DELETED_USER } from "~/utils/names";
import "~/styles/revisions.css";

// The pieces the history, old-version, compare and edit-conflict pages share
// (docs/decisions/012-revisions.md).

/**
 * A word diff as React elements: <ins> for inserted words, <del> for deleted ones. The
 * text is only ever React text, so HTML in a post is shown, never interpreted.
 */
export function DiffText({ parts }: { parts: DiffPart[] }) {
  return (
    <>
      {parts.map(([change, text], index) =>
        change === 1 ? <ins key={index}>{text}</ins> : change === -1 ? <del key={index}>{text}</del> : <Fragment key={index}>{text}</Fragment>,
      )}
    </>
  );
}

export function DiffLegend() {
  return (
    <p className="diff-legend">
      <ins>Added words</ins> are underlined in green; <del>removed words</del> are struck through in red.
    </p>
  );
}

/** Says what a diff could not show word by word, or that only spacing changed. */
export function DiffNote({ diff }: { diff: Pick<WordDiff, "by" | "onlySpacing"> }) {
  if (diff.by === "lines") return <p className="diff-note">Some paragraphs changed too much to compare word by word: they are shown replaced as a whole.</p>;
  if (diff.by === "whole") return <p className="diff-note">The texts are too different to compare: the whole text is shown replaced.</p>;
  if (diff.onlySpacing) return <p className="diff-note">Only spacing or line breaks changed.</p>;
  return null;
}

/** "+120 / −8 characters" */
export function ChangeSize({ charsAdded, charsRemoved }: { charsAdded: number; charsRemoved: number }) {
  return (
    <span className="change-size">
      <span className="added">+{charsAdded.toLocaleString("en")}</span> / <span className="removed">−{charsRemoved.toLocaleString("en")}</span>{" "}
      characters
    </span>
  );
}

/** Who saved a revision, linking to their page; a deleted account has none. */
export function EditorLink({ editor }: { editor: { username: string } | null }) {
  if (!editor) return <>{DELETED_USER}</>;
  return <Link to={`/u/${encodeURIComponent(editor.username)}`}>{editor.username}</Link>;
}
