import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { exactDate, friendlyDate } from "~/utils/dates";

type Clock = { now: number; timeZone: string | null };

const ClockContext = createContext<Clock>({ now: 0, timeZone: null });

/**
 * The time pages measure "3 hours ago" from and the reader's time zone. It starts at the
 * time the page was rendered (so the browser's first render matches the server's), then
 * follows the real clock once scripts run, a minute at a time.
 */
export function ClockProvider({ renderedAt, timeZone, children }: { renderedAt: number; timeZone: string | null; children: ReactNode }) {
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return <ClockContext.Provider value={{ now, timeZone }}>{children}</ClockContext.Provider>;
}

/** A date as people say it, with the exact time and zone on hover. */
export function DateTime({ value }: { value: string | Date }) {
  const { now, timeZone } = useContext(ClockContext);
  const date = new Date(value);
  return (
    // The text depends on the clock, which moves between the server's render and the browser's.
    <time dateTime={date.toISOString()} title={exactDate(date, timeZone)} suppressHydrationWarning>
      {friendlyDate(date, now, timeZone)}
    </time>
  );
}

/** A date said exactly ("12 March 2026 at 14:05 UTC"), in the reader's time zone. */
export function ExactDateTime({ value }: { value: string | Date }) {
  const { timeZone } = useContext(ClockContext);
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {exactDate(date, timeZone)}
    </time>
  );
}
