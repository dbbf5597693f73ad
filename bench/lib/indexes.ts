import type { Knex } from 'knex';

/**
 * Runs a bulk load with the tables' secondary indexes dropped, then builds them again from their own
 * definitions (pg_indexes): one sorted build per index instead of millions of random insertions into it.
 * Indexes backing a constraint stay, except the primary keys of `primaryKeysOf` that no foreign key refers
 * to (a table of millions of rows keyed by random UUIDs: its key index outgrows the buffer cache during the
 * load). In the caller's transaction.
 */
export async function withoutSecondaryIndexes<T>(
  trx: Knex.Transaction,
  tables: readonly string[],
  work: () => Promise<T>,
  options: { primaryKeysOf?: readonly string[]; onProgress?: (line: string) => void } = {},
): Promise<T> {
  const { rows: indexes } = await trx.raw(
    `/* secondaryIndexes */ SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = ANY(?::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = to_regnamespace(i.schemaname))
     ORDER BY i.tablename, i.indexname`,
    [[...tables]],
  );
  const { rows: keys } = await trx.raw(
    `/* droppablePrimaryKeys */ SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c
     WHERE c.contype = 'p' AND c.conrelid = ANY(SELECT to_regclass(t) FROM unnest(?::text[]) AS t)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)`,
    [[...(options.primaryKeysOf ?? [])]],
  );
  for (const r of indexes) await trx.raw(`DROP INDEX ${quoteIdent(r.indexname)}`);
  for (const k of keys) await trx.raw(`ALTER TABLE ${k.table_name} DROP CONSTRAINT ${quoteIdent(k.conname)}`);
  const result = await work();
  const t0 = Date.now();
  for (const k of keys) await trx.raw(`ALTER TABLE ${k.table_name} ADD CONSTRAINT ${quoteIdent(k.conname)} ${k.def}`);
  for (const r of indexes) await trx.raw(r.indexdef);
  options.onProgress?.(
    `rebuilt ${indexes.length + keys.length} indexes of ${tables.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return result;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
