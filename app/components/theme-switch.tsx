import { useFetcher, useLocation } from "@remix-run/react";
import type { Theme, ThemeChoice } from "~/utils/preferences";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const NAMES: Record<ThemeChoice, string> = { system: "the system's", light: "light", dark: "dark" };

/** The current theme choice, as the switch shows it: what a click on it is about to change. */
export function useThemeChoice(theme: Theme | null): ThemeChoice {
  const fetcher = useFetcher({ key: "theme" });
  const pending = fetcher.formData?.get("theme");
  if (pending === "light" || pending === "dark" || pending === "system") return pending;
  return theme ?? "system";
}

/**
 * Light, dark, or the system's setting, in turn. A plain form that comes back to this page
 * without JavaScript; with it, the change shows at once and the page stays where it is.
 */
export function ThemeSwitch({ theme }: { theme: Theme | null }) {
  const fetcher = useFetcher({ key: "theme" });
  const location = useLocation();
  const choice = useThemeChoice(theme);
  const next = NEXT[choice];
  const label = `Colour theme: ${NAMES[choice]}. Switch to ${NAMES[next]}.`;
  return (
    <fetcher.Form
      method="post"
      action="/theme"
      className="theme-switch"
      onSubmit={(event) => {
        // With scripts, no redirect: the root loader reads the new cookie again.
        event.preventDefault();
        fetcher.submit({ theme: next }, { method: "post", action: "/theme" });
      }}
    >
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <button type="submit" name="theme" value={next} className="icon-button" aria-label={label} title={label}>
        <ThemeIcon choice={choice} />
      </button>
    </fetcher.Form>
  );
}

function ThemeIcon({ choice }: { choice: ThemeChoice }) {
  if (choice === "light") {
    return (
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <circle cx="12" cy="12" r="4.5" fill="currentColor" />
        <g stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          <path d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
        </g>
      </svg>
    );
  }
  if (choice === "dark") {
    return (
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5Z" fill="currentColor" />
      </svg>
    );
  }
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
      <circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M12 3.5a8.5 8.5 0 0 1 0 17Z" fill="currentColor" />
    </svg>
  );
}
