import type { Knex } from 'knex';
import { decodeCursor, UUID } from '../../graphql/relay';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import type { ExpensiveKind } from '../../limits/concurrency';
import { NEAREST_GRID_METERS, subtreeGridIds } from './repo';

/**
 * One listing for every located kind: the filters every list takes (a grid's subtree, a box, kinds, a name or
 * address substring, `near`), keyset pages, and answers as of a past instant. A module describes its table
 * (`LocatedTable`) and adds its own conditions (`where`); the SQL of the shared part is here, once.
 */
export interface LocatedTable {
  /** The table, aliased `t` in every statement. */
  table: string;
  /** The select list (alias `t`), which must include `t.id`. */
  columns: string;
  /** The default order's leading column (`t.code`, `t.name`): text, unique enough with `t.id` after it. */
  orderColumn: string;
}

export interface LocatedFilter {
  /**
   * Records in this grid or anywhere below it; for a DEDICATED grid (an overlay, to which no record resolves),
   * the records its boundary covers.
   */
  subtreeOf?: string | null;
  /** [minLng, minLat, maxLng, maxLat], WGS-84. */
  bbox?: readonly number[] | null;
  kinds?: readonly string[] | null;
  nameContains?: string | null;
  /** Substring of `t.address`. */
  addressContains?: string | null;
  /** Within `meters` of the point (WGS-84), nearest first. */
  near?: { lng: number; lat: number; meters: number } | null;
  /** Records as they were at this instant: those that existed then, tied to the grids in force then. */
  asOf?: Date | null;
  /** The module's own conditions. */
  where?: (q: Knex.QueryBuilder) => void;
  /**
   * The request's share of the cap on expensive work (`ctx.expensive`), set by `LocationService.filter`: lists
   * no index narrows much (as of an instant, a wide `near`, a text search over everything) run under it.
   */
  gate?: <T>(kind: ExpensiveKind, work: () => Promise<T>) => Promise<T>;
}

export interface LocatedPage<R> {
  rows: R[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** The most a `near` filter may reach, metres: beyond it a list by grid or box is what is wanted. */
export const NEAR_MAX_METERS = 10_000;
/** A `near` wider than this is run as expensive work. */
const NEAR_CHEAP_METERS = 2_000;

/** An instant not in the past is now: the current state answers it, without the history's cost. */
export const pastInstant = (asOf: Date | null | undefined): Date | null => (asOf && asOf.getTime() < Date.now() ? asOf : null);

export const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/** A forged cursor is refused here, not by the database's uuid cast. */
const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

const POINT = 'ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)';
const IN_FORCE = (v: string) => `${v}.valid_from <= ? AND (${v}.valid_to IS NULL OR ${v}.valid_to > ?)`;

/** Which kind of expensive work a list is, or null when an index narrows it to a cheap read. */
function heaviness(f: LocatedFilter): ExpensiveKind | null {
  if (f.asOf) return 'history';
  if (f.near && f.near.meters > NEAR_CHEAP_METERS) return 'search';
  if ((f.nameContains || f.addressContains) && !f.subtreeOf && !f.near && !f.bbox) return 'search';
  return null;
}

/** Wrapped: a query builder is thenable, so an async function returning one would run it. */
async function filtered(db: Knex, spec: LocatedTable, f: LocatedFilter): Promise<{ q: Knex.QueryBuilder }> {
  const q = db.from(db.raw(`${spec.table} t`));
  if (f.asOf) {
    // The records that existed then, each tied to the grid it resolved to then by the same rule.
    q.whereRaw('t.created_at <= ? AND (t.retired_at IS NULL OR t.retired_at > ?)', [f.asOf, f.asOf]);
    q.joinRaw(`LEFT JOIN LATERAL grid_resolution(t.location, ${NEAREST_GRID_METERS}, ?::timestamptz) AS r ON true`, [f.asOf]);
  } else {
    q.whereNull('t.retired_at');
  }
  if (f.subtreeOf) await inSubtree(db, q, f.subtreeOf, f.asOf ?? null);
  if (f.bbox) {
    const [minLng, minLat, maxLng, maxLat] = f.bbox;
    q.whereRaw('t.location && ST_MakeEnvelope(?, ?, ?, ?, 4326)', [minLng, minLat, maxLng, maxLat]);
  }
  if (f.kinds?.length) q.whereRaw('t.kind = ANY(?::text[])', [[...f.kinds]]);
  if (f.nameContains) q.whereRaw(`t.name ILIKE ? ESCAPE '\\'`, [likePattern(f.nameContains)]);
  if (f.addressContains) q.whereRaw(`t.address ILIKE ? ESCAPE '\\'`, [likePattern(f.addressContains)]);
  if (f.near) q.whereRaw(`ST_DWithin(t.location::geography, ${POINT}::geography, ?)`, [f.near.lng, f.near.lat, f.near.meters]);
  f.where?.(q);
  return { q };
}

/**
 * The records of a grid's subtree: now, those whose stored grid is the grid or a descendant (the subtree's ids
 * by primary key and by the GIN index on `ancestor_ids`); as of an instant, those that resolved then into the
 * subtree as it was then (candidates within the grid's box of then). A DEDICATED grid has no records of its
 * own: it lists the records its boundary covers.
 */
async function inSubtree(db: Knex, q: Knex.QueryBuilder, gridId: string, asOf: Date | null): Promise<void> {
  const { rows } = asOf
    ? await db.raw(`/* locatedScope */ SELECT v.level FROM grid_version v WHERE v.grid_id = ? AND ${IN_FORCE('v')}`, [gridId, asOf, asOf])
    : await db.raw(`/* locatedScope */ SELECT g.level FROM grid g WHERE g.id = ?`, [gridId]);
  if (rows[0]?.level === 'DEDICATED') {
    const boundary = asOf
      ? db.raw(`(SELECT v.boundary FROM grid_version v WHERE v.grid_id = ? AND ${IN_FORCE('v')})`, [gridId, asOf, asOf])
      : db.raw('(SELECT g.boundary FROM grid g WHERE g.id = ?)', [gridId]);
    q.whereRaw('t.location && ? AND ST_Covers(?, t.location)', [boundary, boundary]);
    return;
  }
  if (!asOf) {
    q.whereRaw(`t.grid_id IN (${subtreeGridIds('?')})`, [
      gridId,
      gridId,
    ]);
    return;
  }
  q.whereRaw(
    `EXISTS (SELECT 1 FROM grid_version v WHERE v.grid_id = r.grid_id AND ${IN_FORCE('v')} AND (v.grid_id = ? OR v.ancestor_ids @> ARRAY[?]::uuid[]))`,
    [asOf, asOf, gridId, gridId],
  );
  // Only records near the grid as it was then can belong to it: a GiST prefilter on its boundary's box.
  q.whereRaw(`t.location && (SELECT ST_Expand(v.boundary, 0.002) FROM grid_version v WHERE v.grid_id = ? AND ${IN_FORCE('v')})`, [gridId, asOf, asOf]);
}

/**
 * One page. Without `near`: ordered by the table's order column, then id. With `near`: nearest first, in the
 * order of a KNN scan of the geography GiST index (`<->`, great-circle distance; equal distances by id), which
 * stops after the page;
 * the cursor carries that distance, so the next page continues from exactly there. `distance_m` reports the
 * distance on the spheroid (`ST_Distance` on geography), which differs from the great-circle one by under 0.5 %:
 * two records that close to equally far may come in either order.
 */
export async function pageOfLocated<R>(
  db: Knex,
  spec: LocatedTable,
  f: LocatedFilter,
  first: number,
  after: string | null | undefined,
): Promise<LocatedPage<R>> {
  if (f.asOf && !pastInstant(f.asOf)) f = { ...f, asOf: null };
  const kind = heaviness(f);
  const guarded = <T>(work: () => Promise<T>) => (kind && f.gate ? f.gate(kind, work) : work());
  const asOfColumns = f.asOf ? ', r.grid_id AS grid_id_as_of' : '';
  let rows: (R & { id: string; knn_m?: number; grid_id_as_of?: string | null })[];
  if (f.near) {
    const near = f.near;
    const pt = [near.lng, near.lat];
    const knn = `t.location::geography <-> ${POINT}::geography`;
    let cursor: [number, string] | null = null;
    if (after) {
      const [d, id] = decodeCursor(after, 2);
      if (typeof d !== 'number' || !Number.isFinite(d) || !isUuid(id)) throw badInput(msg('located.cursor'), 'after');
      cursor = [d, id];
    }
    // Ordered by the KNN distance alone, so the scan stops after the page (a second sort key would make
    // PostgreSQL read and sort every candidate in range); ties are ordered by id here, below.
    const page = async (limit: number | null, at?: number) => {
      const { q } = await filtered(db, spec, f);
      q.comment(`located:${spec.table}:near`);
      q.select(db.raw(`${spec.columns}, ST_Distance(t.location::geography, ${POINT}::geography) AS distance_m, ${knn} AS knn_m${asOfColumns}`, [...pt, ...pt]));
      if (cursor) q.whereRaw(`(${knn}, t.id) > (?::float8, ?::uuid)`, [...pt, ...cursor]);
      if (at !== undefined) q.whereRaw(`${knn} = ?::float8`, [...pt, at]);
      q.orderByRaw(knn, pt);
      if (limit !== null) q.limit(limit);
      return (await q) as typeof rows;
    };
    rows = await guarded(() => page(first + 1));
    // Records exactly as far as the page's last one may continue past the limit in any order: take them all,
    // so the page ends after the last of them by id and the cursor continues from exactly there.
    const edge = rows.length > first ? rows[first - 1].knn_m! : null;
    if (edge !== null && rows[first].knn_m === edge) {
      const tied = await guarded(() => page(null, edge));
      rows = [...rows.filter((r) => r.knn_m! < edge), ...tied];
    }
    rows.sort((a, b) => a.knn_m! - b.knn_m! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } else {
    const { q } = await filtered(db, spec, f);
    q.comment(`located:${spec.table}`);
    q.select(db.raw(`${spec.columns}${asOfColumns}`));
    if (after) {
      const [key, id] = decodeCursor(after, 2);
      if (typeof key !== 'string' || !isUuid(id)) throw badInput(msg('located.cursor'), 'after');
      q.whereRaw(`(${spec.orderColumn}, t.id) > (?, ?::uuid)`, [key, id]);
    }
    q.orderByRaw(`${spec.orderColumn}, t.id`);
    rows = (await guarded(() => q.limit(first + 1))) as typeof rows;
  }
  if (f.asOf) {
    for (const row of rows as unknown as Record<string, unknown>[]) {
      row.grid_id = row.grid_id_as_of;
      row.as_of = f.asOf;
      delete row.grid_id_as_of;
    }
  }
  return {
    rows: rows.slice(0, first),
    hasNextPage: rows.length > first,
    totalCount: () =>
      guarded(async () => {
        const { q: counted } = await filtered(db, spec, f);
        const [{ n }] = await counted.comment(`located:${spec.table}:count`).select(db.raw('count(*)::int AS n'));
        return n as number;
      }),
  };
}

/** The cursor of a row in a page built by `pageOfLocated` (its sort key, then its id). */
export function locatedCursor(row: { id: string; knn_m?: number | null }, orderKey: string): (string | number)[] {
  return row.knn_m !== undefined && row.knn_m !== null ? [row.knn_m, row.id] : [orderKey, row.id];
}
