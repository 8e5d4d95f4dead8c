// The response cache's memory (server/response-cache.ts): bounded by count and bytes, and
// split in two so that a flood of one-off URLs (junk query strings, a crawler walking every
// post) cannot push out the pages people keep asking for: a segmented LRU ("SLRU"), made of
// two lru-caches. A new entry goes into the probation segment; asked for again, it moves to
// the protected segment, which holds at most 80% of the limits (beyond that its least
// recently used go back to probation). Room is made from probation first: one-off entries
// only ever replace each other.
import { LRUCache } from "lru-cache";

export class SegmentedLru<Entry extends { bytes: number }> {
  readonly #max: { entries: number; bytes: number };
  readonly #probation: LRUCache<string, Entry>;
  readonly #protected: LRUCache<string, Entry>;

  constructor({ maxEntries, maxBytes }: { maxEntries: number; maxBytes: number }) {
    this.#max = { entries: maxEntries, bytes: maxBytes };
    // Each segment alone is bounded by the whole limit; together they are kept within it below.
    const segment = () => new LRUCache<string, Entry>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.bytes) });
    this.#probation = segment();
    this.#protected = segment();
  }

  get size(): number {
    return this.#probation.size + this.#protected.size;
  }

  get bytes(): number {
    return this.#probation.calculatedSize + this.#protected.calculatedSize;
  }

  /** The entry, counted as asked for again. */
  get(key: string): Entry | undefined {
    const guarded = this.#protected.get(key);
    if (guarded) return guarded;
    const entry = this.#probation.get(key);
    if (entry) {
      this.#probation.delete(key);
      this.#protect(key, entry);
    }
    return entry;
  }

  /** Keeps an entry; one that replaces a protected one keeps its place among the protected. */
  set(key: string, entry: Entry): void {
    if (this.#protected.has(key)) this.#protect(key, entry);
    else this.#probation.set(key, entry);
    this.#makeRoom();
  }

  delete(key: string): void {
    this.#protected.delete(key);
    this.#probation.delete(key);
  }

  #protect(key: string, entry: Entry) {
    this.#protected.set(key, entry);
    while (this.#protected.size > this.#max.entries * 0.8 || this.#protected.calculatedSize > this.#max.bytes * 0.8) {
      const oldest = this.#protected.rkeys().next().value as string;
      const demoted = this.#protected.peek(oldest) as Entry;
      this.#protected.delete(oldest);
      this.#probation.set(oldest, demoted);
    }
    this.#makeRoom();
  }

  #makeRoom() {
    while (this.size > this.#max.entries || this.bytes > this.#max.bytes) {
      if (this.#probation.size > 0) this.#probation.pop();
      else this.#protected.pop();
    }
  }
}
