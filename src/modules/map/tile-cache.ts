/**
 * Drawn tiles by ETag, in this process. A tile's ETag names everything it depends on (the layer's change
 * counters, the caller's scope, asOf, crs and the address: tile-routes.ts), so an entry is never stale, only
 * unused: a change gives the tiles new ETags, and the old entries age out. Bounded by bytes, least recently used
 * first out. A map panned back and forth, or many staff looking at one district, draw each tile once per change.
 */
export class TileCache {
  /** Insertion order is recency order: a hit moves its entry to the end. `null`: a tile with no feature (204). */
  private readonly entries = new Map<string, Uint8Array | null>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The tile drawn under this ETag, `null` for an empty one, `undefined` when it is not here. */
  get(etag: string): Uint8Array | null | undefined {
    const tile = this.entries.get(etag);
    if (tile === undefined) return undefined;
    this.entries.delete(etag);
    this.entries.set(etag, tile);
    return tile;
  }

  set(etag: string, tile: Uint8Array | null): void {
    const size = sizeOf(etag, tile);
    // One tile may not push out most of the others.
    if (size > this.maxBytes / 16 || this.entries.has(etag)) return;
    this.entries.set(etag, tile);
    this.bytes += size;
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= sizeOf(key, old);
    }
  }
}

/** What an entry holds on to, roughly: the tile, its key, and the map's bookkeeping. */
const sizeOf = (etag: string, tile: Uint8Array | null) => (tile?.byteLength ?? 0) + 2 * etag.length + 64;
