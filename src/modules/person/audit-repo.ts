import type { Knex } from 'knex';
import type { AuditAction, PersonField } from '../../generated/graphql';
import type { Context } from '../../context';
import type { Principal } from '../auth/viewer';

/**
 * The append-only audit log of personal data (GB/T 35273 §7: records of access). Every reveal, erasure,
 * import and export writes one row in the transaction of the work it records, so there is no access without
 * its row and no row for work that was rolled back. The table refuses UPDATE, DELETE and TRUNCATE.
 */
export interface AuditWrite {
  action: AuditAction;
  subjectType?: 'person' | 'person_tag' | 'visit' | 'tenant_registration' | 'incident' | null;
  subjectId?: string | null;
  fields?: readonly PersonField[];
  reason: string;
  /** Anything else worth keeping (an import's file name and row counts); no personal value. */
  detail?: Record<string, unknown> | null;
}

/** Writes one audit row for `principal`'s action in this request; returns its id. */
export async function writeAudit(db: Knex, ctx: Pick<Context, 'requestId'>, principal: Principal, entry: AuditWrite): Promise<string> {
  const { rows } = await db.raw(
    `/* writeAudit */ INSERT INTO audit_log (actor, role, action, subject_type, subject_id, fields, reason, request_id, detail)
     VALUES (?, ?, ?, ?, ?, ?::text[], ?, ?, ?::jsonb) RETURNING id::text`,
    [
      principal.subject,
      principal.kind === 'user' ? principal.role : 'SERVICE',
      entry.action,
      entry.subjectType ?? null,
      entry.subjectId ?? null,
      [...(entry.fields ?? [])],
      entry.reason,
      ctx.requestId,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ],
  );
  return rows[0].id;
}
