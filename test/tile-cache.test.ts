import { TileCache } from '../src/modules/map/tile-cache';

/** The map's cache of drawn tiles by ETag (src/modules/map/tile-cache.ts): pure bookkeeping, no database. */
describe('TileCache', () => {
  const tile = (bytes: number) => new Uint8Array(bytes);

  it('answers a tile it holds, an empty tile as null, and undefined for one it does not', () => {
    const cache = new TileCache(1 << 20);
    const drawn = tile(100);
    cache.set('W/"a"', drawn);
    cache.set('W/"empty"', null);
    expect(cache.get('W/"a"')).toBe(drawn);
    expect(cache.get('W/"empty"')).toBeNull();
    expect(cache.get('W/"b"')).toBeUndefined();
  });

  it('keeps within its bytes, dropping the least recently used first', () => {
    const cache = new TileCache(16 * 1000);
    for (const k of ['1', '2', '3', '4']) cache.set(k, tile(800));
    cache.get('1'); // used again: now the most recent
    // About 870 bytes an entry: 18 fit in 16,000; by the 21st the three oldest unused (2, 3, 4) are out.
    for (let k = 5; k <= 21; k++) cache.set(String(k), tile(800));
    expect(cache.get('1')).toBeDefined();
    expect(['2', '3', '4'].map((k) => cache.get(k))).toEqual([undefined, undefined, undefined]);
    expect(cache.get('5')).toBeDefined();
    expect(cache.get('21')).toBeDefined();
  });

  it('does not let one tile push out most of the others', () => {
    const cache = new TileCache(16 * 1000);
    cache.set('small', tile(100));
    cache.set('huge', tile(2000));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
  });
});
