import type { Knex } from 'knex';

/**
 * Change counters of the tables map layers read (src/modules/map/), and an index for their OGC pages: a tile's ETag is derived from them, so a
 * client revalidating a tile gets 304 without the tile being drawn again, and any committed change of a grid,
 * building, key place or facility gives every tile of the layers reading that table a new ETag.
 *
 * Bumped once per committed transaction that wrote the table, at commit: a statement trigger notes the table in
 * `map_change_pending` (keyed by transaction, so concurrent writers never wait on each other there), and a
 * deferred constraint trigger on that note moves the counters when the transaction commits. Counters move in
 * a transaction (a reader sees the new value exactly when it sees the rows), unlike max(updated_at), which a
 * slower transaction committing an earlier timestamp would leave behind. Taken at commit, after every other
 * lock (no other trigger is deferred), and in one order (by table), they cannot close a cycle of waits with a
 * writer's row locks; two commits of the same table wait for each other only for the commit itself. A tile read
 * between two commits costs one more drawing, never a stale 304: the counters are read before the rows.
 */
const SOURCES = ['grid', 'building', 'key_place', 'facility'];

const statements = [
  `CREATE TABLE map_change (
     source text PRIMARY KEY,
     serial bigint NOT NULL DEFAULT 0,
     changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `INSERT INTO map_change (source) VALUES ${SOURCES.map((s) => `('${s}')`).join(', ')}`,
  `CREATE TABLE map_change_pending (
     xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
     source text NOT NULL,
     PRIMARY KEY (xact, source)
   )`,
  `CREATE FUNCTION map_change_note() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO map_change_pending (source) VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING;
     RETURN NULL;
   END $$`,
  `CREATE FUNCTION map_change_commit() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM 1 FROM map_change c
     WHERE c.source IN (SELECT p.source FROM map_change_pending p WHERE p.xact = pg_current_xact_id())
     ORDER BY c.source FOR UPDATE;
     UPDATE map_change c SET serial = c.serial + 1, changed_at = clock_timestamp()
     FROM map_change_pending p WHERE p.xact = pg_current_xact_id() AND p.source = c.source;
     DELETE FROM map_change_pending WHERE xact = pg_current_xact_id();
     RETURN NULL;
   END $$`,
  `CREATE CONSTRAINT TRIGGER map_change_commit AFTER INSERT ON map_change_pending
   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION map_change_commit()`,
  ...SOURCES.map(
    (s) => `CREATE TRIGGER ${s}_map_change AFTER INSERT OR UPDATE OR DELETE ON ${s} FOR EACH STATEMENT EXECUTE FUNCTION map_change_note()`,
  ),
  // A grid layer's OGC pages (current grids of a level in code order) and their count, read from the index alone.
  `CREATE INDEX grid_current_level_code ON grid (level, code, id) WHERE valid_to IS NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS grid_current_level_code');
  for (const s of SOURCES) await knex.raw(`DROP TRIGGER IF EXISTS ${s}_map_change ON ${s}`);
  await knex.raw('DROP TABLE IF EXISTS map_change_pending');
  await knex.raw('DROP TABLE IF EXISTS map_change');
  await knex.raw('DROP FUNCTION IF EXISTS map_change_commit()');
  await knex.raw('DROP FUNCTION IF EXISTS map_change_note()');
}
