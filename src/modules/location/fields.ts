import type { Context } from '../../context';
import type { CoordinateSystem } from '../../generated/graphql';
import { positionIn } from '../../geo/output-crs';
import { encodeCursor, toGlobalId } from '../../graphql/relay';
import { locatedCursor, type LocatedPage } from './repo-list';
import type { LocatedRow } from './mappers';

/**
 * The `Located` fields, the same for every located type: a module spreads `locatedFields('Building')` into its
 * type's resolvers and adds its own.
 */
export function locatedFields(type: string) {
  return {
    id: (r: LocatedRow) => toGlobalId(type, r.id),
    location: (r: LocatedRow, args: { crs?: CoordinateSystem | null }) => positionIn({ lng: r.lng, lat: r.lat }, args.crs),
    grid: (r: LocatedRow, _: unknown, ctx: Context) => ctx.services.location.grid(r),
    chain: (r: LocatedRow, _: unknown, ctx: Context) => ctx.services.location.chain(r),
    dedicatedGrids: (r: LocatedRow, _: unknown, ctx: Context) => ctx.services.location.dedicatedGrids(r),
    approximate: (r: LocatedRow) => (r.grid_distance_m ?? 0) > 0,
    distanceMeters: (r: LocatedRow) => r.distance_m ?? null,
  };
}

/**
 * A Relay connection over a page from `pageOfLocated`; `orderKey` is the row's value of the list's order
 * column (what the cursor carries outside `near` lists).
 */
export function locatedConnection<R extends LocatedRow>(orderKey: (row: R) => string) {
  const cursorOf = (row: R) => encodeCursor(locatedCursor(row, orderKey(row)));
  return {
    edges: (c: LocatedPage<R>) => c.rows.map((node) => ({ cursor: cursorOf(node), node })),
    nodes: (c: LocatedPage<R>) => c.rows,
    pageInfo: (c: LocatedPage<R>) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: false,
      startCursor: c.rows.length ? cursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? cursorOf(c.rows[c.rows.length - 1]) : null,
    }),
    totalCount: (c: LocatedPage<R>) => c.totalCount(),
  };
}
