import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { bind } from '../../db/bind';

/**
 * SQL for editing grids: new codes, inserts, versions and their cascade to descendants, and the advisory locks
 * that serialise edits of the same part of the tree. The checks of candidate boundaries are in repo-boundary.ts.
 */

/** Current grids holding any of these codes. */
export async function currentCodes(db: Knex, codes: readonly string[]): Promise<{ id: string; code: string }[]> {
  const { rows } = await db.raw(`/* currentCodesTaken */ SELECT id, code FROM grid WHERE code = ANY(?::text[]) AND valid_to IS NULL`, [
    [...codes],
  ]);
  return rows;
}

/**
 * The highest code suffix ever used under a parent code (retired grids included, so a code is never
 * handed to a different grid), for the `digits` digits after `prefix`, limited to [from, to].
 */
export async function highestSuffix(db: Knex, prefix: string, digits: number, from: number, to: number): Promise<number> {
  const { rows } = await db.raw(
    `/* highestCodeSuffix */ SELECT max(substr(code, ?)::int) AS n FROM grid
     WHERE code LIKE ? AND length(code) = ? AND substr(code, ?)::int BETWEEN ? AND ?`,
    [prefix.length + 1, `${prefix}%`, prefix.length + digits, prefix.length + 1, from, to],
  );
  return rows[0].n ?? from - 1;
}

export interface NewGridRow {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  depth: number;
  parentId: string | null;
  ancestorIds: string[];
  hex: string;
}

export async function insertGrids(db: Knex, grids: readonly NewGridRow[], changedBy: string, reason: string | null): Promise<void> {
  await db.raw(
    `/* insertGrids */ INSERT INTO grid (id, code, name, level, depth, parent_id, ancestor_ids, boundary, valid_from, changed_by, change_reason)
     SELECT t.id, t.code, t.name, t.level, t.depth, t.parent_id, string_to_array(t.ancestors, ',')::uuid[],
            ST_GeomFromEWKB(decode(t.hex, 'hex')), clock_timestamp(), ?, ?
     FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::uuid[], ?::text[], ?::text[])
          AS t(id, code, name, level, depth, parent_id, ancestors, hex)`,
    bind(
      changedBy,
      reason,
      grids.map((g) => g.id),
      grids.map((g) => g.code),
      grids.map((g) => g.name),
      grids.map((g) => g.level),
      grids.map((g) => g.depth),
      grids.map((g) => g.parentId),
      grids.map((g) => g.ancestorIds.join(',')),
      grids.map((g) => g.hex),
    ),
  );
}

export interface VersionInfo {
  id: string;
  version: number;
  changed_by: string | null;
  valid_from: Date;
  valid_to: Date | null;
}

export async function versionInfo(db: Knex, ids: readonly string[]): Promise<VersionInfo[]> {
  const { rows } = await db.raw(`/* gridVersionInfo */ SELECT id, version, changed_by, valid_from, valid_to FROM grid WHERE id = ANY(?::uuid[])`, [
    [...ids],
  ]);
  return rows;
}

/**
 * Writes a new version of a grid if, and only if, it is still at `expectedVersion` and current: the
 * compare-and-set that makes concurrent edits safe (a racing writer waits for the row lock, then finds the
 * version moved on and updates nothing). Returns whether it wrote.
 */
export async function writeVersion(
  db: Knex,
  id: string,
  expectedVersion: number,
  change: { hex?: string; name?: string; code?: string; retire?: boolean },
  changedBy: string,
  reason: string | null,
): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* writeGridVersion */ UPDATE grid SET
       boundary = coalesce(ST_GeomFromEWKB(decode(?::text, 'hex')), boundary),
       name = coalesce(?::text, name),
       code = coalesce(?::text, code),
       version = CASE WHEN ? THEN version ELSE version + 1 END,
       valid_from = CASE WHEN ? THEN valid_from ELSE clock_timestamp() END,
       valid_to = CASE WHEN ? THEN clock_timestamp() ELSE valid_to END,
       changed_by = CASE WHEN ? THEN changed_by ELSE ? END,
       change_reason = CASE WHEN ? THEN change_reason ELSE ? END
     WHERE id = ? AND version = ? AND valid_to IS NULL`,
    bind(
      change.hex ?? null,
      change.name ?? null,
      change.code ?? null,
      ...[change.retire ?? false, change.retire ?? false, change.retire ?? false],
      change.retire ?? false,
      changedBy,
      change.retire ?? false,
      reason,
      id,
      expectedVersion,
    ),
  );
  return rowCount === 1;
}

/**
 * After a grid's code or place in the tree changed: every current descendant gets the new code prefix and
 * ancestor chain; a descendant whose code changes gets a new version (codes are part of its history).
 */
export async function cascadeToDescendants(
  db: Knex,
  grid: { id: string; oldCode: string; newCode: string; ancestorIds: string[] },
  changedBy: string,
  reason: string,
): Promise<number> {
  const { rowCount } = await db.raw(
    `/* cascadeToDescendants */ UPDATE grid d SET
       code = ?::text || substr(d.code, ? + 1),
       ancestor_ids = ?::uuid[] || d.ancestor_ids[array_position(d.ancestor_ids, ?::uuid):],
       depth = cardinality(?::uuid[]) + cardinality(d.ancestor_ids[array_position(d.ancestor_ids, ?::uuid):]),
       version = CASE WHEN ?::text <> ?::text THEN d.version + 1 ELSE d.version END,
       valid_from = CASE WHEN ?::text <> ?::text THEN clock_timestamp() ELSE d.valid_from END,
       changed_by = CASE WHEN ?::text <> ?::text THEN ? ELSE d.changed_by END,
       change_reason = CASE WHEN ?::text <> ?::text THEN ? ELSE d.change_reason END
     WHERE d.ancestor_ids @> ARRAY[?::uuid] AND d.valid_to IS NULL`,
    bind(
      grid.newCode,
      grid.oldCode.length,
      grid.ancestorIds,
      grid.id,
      grid.ancestorIds,
      grid.id,
      ...[grid.oldCode, grid.newCode, grid.oldCode, grid.newCode, grid.oldCode, grid.newCode],
      changedBy,
      grid.oldCode,
      grid.newCode,
      reason,
      grid.id,
    ),
  );
  return rowCount ?? 0;
}

/** Current children and current worker assignments of each grid: what must move before it can go. */
export async function dependants(db: Knex, ids: readonly string[]): Promise<{ id: string; children: string[]; workers: number }[]> {
  const { rows } = await db.raw(
    `/* gridDependants */ SELECT g.id,
       ARRAY(SELECT k.id FROM grid k WHERE k.parent_id = g.id AND k.valid_to IS NULL ORDER BY k.code) AS children,
       (SELECT count(*)::int FROM grid_assignment a WHERE a.grid_id = g.id AND a.valid_to IS NULL) AS workers
     FROM grid g WHERE g.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return rows;
}

/** The current boundary of grids, as EWKB hex (to re-resolve the area they covered). */
export async function boundaryHexes(db: Knex, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.raw(`/* gridBoundaryHex */ SELECT encode(ST_AsEWKB(boundary), 'hex') AS hex FROM grid WHERE id = ANY(?::uuid[])`, [
    [...ids],
  ]);
  return rows.map((r: { hex: string }) => r.hex);
}

/**
 * The write locks of the grid hierarchy: transaction-level advisory locks keyed by grid id ("root" for the
 * level of districts), taken before an edit reads what it checks against. An edit of a grid's children (a new
 * grid, a redrawn, recoded, split, merged or retired child) locks the parent exclusively and every ancestor
 * above it shared; an edit of a grid itself also locks that grid (its children must still fit, its code
 * prefixes theirs). So two edits that could break each other's checks (two overlapping grids drawn under one
 * parent at once, two codes allocated at once, a recode racing a new grandchild) run one after the other,
 * while edits in different parts of the tree run side by side; the level of districts ("root") is held shared
 * by every edit. Keys are taken in one global order (sorted),
 * so edits that lock several never deadlock each other; a later batch of an import may (PostgreSQL then
 * refuses one of the two: a mutation runs again, the CLI reports it).
 */
export interface GridLocks {
  /** Grid ids (null: the district level) locked exclusively. */
  exclusive: readonly (string | null)[];
  /** Grid ids locked shared (ancestors of what is edited). */
  shared?: readonly string[];
}

const lockKey = (id: string | null) => `grid:${id ?? 'root'}`;

export async function lockGrids(db: Knex, locks: GridLocks): Promise<void> {
  const exclusive = new Set(locks.exclusive.map(lockKey));
  // Every edit holds the top of the tree shared, so one that takes it exclusively (a district created or
  // redrawn, a move between districts) runs alone.
  const keys = new Map<string, boolean>([[lockKey(null), false]]);
  for (const id of locks.shared ?? []) keys.set(lockKey(id), false);
  for (const key of exclusive) keys.set(key, true);
  const sorted = [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One row per key, locked in the array's order (a function scan yields its rows in order, and nothing here
  // reorders them).
  await db.raw(
    `/* lockGrids */ SELECT CASE WHEN t.x THEN pg_advisory_xact_lock(hashtextextended(t.k, 0))
                                 ELSE pg_advisory_xact_lock_shared(hashtextextended(t.k, 0)) END
     FROM unnest(?::text[], ?::bool[]) AS t(k, x)`,
    [sorted.map(([k]) => k), sorted.map(([, x]) => x)],
  );
}

/** Locks for editing the children of `parent` (null: districts). */
export function locksForChildrenOf(parent: { id: string; ancestor_ids: readonly string[] } | null): GridLocks {
  return { exclusive: [parent?.id ?? null], shared: parent?.ancestor_ids ?? [] };
}

/** Locks for editing these grids themselves (and so also their parents' children). */
export function locksForChange(grids: readonly { id: string; parent_id: string | null; ancestor_ids: readonly string[] }[]): GridLocks {
  return {
    exclusive: grids.flatMap((g) => [g.id, g.parent_id]),
    shared: grids.flatMap((g) => g.ancestor_ids),
  };
}
