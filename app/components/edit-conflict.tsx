import { Link } from "@remix-run/react";
import { DiffLegend, DiffNote, DiffText } from "~/components/revisions";
import type { ConflictChanges } from "~/models/revision.server";

type Conflict = { title: string; text: string; editor: string; version: number; changes: ConflictChanges | null };

/**
 * The edit page after a refused save (409): what the other person changed since this
 * editor began, word by word, and their version in full. The editor's own words stay in
 * the form below it.
 */
export function EditConflict({ postId, conflict }: { postId: number; conflict: Conflict }) {
  const { changes } = conflict;
  return (
    <section className="conflict" aria-labelledby="conflict-heading">
      <h2 id="conflict-heading">The version {conflict.editor} saved</h2>
      <p>Merge what you need into the form below, then save again. Your own text is kept there.</p>
      {changes ? (
        <>
          <h3>
            What changed since you began (version {changes.fromVersion} to {changes.toVersion} ·{" "}
            <Link to={`/${postId}/compare?from=${changes.fromVersion}&to=${changes.toVersion}`}>compare</Link>)
          </h3>
          <DiffLegend />
          {changes.title.identical ? null : (
            <p className="diff-title">
              <DiffText parts={changes.title.parts} />
            </p>
          )}
          <div className="diff-text">
            <DiffText parts={changes.text.parts} />
          </div>
          <DiffNote diff={changes.text} />
          <details>
            <summary>Their version in full</summary>
            <h3>{conflict.title}</h3>
            <div className="post-text">{conflict.text}</div>
          </details>
        </>
      ) : (
        <>
          <h3>{conflict.title}</h3>
          <div className="post-text">{conflict.text}</div>
        </>
      )}
    </section>
  );
}
