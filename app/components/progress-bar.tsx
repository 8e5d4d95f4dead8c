import { useNavigation } from "@remix-run/react";

/**
 * A thin bar at the top of the page while a navigation or a form is under way (with
 * JavaScript; without it, the browser shows its own). CSS draws it, and only after a short
 * delay, so quick pages never flicker.
 */
export function ProgressBar() {
  const busy = useNavigation().state !== "idle";
  return <div className="progress-bar" data-busy={busy} aria-hidden="true" />;
}
