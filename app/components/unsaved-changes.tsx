import { useBeforeUnload, useBlocker } from "@remix-run/react";
import { useCallback, useEffect, useRef } from "react";

/**
 * Asks before leaving a form with unsaved changes: a dialog for links inside Quill (Remix's
 * blocker), the browser's own question for closing the tab or going elsewhere
 * (beforeunload). Without JavaScript there is nothing to ask with.
 */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => when && currentLocation.pathname !== nextLocation.pathname);
  useBeforeUnload(
    useCallback(
      (event: BeforeUnloadEvent) => {
        if (!when) return;
        event.preventDefault();
        event.returnValue = "";
      },
      [when],
    ),
  );
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (blocker.state === "blocked") stay.current?.focus();
  }, [blocker.state]);
  // Changes saved or thrown away elsewhere: nothing to ask any more.
  useEffect(() => {
    if (blocker.state === "blocked" && !when) blocker.reset();
  }, [blocker, when]);

  if (blocker.state !== "blocked") return null;
  return (
    <div className="dialog-backdrop">
      <div role="alertdialog" aria-modal="true" aria-labelledby="unsaved-title" aria-describedby="unsaved-text" className="dialog">
        <h2 id="unsaved-title">Leave without saving?</h2>
        <p id="unsaved-text">Your changes to this form have not been saved. If you leave now, they are lost.</p>
        <div className="form-actions">
          <button type="button" ref={stay} onClick={() => blocker.reset()}>
            Stay and keep editing
          </button>
          <button type="button" className="danger" onClick={() => blocker.proceed()}>
            Leave and lose changes
          </button>
        </div>
      </div>
    </div>
  );
}
