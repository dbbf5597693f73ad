import type { Knex } from 'knex';
import { versionConflict, type NotFoundSource, type VersionConflictSource } from '../../shared/payload';
import type { Principal } from '../auth/viewer';
import type { LocatedRow } from './mappers';
import { lockResolutions, type Resolution } from './repo';

/** How one located kind is read and authorised for an edit. */
export interface EditableKind<R extends LocatedRow> {
  /** The current row, locked FOR UPDATE when `lock`; null when there is none. */
  read(lock: boolean): Promise<R | null>;
  /** Throws FORBIDDEN when the caller may not edit the row where it lies; returns the principal. */
  authorize(row: R): Principal;
  /** The row in a conflict's message ("organisation 革新街便民服务有限公司"). */
  label(row: R): string;
  notFound(): NotFoundSource;
}

/**
 * A located record to edit, in the order grid edits take their locks: the row read without a lock (and the
 * caller's jurisdiction and the version checked), the grids of its position — and of `to`, its new one — locked,
 * and only then the row itself, checked again. Grid edits lock grids first and then rewrite the rows they
 * re-resolve, so taking the row first could deadlock with them.
 */
export async function lockForEdit<R extends LocatedRow>(
  trx: Knex.Transaction,
  kind: EditableKind<R>,
  expectedVersion: number,
  to?: { lng: number; lat: number } | null,
): Promise<{ row: R; principal: Principal; target: Resolution | null } | NotFoundSource | VersionConflictSource> {
  const seen = await kind.read(false);
  if (!seen) return kind.notFound();
  kind.authorize(seen);
  if (seen.version !== expectedVersion) return versionConflict(seen, kind.label(seen), expectedVersion);
  const [, target = null] = await lockResolutions(trx, to ? [seen, to] : [seen]);
  const row = await kind.read(true);
  if (!row) return kind.notFound();
  const principal = kind.authorize(row);
  if (row.version !== expectedVersion) return versionConflict(row, kind.label(row), expectedVersion);
  return { row, principal, target };
}
