import type { Knex } from 'knex';

/**
 * Places (地): buildings (楼栋), the houses in them (实有房屋) and key places (重点场所). Buildings and key places
 * are located records (a point tied to its grid by `located_resolve`); a house takes its building's grid, so
 * a boundary edit moves it with the building and rewrites no house row.
 *
 * The earlier `place` table is migrated forward, ids and creation times kept: BUILDING rows become RESIDENTIAL
 * buildings (coded under the community they lie in, or the nearest community for a point outside every grid),
 * the other kinds key places of the same kind. Then it, its trigger and `grid_at` go.
 */
const LOCATED = `
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_distance_m float8,
     grid_resolved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     retired_at timestamptz`;

const statements = [
  `CREATE TABLE building (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{16}$'),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     address text,
     kind text NOT NULL CHECK (kind IN ('RESIDENTIAL','COMMERCIAL','MIXED','PUBLIC','INDUSTRIAL','OTHER')),
     floors integer CHECK (floors BETWEEN 1 AND 200),
     units integer CHECK (units BETWEEN 1 AND 100),
     community_id uuid NOT NULL REFERENCES grid(id),
     footprint geometry(MultiPolygon, 4326),
     ${LOCATED}
   )`,
  `CREATE INDEX building_location_gist ON building USING gist (location)`,
  `CREATE INDEX building_location_geog ON building USING gist ((location::geography))`,
  `CREATE INDEX building_grid ON building (grid_id, code) WHERE retired_at IS NULL`,
  `CREATE INDEX building_community ON building (community_id)`,
  `CREATE TRIGGER building_grid BEFORE INSERT OR UPDATE OF location ON building
   FOR EACH ROW EXECUTE FUNCTION located_resolve()`,
  // Owners and residents arrive with the population registry: they will point at house(id).
  `CREATE TABLE house (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     building_id uuid NOT NULL REFERENCES building(id),
     unit integer CHECK (unit BETWEEN 1 AND 100),
     floor integer CHECK (floor BETWEEN -10 AND 200),
     room text NOT NULL CHECK (length(btrim(room)) > 0),
     area_sqm numeric(10, 2) CHECK (area_sqm > 0),
     use text NOT NULL CHECK (use IN ('OWNER_OCCUPIED','RENTED','VACANT','COMMERCIAL','OTHER')),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     retired_at timestamptz
   )`,
  `CREATE UNIQUE INDEX house_address ON house (building_id, coalesce(unit, 0), room) WHERE retired_at IS NULL`,
  `CREATE TABLE key_place (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     kind text NOT NULL CHECK (kind IN ('SCHOOL','KINDERGARTEN','HOSPITAL','MARKET','TRANSPORT_HUB','RELIGIOUS',
       'ENTERTAINMENT','HAZARDOUS_CHEMICALS','OTHER')),
     address text,
     area geometry(MultiPolygon, 4326),
     organization_id uuid REFERENCES organization(id),
     dedicated_grid_id uuid REFERENCES grid(id),
     ${LOCATED}
   )`,
  `CREATE INDEX key_place_location_gist ON key_place USING gist (location)`,
  `CREATE INDEX key_place_location_geog ON key_place USING gist ((location::geography))`,
  `CREATE INDEX key_place_grid ON key_place (grid_id, name, id) WHERE retired_at IS NULL`,
  `CREATE INDEX key_place_organization ON key_place (organization_id)`,
  `CREATE INDEX key_place_dedicated ON key_place (dedicated_grid_id)`,
  `CREATE TRIGGER key_place_grid BEFORE INSERT OR UPDATE OF location ON key_place
   FOR EACH ROW EXECUTE FUNCTION located_resolve()`,
  `CREATE TABLE organization_managed_building (
     organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
     building_id uuid NOT NULL REFERENCES building(id),
     PRIMARY KEY (organization_id, building_id)
   )`,
  `CREATE INDEX organization_managed_building_building ON organization_managed_building (building_id)`,
  // The place rows, forward.
  `WITH b AS (
     SELECT p.*, coalesce(
       (SELECT c.id FROM grid g JOIN grid c ON c.level = 'COMMUNITY' AND (c.id = g.id OR c.id = ANY(g.ancestor_ids))
        WHERE g.id = (SELECT r.grid_id FROM grid_resolution(p.location) r)),
       (SELECT c.id FROM grid c WHERE c.level = 'COMMUNITY' AND c.valid_to IS NULL ORDER BY c.boundary <-> p.location, c.code LIMIT 1)
     ) AS community_id
     FROM place p WHERE p.kind = 'BUILDING'
   )
   INSERT INTO building (id, code, name, kind, community_id, location, created_at, updated_at)
   SELECT b.id, c.code || lpad((row_number() OVER (PARTITION BY c.id ORDER BY b.created_at, b.id))::text, 4, '0'),
          b.name, 'RESIDENTIAL', c.id, b.location, b.created_at, b.created_at
   FROM b JOIN grid c ON c.id = b.community_id`,
  `DO $$ BEGIN
     IF EXISTS (SELECT 1 FROM place p WHERE p.kind = 'BUILDING' AND NOT EXISTS (SELECT 1 FROM building b WHERE b.id = p.id)) THEN
       RAISE EXCEPTION 'place rows of kind BUILDING with no community to code them under: draw the communities first';
     END IF;
   END $$`,
  `INSERT INTO key_place (id, name, kind, location, created_at, updated_at)
   SELECT id, name, kind, location, created_at, created_at FROM place WHERE kind <> 'BUILDING'`,
  `DROP TABLE place`,
  `DROP FUNCTION place_resolve_grid()`,
  `DROP FUNCTION grid_at(geometry)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE place (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     kind text NOT NULL CHECK (kind IN ('BUILDING','SCHOOL','KINDERGARTEN','HOSPITAL','MARKET','OTHER')),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_resolved_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`);
  await knex.raw(`INSERT INTO place (id, kind, name, location, grid_id, grid_resolved_at, created_at)
     SELECT id, 'BUILDING', name, location, grid_id, grid_resolved_at, created_at FROM building
     UNION ALL
     SELECT id, CASE WHEN kind IN ('SCHOOL','KINDERGARTEN','HOSPITAL','MARKET') THEN kind ELSE 'OTHER' END, name, location,
            grid_id, grid_resolved_at, created_at FROM key_place`);
  await knex.raw('DROP TABLE organization_managed_building');
  await knex.raw('DROP TABLE key_place');
  await knex.raw('DROP TABLE house');
  await knex.raw('DROP TABLE building');
  await knex.raw(`CREATE FUNCTION grid_at(p geometry) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT grid_id FROM grid_resolution(p) $$`);
}
