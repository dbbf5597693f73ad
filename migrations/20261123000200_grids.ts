import type { Knex } from 'knex';

/**
 * Grids: the current state of every grid in `grid`, every version (including the current one) in
 * `grid_version`. Ids are stable across versions so everything tied to a grid keeps pointing at it.
 * `ancestor_ids` (root first) makes subtree filters and the resolve chain index look-ups, not recursion.
 */
const statements = [
  `CREATE TABLE grid (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     code text NOT NULL CHECK (code ~ '^[0-9]{6,21}$'),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     level text NOT NULL CHECK (level IN ('DISTRICT','STREET','COMMUNITY','GRID','MICRO_GRID','DEDICATED')),
     depth smallint NOT NULL,
     parent_id uuid REFERENCES grid(id),
     ancestor_ids uuid[] NOT NULL DEFAULT '{}',
     boundary geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
     area_sqm double precision NOT NULL GENERATED ALWAYS AS (ST_Area(boundary::geography)) STORED,
     centroid geometry(Point, 4326) NOT NULL GENERATED ALWAYS AS (ST_Centroid(boundary)) STORED,
     version integer NOT NULL DEFAULT 1 CHECK (version > 0),
     valid_from timestamptz NOT NULL DEFAULT now(),
     valid_to timestamptz,
     changed_by text,
     change_reason text,
     created_at timestamptz NOT NULL DEFAULT now(),
     CHECK ((level = 'DISTRICT') = (parent_id IS NULL)),
     CHECK (valid_to IS NULL OR valid_to > valid_from)
   )`,
  `CREATE UNIQUE INDEX grid_code_current ON grid (code) WHERE valid_to IS NULL`,
  `CREATE INDEX grid_boundary_gist ON grid USING gist (boundary)`,
  `CREATE INDEX grid_parent ON grid (parent_id, code)`,
  `CREATE INDEX grid_ancestors_gin ON grid USING gin (ancestor_ids)`,
  `CREATE INDEX grid_level_code ON grid (level, code)`,
  `CREATE TABLE grid_version (
     grid_id uuid NOT NULL REFERENCES grid(id),
     version integer NOT NULL,
     code text NOT NULL,
     name text NOT NULL,
     level text NOT NULL,
     depth smallint NOT NULL,
     parent_id uuid REFERENCES grid(id),
     ancestor_ids uuid[] NOT NULL,
     boundary geometry(MultiPolygon, 4326) NOT NULL,
     area_sqm double precision NOT NULL GENERATED ALWAYS AS (ST_Area(boundary::geography)) STORED,
     valid_from timestamptz NOT NULL,
     valid_to timestamptz,
     changed_by text,
     change_reason text,
     PRIMARY KEY (grid_id, version),
     CHECK (valid_to IS NULL OR valid_to >= valid_from)
   )`,
  `CREATE INDEX grid_version_boundary_gist ON grid_version USING gist (boundary)`,
  `CREATE INDEX grid_version_period ON grid_version (valid_from, valid_to)`,
  // History is written by the database, not by each code path that edits a grid: every insert records
  // version 1, every edit must bump the version by exactly one and closes the previous version's period.
  // An edit of the shape or identity without a version bump would rewrite history silently, so it fails.
  `CREATE FUNCTION grid_record_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       IF NEW.version = OLD.version THEN
         IF (NEW.code, NEW.name, NEW.level, NEW.parent_id) IS DISTINCT FROM (OLD.code, OLD.name, OLD.level, OLD.parent_id)
            OR NEW.boundary IS DISTINCT FROM OLD.boundary THEN
           RAISE EXCEPTION 'grid % changed without a new version', NEW.id USING ERRCODE = 'check_violation';
         END IF;
         UPDATE grid_version SET valid_to = NEW.valid_to WHERE grid_id = NEW.id AND version = NEW.version;
         RETURN NEW;
       END IF;
       IF NEW.version <> OLD.version + 1 THEN
         RAISE EXCEPTION 'grid % version must go from % to %', NEW.id, OLD.version, OLD.version + 1
           USING ERRCODE = 'check_violation';
       END IF;
       UPDATE grid_version SET valid_to = NEW.valid_from WHERE grid_id = OLD.id AND version = OLD.version;
     END IF;
     INSERT INTO grid_version (grid_id, version, code, name, level, depth, parent_id, ancestor_ids, boundary,
                               valid_from, valid_to, changed_by, change_reason)
     VALUES (NEW.id, NEW.version, NEW.code, NEW.name, NEW.level, NEW.depth, NEW.parent_id, NEW.ancestor_ids,
             NEW.boundary, NEW.valid_from, NEW.valid_to, NEW.changed_by, NEW.change_reason);
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER grid_history AFTER INSERT OR UPDATE ON grid FOR EACH ROW EXECUTE FUNCTION grid_record_version()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS grid_version');
  await knex.raw('DROP TABLE IF EXISTS grid CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS grid_record_version()');
}
