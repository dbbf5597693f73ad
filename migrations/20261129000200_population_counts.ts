import type { Knex } from 'knex';

/**
 * Population figures (`Grid.population`), pre-aggregated per BUILDING and kept by statement-level triggers, as
 * building_house_count is (20261128000500): each statement applies one aggregated upsert per counter table, rows
 * in key order, so a bulk load of millions of people costs a few set operations per statement, not a trigger
 * call per row. A building's grid is joined when read, so a boundary edit moves its counts with no rewrite; a
 * district's figures are the sums of its buildings', hence of its streets'.
 *
 * - building_population, one narrow row per building: living people (status LIVING_HERE, erased stubs included)
 *   by residence type, households with a living member (by the household's house's building), current houses
 *   (building_house_count has them by use; here the one number, so a read touches one row per building) and
 *   those with a living resident, and the two age counters below. A city's figures are one scan of ~300k
 *   rows of ~100 bytes; a street's, a few thousand rows by key.
 * - building_tag_count: current special- and care-group tags of living people.
 * - house_resident_count / household_member_count: living people per house and per household, with what their
 *   crossing zero changes: whether the house is current (`counted`; every retired house has a row) and the
 *   building it (the household's house) stands in. A first resident, a last one moving out, a house retired or
 *   a household moved each upsert that one row, so racing writers serialise on it and each sees the other's
 *   result there (ON CONFLICT and UPDATE act on the latest committed version): no house or household row is
 *   locked or read. A tag counts where its person lives: a tag written locks its person shared, so a racing
 *   move waits for it (and then sees the tag) or the tag waits for the move.
 *
 * Ages ("aged 60+ today", "under 18 today", in full years as `ageOn` counts them) move every day, for everyone.
 * The counters hold them as of an EPOCH year E (population_epoch, one row): `born_older` = living people born
 * in or before E − 61, `born_adult` = born in or before E − 18. For today = Y-MM-DD,
 *   aged 60+  = Σ born_older ± (people born between E − 61 and Y − 61) + (born in Y − 60, birthday ≤ today's MM-DD)
 *   under 18  = total − (Σ born_adult ± (born between E − 18 and Y − 18)) + (born in Y − 18, birthday after today's)
 * While Y = E the corrections are the two boundary birth years only, read from `person` through
 * person_birth_cohort (birth_year, building_id) INCLUDE (birth_date): about 1/80 of the place's people each,
 * found by (year, building) probes for a street, one index range for the city. Exact on any day with no job
 * running: a new year only adds a cohort year per threshold to the correction until the epoch is moved
 * (population_advance_epoch(Y): one UPDATE of the buildings with people of the passing cohorts, which the
 * service starts by itself, in the background, on the first read of a new year; it gives up at once when a
 * write holds the epoch, and tries again on a later read). An erased stub has no birth date: it counts as
 * born on July 1 of its birth year (service.ts's `age`). A person's building is kept on the person row
 * (`building_id`, set from the house by a row trigger) for that index and for the triggers.
 *
 * Measured (bench/population.ts: 2.2–2.3 M people in the 300k-building benchmark city, on a shared 2-core box
 * with 128 MB of shared buffers): a street 45–125 ms (median of 7; 26k people, 3,500 buildings), its district
 * 350–590 ms, the city 280–300 ms; with the epoch a year behind, street 43–77 ms and city 290–310 ms; the
 * yearly move 0.4–0.5 s. Bulk inserts (100k-row statements, households spread over the city) cost 17–50 µs a
 * person more than with the population triggers disabled (100–170 µs). Measured before choosing: cumulative
 * per-year arrays in the building row (no epoch, one subscript per threshold) made the row ~650 bytes and the
 * city's read a 200–400 MB scan (0.6–1.1 s); a narrow per-(building, birth year) table reads ~1.2 M rows
 * for the city's two ages alone (0.35–0.8 s) and ~13k for a street (150–570 ms).
 *
 * `population_rebuild()` recomputes every counter from the tables (the backfill here, and after a TRUNCATE).
 * The triggers read the epoch with a key-share lock: under READ COMMITTED (the application's) they see the
 * latest; under REPEATABLE READ a statement racing an epoch move fails with a serialization error rather
 * than count against the wrong year. A house moved to another building (no API does it) takes its
 * occupancy, households and residents along.
 */
const LIVING = `'LIVING_HERE'`;

/** building_population's counters, in order. */
const COUNTERS = ['registered', 'floating', 'overseas', 'unsettled', 'households', 'houses_occupied', 'houses_current', 'born_older', 'born_adult'] as const;
type Counter = (typeof COUNTERS)[number];

/** A row of a `counts` CTE: the given counters' expressions, 0 for the others. */
const countsRow = (building: string, values: Partial<Record<Counter, string>>) => `${building}, ${COUNTERS.map((c) => values[c] ?? '0').join(', ')}`;

/**
 * Applies the rows of a CTE `counts (building_id, <COUNTERS>)` (several per building allowed) to
 * building_population: one upsert, in key order, of the buildings whose counters change.
 */
const APPLY_TO_BUILDINGS = `INSERT INTO building_population AS p (building_id, ${COUNTERS.join(', ')})
  SELECT building_id, ${COUNTERS.map((c) => `sum(${c})::int`).join(', ')} FROM counts
  GROUP BY building_id HAVING (${COUNTERS.map((c) => `sum(${c})`).join(', ')}) <> (${COUNTERS.map(() => '0').join(', ')})
  ORDER BY building_id
  ON CONFLICT (building_id) DO UPDATE SET ${COUNTERS.map((c) => `${c} = p.${c} + EXCLUDED.${c}`).join(', ')}`;

const COUNTS = `counts (building_id, ${COUNTERS.join(', ')})`;

/** Living people of a row set by residence type and by the epoch's age thresholds (`epoch_year` in scope). */
const PEOPLE_COUNTS = (d: string) => ({
  registered: `coalesce(sum(${d}) FILTER (WHERE residence_type = 'REGISTERED'), 0)`,
  floating: `coalesce(sum(${d}) FILTER (WHERE residence_type = 'FLOATING'), 0)`,
  overseas: `coalesce(sum(${d}) FILTER (WHERE residence_type = 'OVERSEAS'), 0)`,
  unsettled: `coalesce(sum(${d}) FILTER (WHERE residence_type = 'UNSETTLED'), 0)`,
  born_older: `coalesce(sum(${d}) FILTER (WHERE birth_year <= epoch_year - 61), 0)`,
  born_adult: `coalesce(sum(${d}) FILTER (WHERE birth_year <= epoch_year - 18), 0)`,
});

/** The columns a change of `person` contributes, from a transition table row aliased `r`. */
const personValues = (r: string) => `${r}.id, ${r}.status, ${r}.building_id, ${r}.house_id, ${r}.household_id, ${r}.residence_type, ${r}.birth_year`;

const PERSON_SOURCES = {
  INSERT: `SELECT 1 AS d, ${personValues('n')} FROM new_rows n`,
  DELETE: `SELECT -1 AS d, ${personValues('o')} FROM old_rows o`,
  // Only rows whose counted columns changed (a name, a phone, a version move nothing).
  UPDATE: `SELECT x.* FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES (-1, ${personValues('o')}), (1, ${personValues('n')}))
             AS x(d, id, status, building_id, house_id, household_id, residence_type, birth_year)
           WHERE (o.status, o.building_id, o.house_id, o.household_id, o.residence_type, o.birth_year)
                 IS DISTINCT FROM (n.status, n.building_id, n.house_id, n.household_id, n.residence_type, n.birth_year)`,
};

/** Everything a statement on `person` changes, from `src` (rows of d, id, status, building_id, …). */
function personApply(src: string): string {
  return `WITH ch AS (
    SELECT d, id, building_id, house_id, household_id, residence_type, birth_year FROM (${src}) c WHERE c.status = ${LIVING}
  ),
  house_delta AS (
    SELECT house_id, (array_agg(building_id ORDER BY d DESC))[1] AS building_id, sum(d)::int AS d
    FROM ch GROUP BY house_id HAVING sum(d) <> 0
  ),
  -- A house without a row is current (every retired house has one): no house row is read.
  house_after AS (
    INSERT INTO house_resident_count AS c (house_id, n, counted, building_id)
    SELECT house_id, d, true, building_id FROM house_delta ORDER BY house_id
    ON CONFLICT (house_id) DO UPDATE SET n = c.n + EXCLUDED.n
    RETURNING c.house_id, c.n, c.counted, c.building_id
  ),
  occupied AS (
    SELECT a.building_id, CASE WHEN a.n > 0 THEN 1 ELSE -1 END AS d
    FROM house_after a JOIN house_delta x ON x.house_id = a.house_id WHERE a.counted AND (a.n > 0) <> (a.n - x.d > 0)
  ),
  member_delta AS (
    SELECT household_id, sum(d)::int AS d FROM ch WHERE household_id IS NOT NULL GROUP BY household_id HAVING sum(d) <> 0
  ),
  member_after AS (
    INSERT INTO household_member_count AS c (household_id, n, building_id)
    SELECT x.household_id, x.d, h.building_id FROM member_delta x JOIN household hh ON hh.id = x.household_id JOIN house h ON h.id = hh.house_id
    ORDER BY x.household_id
    ON CONFLICT (household_id) DO UPDATE SET n = c.n + EXCLUDED.n
    RETURNING c.household_id, c.n, c.building_id
  ),
  lived AS (
    SELECT a.building_id, CASE WHEN a.n > 0 THEN 1 ELSE -1 END AS d
    FROM member_after a JOIN member_delta x ON x.household_id = a.household_id WHERE (a.n > 0) <> (a.n - x.d > 0)
  ),
  tags AS (
    INSERT INTO building_tag_count AS c (building_id, tag, n)
    SELECT ch.building_id, t.tag, sum(ch.d)::int FROM ch JOIN person_tag t ON t.person_id = ch.id AND t.removed_at IS NULL
    GROUP BY 1, 2 HAVING sum(ch.d) <> 0 ORDER BY 1, 2
    ON CONFLICT (building_id, tag) DO UPDATE SET n = c.n + EXCLUDED.n
  ),
  ${COUNTS} AS (
    SELECT ${countsRow('building_id', PEOPLE_COUNTS('d'))} FROM ch GROUP BY building_id
    UNION ALL
    SELECT ${countsRow('building_id', { households: 'sum(d)' })} FROM lived GROUP BY building_id
    UNION ALL
    SELECT ${countsRow('building_id', { houses_occupied: 'sum(d)' })} FROM occupied GROUP BY building_id
  )
  ${APPLY_TO_BUILDINGS}`;
}

const TAG_SOURCES = {
  INSERT: `SELECT 1 AS d, n.person_id, n.tag FROM new_rows n WHERE n.removed_at IS NULL`,
  DELETE: `SELECT -1 AS d, o.person_id, o.tag FROM old_rows o WHERE o.removed_at IS NULL`,
  // Visits rewrite the plan's dates: only a tag that starts or stops counting moves a counter.
  UPDATE: `SELECT x.d, x.person_id, x.tag FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES (-1, o.person_id, o.tag, o.removed_at IS NULL), (1, n.person_id, n.tag, n.removed_at IS NULL)) AS x(d, person_id, tag, current)
           WHERE x.current AND (o.person_id, o.tag, o.removed_at IS NULL) IS DISTINCT FROM (n.person_id, n.tag, n.removed_at IS NULL)`,
};

/** A tag counts where its person lives; the person is locked shared so a concurrent move waits or is waited for. */
function tagApply(src: string): string {
  return `WITH ch AS (${src}),
  living AS (
    SELECT p.id, p.building_id FROM person p WHERE p.id IN (SELECT person_id FROM ch) AND p.status = ${LIVING} ORDER BY p.id FOR SHARE
  )
  INSERT INTO building_tag_count AS c (building_id, tag, n)
  SELECT l.building_id, ch.tag, sum(ch.d)::int FROM ch JOIN living l ON l.id = ch.person_id
  GROUP BY 1, 2 HAVING sum(ch.d) <> 0 ORDER BY 1, 2
  ON CONFLICT (building_id, tag) DO UPDATE SET n = c.n + EXCLUDED.n`;
}

const plpgsql = (name: string, body: string, declare = '') => `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
   ${declare ? `DECLARE ${declare}` : ''}
   BEGIN
     ${body}
     RETURN NULL;
   END $$`;

const statements = [
  // A person's building (their house's), for the age index and the triggers.
  `ALTER TABLE person ADD COLUMN building_id uuid`,
  `UPDATE person p SET building_id = h.building_id FROM house h WHERE h.id = p.house_id`,
  `CREATE FUNCTION person_building() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     SELECT h.building_id INTO NEW.building_id FROM house h WHERE h.id = NEW.house_id;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER person_building BEFORE INSERT OR UPDATE OF house_id, building_id ON person
   FOR EACH ROW EXECUTE FUNCTION person_building()`,
  `CREATE INDEX person_birth_cohort ON person (birth_year, building_id) INCLUDE (birth_date) WHERE status = ${LIVING}`,

  `CREATE TABLE population_epoch (
     one boolean PRIMARY KEY DEFAULT true CHECK (one),
     year integer NOT NULL CHECK (year BETWEEN 1900 AND 2200)
   )`,
  `INSERT INTO population_epoch (year) VALUES (extract(year FROM (now() AT TIME ZONE 'UTC') + interval '8 hours'))`,
  `CREATE TABLE building_population (
     building_id uuid PRIMARY KEY REFERENCES building(id) ON DELETE CASCADE,
     ${COUNTERS.map((c) => `${c} integer NOT NULL DEFAULT 0`).join(',\n     ')}
   )`,
  `CREATE TABLE building_tag_count (
     building_id uuid NOT NULL REFERENCES building(id) ON DELETE CASCADE,
     tag text NOT NULL,
     n integer NOT NULL,
     PRIMARY KEY (building_id, tag)
   )`,
  // Derived rows, without foreign keys (a bulk load would check one per new house and household): a house or
  // household can only be deleted once nobody lives in it, so a row left behind counts 0.
  `CREATE TABLE house_resident_count (
     house_id uuid PRIMARY KEY,
     n integer NOT NULL,
     counted boolean NOT NULL,
     building_id uuid NOT NULL
   )`,
  `CREATE TABLE household_member_count (
     household_id uuid PRIMARY KEY,
     n integer NOT NULL,
     building_id uuid NOT NULL
   )`,

  `CREATE FUNCTION population_rebuild() RETURNS void LANGUAGE plpgsql AS $$
   DECLARE epoch_year integer;
   BEGIN
     SELECT year INTO epoch_year FROM population_epoch FOR UPDATE;
     DELETE FROM building_tag_count;
     DELETE FROM building_population;
     DELETE FROM household_member_count;
     DELETE FROM house_resident_count;
     INSERT INTO house_resident_count (house_id, n, counted, building_id)
     SELECT h.id, coalesce(c.n, 0), h.retired_at IS NULL, h.building_id
     FROM house h LEFT JOIN (SELECT house_id, count(*) AS n FROM person WHERE status = ${LIVING} GROUP BY house_id) c ON c.house_id = h.id
     WHERE c.n IS NOT NULL OR h.retired_at IS NOT NULL
     ORDER BY h.id;
     INSERT INTO household_member_count (household_id, n, building_id)
     SELECT hh.id, c.n, h.building_id
     FROM (SELECT household_id, count(*) AS n FROM person WHERE status = ${LIVING} AND household_id IS NOT NULL GROUP BY household_id) c
     JOIN household hh ON hh.id = c.household_id JOIN house h ON h.id = hh.house_id
     ORDER BY hh.id;
     WITH ${COUNTS} AS (
       SELECT ${countsRow('building_id', PEOPLE_COUNTS('1'))} FROM person WHERE status = ${LIVING} GROUP BY building_id
       UNION ALL
       SELECT ${countsRow('building_id', { households: 'count(*)' })} FROM household_member_count WHERE n > 0 GROUP BY building_id
       UNION ALL
       SELECT ${countsRow('building_id', { houses_occupied: 'count(*)' })} FROM house_resident_count WHERE n > 0 AND counted GROUP BY building_id
       UNION ALL
       SELECT ${countsRow('building_id', { houses_current: 'count(*)' })} FROM house WHERE retired_at IS NULL GROUP BY building_id
     )
     ${APPLY_TO_BUILDINGS};
     INSERT INTO building_tag_count (building_id, tag, n)
     SELECT p.building_id, t.tag, count(*) FROM person_tag t JOIN person p ON p.id = t.person_id AND p.status = ${LIVING}
     WHERE t.removed_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2;
   END $$`,
  `SELECT population_rebuild()`,

  // The age counters as of another year: the people of the cohorts between join (or leave) them. Gives up at
  // once (NULL) while a write holds the epoch; returns the epoch year otherwise.
  `CREATE FUNCTION population_advance_epoch(target integer) RETURNS integer LANGUAGE plpgsql AS $$
   DECLARE epoch_year integer;
   BEGIN
     BEGIN
       SELECT year INTO epoch_year FROM population_epoch FOR UPDATE NOWAIT;
     EXCEPTION WHEN lock_not_available THEN
       RETURN NULL;
     END;
     IF epoch_year = target THEN RETURN target; END IF;
     WITH passing AS (
       SELECT building_id,
              sign(target - epoch_year)::int * count(*) FILTER (WHERE birth_year > least(epoch_year, target) - 61 AND birth_year <= greatest(epoch_year, target) - 61) AS older,
              sign(target - epoch_year)::int * count(*) FILTER (WHERE birth_year > least(epoch_year, target) - 18 AND birth_year <= greatest(epoch_year, target) - 18) AS adult
       FROM person
       WHERE status = ${LIVING} AND birth_year = ANY(ARRAY(
         SELECT generate_series(least(epoch_year, target) - 60, greatest(epoch_year, target) - 61)
         UNION SELECT generate_series(least(epoch_year, target) - 17, greatest(epoch_year, target) - 18)))
       GROUP BY building_id
     )
     UPDATE building_population p SET born_older = p.born_older + x.older, born_adult = p.born_adult + x.adult
     FROM passing x WHERE p.building_id = x.building_id AND (x.older, x.adult) <> (0, 0);
     UPDATE population_epoch SET year = target;
     RETURN target;
   END $$`,

  plpgsql(
    'person_population_apply',
    `SELECT year INTO epoch_year FROM population_epoch FOR KEY SHARE;
     IF TG_OP = 'INSERT' THEN ${personApply(PERSON_SOURCES.INSERT)};
     ELSIF TG_OP = 'UPDATE' THEN ${personApply(PERSON_SOURCES.UPDATE)};
     ELSE ${personApply(PERSON_SOURCES.DELETE)};
     END IF;`,
    'epoch_year integer;',
  ),
  `CREATE TRIGGER person_population_insert AFTER INSERT ON person REFERENCING NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_population_apply()`,
  `CREATE TRIGGER person_population_update AFTER UPDATE ON person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_population_apply()`,
  `CREATE TRIGGER person_population_delete AFTER DELETE ON person REFERENCING OLD TABLE AS old_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_population_apply()`,

  plpgsql(
    'person_tag_population_apply',
    `IF TG_OP = 'INSERT' THEN ${tagApply(TAG_SOURCES.INSERT)};
     ELSIF TG_OP = 'UPDATE' THEN ${tagApply(TAG_SOURCES.UPDATE)};
     ELSE ${tagApply(TAG_SOURCES.DELETE)};
     END IF;`,
  ),
  `CREATE TRIGGER person_tag_population_insert AFTER INSERT ON person_tag REFERENCING NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_tag_population_apply()`,
  `CREATE TRIGGER person_tag_population_update AFTER UPDATE ON person_tag REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_tag_population_apply()`,
  `CREATE TRIGGER person_tag_population_delete AFTER DELETE ON person_tag REFERENCING OLD TABLE AS old_rows
   FOR EACH STATEMENT EXECUTE FUNCTION person_tag_population_apply()`,

  // A household moved to another house counts, if anyone lives in it, at the new house's building. Its counter
  // row is written first: a first member's insert racing the move waits for it (or it for the insert) there.
  plpgsql(
    'household_population_apply',
    `WITH moved AS (
       SELECT o.id, ho.building_id AS old_building, hn.building_id AS new_building
       FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN house ho ON ho.id = o.house_id JOIN house hn ON hn.id = n.house_id
       WHERE o.house_id <> n.house_id
     ),
     members AS (
       INSERT INTO household_member_count AS c (household_id, n, building_id)
       SELECT id, 0, new_building FROM moved ORDER BY id
       ON CONFLICT (household_id) DO UPDATE SET building_id = EXCLUDED.building_id
       RETURNING c.household_id, c.n
     ),
     ${COUNTS} AS (
       SELECT ${countsRow('x.building_id', { households: 'x.d' })}
       FROM moved m JOIN members c ON c.household_id = m.id AND c.n > 0
       CROSS JOIN LATERAL (VALUES (m.old_building, -1), (m.new_building, 1)) AS x(building_id, d)
     )
     ${APPLY_TO_BUILDINGS};`,
  ),
  `CREATE TRIGGER household_population_update AFTER UPDATE ON household REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION household_population_apply()`,

  // New current houses count; a retired one gets its row (so a first resident's insert needs no house row).
  plpgsql(
    'house_population_insert',
    `WITH retired AS (
       INSERT INTO house_resident_count (house_id, n, counted, building_id)
       SELECT id, 0, false, building_id FROM new_rows WHERE retired_at IS NOT NULL ORDER BY id
       ON CONFLICT (house_id) DO NOTHING
     ),
     ${COUNTS} AS (
       SELECT ${countsRow('building_id', { houses_current: 'count(*)' })} FROM new_rows WHERE retired_at IS NULL GROUP BY building_id
     )
     ${APPLY_TO_BUILDINGS};`,
  ),
  `CREATE TRIGGER house_population_insert AFTER INSERT ON house REFERENCING NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_population_insert()`,
  // A house retired (or brought back) stops (starts) counting, occupied or not; one moved to another building
  // takes its occupancy, its households and its residents' building along. Its counter row is written first: a
  // first resident's insert racing the retirement waits for it (or it for the insert) there.
  plpgsql(
    'house_population_apply',
    `WITH changed AS (
       SELECT o.id, o.building_id AS old_building, n.building_id AS new_building,
              o.retired_at IS NULL AS was_current, n.retired_at IS NULL AS is_current
       FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.building_id <> n.building_id OR (o.retired_at IS NULL) <> (n.retired_at IS NULL)
     ),
     residents AS (
       INSERT INTO house_resident_count AS c (house_id, n, counted, building_id)
       SELECT id, 0, is_current, new_building FROM changed ORDER BY id
       ON CONFLICT (house_id) DO UPDATE SET counted = EXCLUDED.counted, building_id = EXCLUDED.building_id
       RETURNING c.house_id, c.n
     ),
     members AS (
       UPDATE household_member_count c SET building_id = ch.new_building
       FROM changed ch JOIN household hh ON hh.house_id = ch.id
       WHERE c.household_id = hh.id AND ch.old_building <> ch.new_building
       RETURNING c.household_id, c.n, ch.old_building, ch.new_building
     ),
     ${COUNTS} AS (
       SELECT ${countsRow('x.building_id', { houses_current: 'x.d', houses_occupied: 'CASE WHEN r.n > 0 THEN x.d ELSE 0 END' })}
       FROM changed ch JOIN residents r ON r.house_id = ch.id
       CROSS JOIN LATERAL (VALUES (ch.old_building, -1, ch.was_current), (ch.new_building, 1, ch.is_current)) AS x(building_id, d, counted)
       WHERE x.counted
       UNION ALL
       SELECT ${countsRow('x.building_id', { households: 'x.d' })}
       FROM members m CROSS JOIN LATERAL (VALUES (m.old_building, -1), (m.new_building, 1)) AS x(building_id, d)
       WHERE m.n > 0
     )
     ${APPLY_TO_BUILDINGS};
     UPDATE person p SET building_id = n.building_id
     FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.building_id <> n.building_id AND p.house_id = n.id;`,
  ),
  `CREATE TRIGGER house_population_update AFTER UPDATE ON house REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_population_apply()`,
  plpgsql(
    'house_population_delete',
    `WITH ${COUNTS} AS (
       SELECT ${countsRow('building_id', { houses_current: '-count(*)' })} FROM old_rows WHERE retired_at IS NULL GROUP BY building_id
     )
     ${APPLY_TO_BUILDINGS};`,
  ),
  `CREATE TRIGGER house_population_delete AFTER DELETE ON house REFERENCING OLD TABLE AS old_rows
   FOR EACH STATEMENT EXECUTE FUNCTION house_population_delete()`,

  // TRUNCATE (a benchmark's clean-up) bypasses the row triggers: count again.
  `CREATE FUNCTION population_rebuild_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM population_rebuild();
     RETURN NULL;
   END $$`,
  ...['person', 'person_tag', 'house'].map(
    (t) => `CREATE TRIGGER ${t}_population_truncate AFTER TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION population_rebuild_after_truncate()`,
  ),
];

const TRIGGERS: [string, string][] = [
  ['person', 'person_building'],
  ...['insert', 'update', 'delete', 'truncate'].map((op): [string, string] => ['person', `person_population_${op}`]),
  ...['insert', 'update', 'delete', 'truncate'].map((op): [string, string] => ['person_tag', `person_tag_population_${op}`]),
  ['household', 'household_population_update'],
  ...['insert', 'update', 'delete', 'truncate'].map((op): [string, string] => ['house', `house_population_${op}`]),
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, trigger] of TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`);
  for (const t of ['building_population', 'building_tag_count', 'house_resident_count', 'household_member_count', 'population_epoch']) {
    await knex.raw(`DROP TABLE IF EXISTS ${t}`);
  }
  for (const f of [
    'population_rebuild_after_truncate()', 'house_population_delete()', 'house_population_insert()', 'house_population_apply()',
    'household_population_apply()', 'person_tag_population_apply()', 'person_population_apply()', 'population_advance_epoch(integer)',
    'population_rebuild()', 'person_building()',
  ]) {
    await knex.raw(`DROP FUNCTION IF EXISTS ${f}`);
  }
  await knex.raw('DROP INDEX IF EXISTS person_birth_cohort');
  await knex.raw('ALTER TABLE person DROP COLUMN IF EXISTS building_id');
}
