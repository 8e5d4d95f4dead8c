/**
 * A whole number from the environment, at least 1; `fallback` when the variable is unset or
 * empty. Anything else stops the process at start with a message naming the variable: a
 * typo must not quietly turn a limit off (`Number("20/h")` is NaN, and nothing is ever over NaN).
 */
export function wholeNumberSetting(name: string, fallback: number): number {
  const value = process.env[name]?.trim();
  if (!value) return fallback;
  if (!/^[1-9][0-9]{0,14}$/.test(value)) throw new Error(`${name} must be a whole number of at least 1, not "${value}".`);
  return Number(value);
}
