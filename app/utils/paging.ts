/**
 * The page number in a list's URL (`?page=3`), only for telling people where they are (the
 * title says "page 3"): the keyset cursor decides what the page shows. Anything odd reads as 2,
 * the first page that has a cursor.
 */
export function pageNumber(raw: string | null): number {
  return raw !== null && /^[1-9][0-9]{0,5}$/.test(raw) && Number(raw) >= 2 ? Number(raw) : 2;
}
