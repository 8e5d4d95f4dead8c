import { useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";

/**
 * The one-time notice after publishing, saving, deleting or changing a password (a flash
 * message from the session). It belongs to the page it arrived with: moving on in the
 * browser, where the root loader is not asked again, hides it.
 */
export function Notice({ notice }: { notice: { id: string; message: string } | null }) {
  const location = useLocation();
  const [seen, setSeen] = useState<{ id: string; at: string } | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  useEffect(() => {
    if (notice && seen?.id !== notice.id) setSeen({ id: notice.id, at: location.key });
  }, [notice, seen, location.key]);
  if (!notice || dismissed === notice.id) return null;
  if (seen?.id === notice.id && seen.at !== location.key) return null;
  return (
    <div className="notice-bar" role="status">
      <div className="notice">
        <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
          <path d="M9.5 16.2 5.3 12l-1.4 1.4 5.6 5.6 11-11-1.4-1.4z" fill="currentColor" />
        </svg>
        <p>{notice.message}</p>
        {seen ? (
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setDismissed(notice.id)}>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16">
              <path d="M6 6l12 12M18 6 6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        ) : null}
      </div>
    </div>
  );
}
