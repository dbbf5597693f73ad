import type { Knex } from 'knex';
import { decodeCursor } from '../../graphql/relay';
import { badInput } from '../../errors';
import { NEAREST_GRID_METERS } from './repo';

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
  /** Records in this grid or anywhere below it. */
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
}

export interface LocatedPage<R> {
  rows: R[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** The most a `near` filter may reach, metres: beyond it a list by grid or box is what is wanted. */
export const NEAR_MAX_METERS = 50_000;

export const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A forged cursor is refused here, not by the database's uuid cast. */
const isUuid = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);

const POINT = 'ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)';

function filtered(db: Knex, spec: LocatedTable, f: LocatedFilter): Knex.QueryBuilder {
  const q = db.from(db.raw(`${spec.table} t`));
  if (f.asOf) {
    // The records that existed then, each tied to the grid it resolved to then by the same rule.
    q.whereRaw('t.created_at <= ? AND (t.retired_at IS NULL OR t.retired_at > ?)', [f.asOf, f.asOf]);
    q.joinRaw(
      `LEFT JOIN LATERAL grid_resolution(t.location, ${NEAREST_GRID_METERS}, ?::timestamptz) AS r ON true`,
      [f.asOf],
    );
  } else {
    q.whereNull('t.retired_at');
  }
  const gridColumn = f.asOf ? 'r.grid_id' : 't.grid_id';
  if (f.subtreeOf) {
    if (f.asOf) {
      q.whereRaw(
        `EXISTS (SELECT 1 FROM grid_version v WHERE v.grid_id = r.grid_id AND v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
                 AND (v.grid_id = ? OR v.ancestor_ids @> ARRAY[?]::uuid[]))`,
        [f.asOf, f.asOf, f.subtreeOf, f.subtreeOf],
      );
      // Only records near the grid as it was then can belong to it: a GiST prefilter on its boundary's box.
      q.whereRaw(
        `t.location && (SELECT ST_Expand(v.boundary, 0.002) FROM grid_version v WHERE v.grid_id = ? AND v.valid_from <= ?
                        AND (v.valid_to IS NULL OR v.valid_to > ?))`,
        [f.subtreeOf, f.asOf, f.asOf],
      );
    } else {
      q.whereRaw(`${gridColumn} IN (SELECT g.id FROM grid g WHERE g.id = ? OR g.ancestor_ids @> ARRAY[?]::uuid[])`, [
        f.subtreeOf,
        f.subtreeOf,
      ]);
    }
  }
  if (f.bbox) {
    const [minLng, minLat, maxLng, maxLat] = f.bbox;
    q.whereRaw('t.location && ST_MakeEnvelope(?, ?, ?, ?, 4326)', [minLng, minLat, maxLng, maxLat]);
  }
  if (f.kinds?.length) q.whereRaw('t.kind = ANY(?::text[])', [[...f.kinds]]);
  if (f.nameContains) q.whereRaw(`t.name ILIKE ? ESCAPE '\\'`, [likePattern(f.nameContains)]);
  if (f.addressContains) q.whereRaw(`t.address ILIKE ? ESCAPE '\\'`, [likePattern(f.addressContains)]);
  if (f.near) {
    q.whereRaw(`ST_DWithin(t.location::geography, ${POINT}::geography, ?)`, [f.near.lng, f.near.lat, f.near.meters]);
  }
  f.where?.(q);
  return q;
}

/**
 * One page. Without `near`: ordered by the table's order column, then id. With `near`: nearest first by the
 * distance on the spheroid (what `ST_Distance` on geography answers, and what `distance_m` reports), the
 * candidates found through the geography GiST index; the cursor carries the distance, so the next page
 * continues from exactly there.
 */
export async function pageOfLocated<R>(
  db: Knex,
  spec: LocatedTable,
  f: LocatedFilter,
  first: number,
  after: string | null | undefined,
): Promise<LocatedPage<R>> {
  const q = filtered(db, spec, f);
  const asOfColumns = f.asOf ? ', r.grid_id AS grid_id_as_of' : '';
  if (f.near) {
    const distance = `ST_Distance(t.location::geography, ${POINT}::geography)`;
    const pt = [f.near.lng, f.near.lat];
    q.select(db.raw(`${spec.columns}, ${distance} AS distance_m${asOfColumns}`, pt));
    if (after) {
      const [d, id] = decodeCursor(after, 2);
      if (typeof d !== 'number' || !Number.isFinite(d) || !isUuid(id)) throw badInput('after is not a cursor of this list', 'after');
      q.whereRaw(`(${distance}, t.id) > (?::float8, ?::uuid)`, [...pt, d, id]);
    }
    q.orderByRaw(`${distance}, t.id`, pt);
  } else {
    q.select(db.raw(`${spec.columns}${asOfColumns}`));
    if (after) {
      const [key, id] = decodeCursor(after, 2);
      if (typeof key !== 'string' || !isUuid(id)) throw badInput('after is not a cursor of this list', 'after');
      q.whereRaw(`(${spec.orderColumn}, t.id) > (?, ?::uuid)`, [key, id]);
    }
    q.orderByRaw(`${spec.orderColumn}, t.id`);
  }
  const rows = (await q.limit(first + 1)) as (R & { grid_id_as_of?: string | null })[];
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
    totalCount: async () => {
      const [{ n }] = await filtered(db, spec, f).select(db.raw('count(*)::int AS n'));
      return n as number;
    },
  };
}

/** The cursor of a row in a page built by `pageOfLocated` (its sort key, then its id). */
export function locatedCursor(row: { id: string; distance_m?: number | null }, orderKey: string): (string | number)[] {
  return row.distance_m !== undefined && row.distance_m !== null ? [row.distance_m, row.id] : [orderKey, row.id];
}
