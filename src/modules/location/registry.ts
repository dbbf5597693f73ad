/**
 * The located-record registry: every kind of record tied to a grid by its position, as the module that owns
 * it declares it (`located` in its module definition, src/modules/index.ts). The grid module re-resolves them
 * after an edit through this list (`relocateWithin`), and imports none of the modules that own them.
 *
 * Three shapes:
 * - `point`: the record has a `location` of its own, and `grid_id`, `grid_distance_m`, `grid_resolved_at`
 *   kept by the `located_resolve` trigger (buildings, key places, facilities, organisations). `live`, when
 *   given, limits re-resolution to the rows it selects: an incident keeps the grid now responsible only
 *   while it is open, and the grid it was reported in (a column of its own) never changes.
 * - `derived`: the record has no position; it takes that of another kind's row it points at (a house its
 *   building's, a resident their house's building's). Nothing of it is rewritten after an edit: it is counted
 *   as moved when the row it points at moved.
 */
export type LocatedKind = PointKind | DerivedKind;

export interface PointKind {
  shape: 'point';
  /** The GraphQL type's name, as `movedByKind` reports it: `Building`. */
  kind: string;
  table: string;
  /** A SQL condition on the row (alias `t`) limiting which rows follow a grid edit; absent: the current ones (`retired_at IS NULL`). */
  live?: string;
}

export interface DerivedKind {
  shape: 'derived';
  kind: string;
  table: string;
  /** The kind whose rows this one takes its grid from. */
  from: string;
  /** The column of `table` pointing at a row of `from`. */
  foreignKey: string;
  /** Which rows count (a SQL condition on alias `t`); absent: the current ones (`retired_at IS NULL`). */
  live?: string;
}

/** Derived kinds after the kinds they come from, so one pass can count them; a cycle or a dangling `from` throws. */
export function orderLocatedKinds(kinds: readonly LocatedKind[]): LocatedKind[] {
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const ordered: LocatedKind[] = [];
  const placed = new Set<string>();
  const visit = (k: LocatedKind, path: string[]) => {
    if (placed.has(k.kind)) return;
    if (path.includes(k.kind)) throw new Error(`located kinds form a cycle: ${[...path, k.kind].join(' → ')}`);
    if (k.shape === 'derived') {
      const from = byKind.get(k.from);
      if (!from) throw new Error(`located kind ${k.kind} takes its grid from ${k.from}, which no module registers`);
      visit(from, [...path, k.kind]);
    }
    placed.add(k.kind);
    ordered.push(k);
  };
  for (const k of kinds) visit(k, []);
  return ordered;
}
