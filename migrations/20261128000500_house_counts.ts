import type { Knex } from 'knex';

/**
 * Current houses per building and use, kept by statement-level triggers (one aggregated upsert per statement,
 * a bulk load of millions included): a district's `housesByUse` sums its buildings' counters instead of reading
 * every house row. Filled from the houses already there.
 */
const statements = [
  `CREATE TABLE building_house_count (
     building_id uuid NOT NULL REFERENCES building(id) ON DELETE CASCADE,
     use text NOT NULL,
     n integer NOT NULL,
     PRIMARY KEY (building_id, use)
   )`,
  // Changes, as (building, use, ±n) rows, applied in key order so concurrent statements lock counters alike.
  `CREATE FUNCTION house_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO building_house_count (building_id, use, n)
       SELECT building_id, use, count(*) FROM new_rows WHERE retired_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2
       ON CONFLICT (building_id, use) DO UPDATE SET n = building_house_count.n + EXCLUDED.n;
     ELSIF TG_OP = 'UPDATE' THEN
       INSERT INTO building_house_count (building_id, use, n)
       SELECT building_id, use, sum(d)::int FROM (
         SELECT building_id, use, -1 AS d FROM old_rows WHERE retired_at IS NULL
         UNION ALL SELECT building_id, use, 1 FROM new_rows WHERE retired_at IS NULL
       ) c GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
       ON CONFLICT (building_id, use) DO UPDATE SET n = building_house_count.n + EXCLUDED.n;
     ELSE
       UPDATE building_house_count c SET n = c.n - o.n
       FROM (SELECT building_id, use, count(*)::int AS n FROM old_rows WHERE retired_at IS NULL GROUP BY 1, 2) o
       WHERE c.building_id = o.building_id AND c.use = o.use;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER house_count_insert AFTER INSERT ON house REFERENCING NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_count_apply()`,
  `CREATE TRIGGER house_count_update AFTER UPDATE ON house REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_count_apply()`,
  `CREATE TRIGGER house_count_delete AFTER DELETE ON house REFERENCING OLD TABLE AS old_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_count_apply()`,
  `INSERT INTO building_house_count (building_id, use, n)
   SELECT building_id, use, count(*) FROM house WHERE retired_at IS NULL GROUP BY 1, 2`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS building_house_count');
  await knex.raw('DROP FUNCTION IF EXISTS house_count_apply() CASCADE');
}
