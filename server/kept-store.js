// Memory for answers kept between requests (server/kept-answers.js): bounded by count and
// bytes, and split in two so that a flood of one-off URLs (junk query strings, a crawler
// walking every post) cannot push out the pages people keep asking for. A new answer goes
// into a probation part; asked for again, it moves to a protected part, which holds at most
// 80% of the limits. Room is made from probation first: one-off answers only ever
// replace each other ("segmented LRU").

/**
 * @template {{ bytes: number }} Entry
 */
export class KeptStore {
  /** @param {{ maxEntries: number, maxBytes: number }} limits */
  constructor({ maxEntries, maxBytes }) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    /** @type {Map<string, Entry>} oldest first */
    this.probation = new Map();
    /** @type {Map<string, Entry>} least recently asked for first */
    this.protected = new Map();
    this.bytes = 0;
    this.protectedBytes = 0;
  }

  get size() {
    return this.probation.size + this.protected.size;
  }

  /**
   * The entry, counted as asked for again.
   * @param {string} key
   * @returns {Entry | undefined}
   */
  get(key) {
    const guarded = this.protected.get(key);
    if (guarded) {
      this.protected.delete(key);
      this.protected.set(key, guarded);
      return guarded;
    }
    const entry = this.probation.get(key);
    if (entry) {
      this.probation.delete(key);
      this.#protect(key, entry);
    }
    return entry;
  }

  /**
   * Keeps an entry; one that replaces a kept one keeps its place among the protected.
   * @param {string} key
   * @param {Entry} entry
   */
  set(key, entry) {
    const wasProtected = this.protected.has(key);
    this.delete(key);
    this.bytes += entry.bytes;
    if (wasProtected) this.#protect(key, entry);
    else this.probation.set(key, entry);
    this.#makeRoom();
  }

  /** @param {string} key */
  delete(key) {
    const guarded = this.protected.get(key);
    if (guarded) {
      this.protected.delete(key);
      this.protectedBytes -= guarded.bytes;
      this.bytes -= guarded.bytes;
      return;
    }
    const entry = this.probation.get(key);
    if (entry) {
      this.probation.delete(key);
      this.bytes -= entry.bytes;
    }
  }

  /**
   * @param {string} key
   * @param {Entry} entry already counted in `bytes`
   */
  #protect(key, entry) {
    this.protected.set(key, entry);
    this.protectedBytes += entry.bytes;
    // The protected part holds at most 80%: beyond that, its least recently asked for go
    // back to probation, where they must be asked for again to stay.
    while (this.protected.size > this.maxEntries * 0.8 || this.protectedBytes > this.maxBytes * 0.8) {
      const [oldKey, oldEntry] = /** @type {[string, Entry]} */ (this.protected.entries().next().value);
      this.protected.delete(oldKey);
      this.protectedBytes -= oldEntry.bytes;
      this.probation.set(oldKey, oldEntry);
    }
    this.#makeRoom();
  }

  #makeRoom() {
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) {
      const from = this.probation.size > 0 ? this.probation : this.protected;
      const key = /** @type {string} */ (from.keys().next().value);
      this.delete(key);
    }
  }
}
