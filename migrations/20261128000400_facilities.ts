import type { Knex } from 'knex';

/**
 * Things (物): cameras, gates, hydrants, AEDs, hazards. A located record; optionally part of a building. A
 * camera's view is a sector (bearing ± fov/2 out to its range) kept as a polygon by a trigger
 * (`camera_sector`), so coverage queries find candidate cameras with one GiST probe and then test exactly
 * (distance on the spheroid, azimuth within the sector: `camera_sees`). No device credentials are stored.
 */
const statements = [
  // The sector as a polygon: the apex, the two edges and the arc at every even degree between them, each arc
  // point projected on the spheroid. Whole even degrees include due north, east, south and west, where the arc
  // reaches its bounding box: sampling from the edge instead could leave the box short of a place the camera sees.
  // A view narrower than 0.5° or shorter than 1 m (which the table's CHECKs refuse) has no sector: its edges
  // would meet in one point, too few for a polygon.
  `CREATE FUNCTION camera_sector(p geometry, bearing float8, fov float8, range_m float8) RETURNS geometry
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT CASE
       WHEN p IS NULL OR bearing IS NULL OR fov IS NULL OR range_m IS NULL THEN NULL
       WHEN fov < 0.5 OR range_m < 1 THEN NULL
       WHEN fov >= 360 THEN ST_MakePolygon(ST_MakeLine(ARRAY(
         SELECT ST_Project(p::geography, range_m, radians(a))::geometry FROM generate_series(0, 360, 2) AS a)))
       ELSE ST_MakePolygon(ST_MakeLine(
         p || ARRAY(SELECT ST_Project(p::geography, range_m, radians(a.a))::geometry FROM (
                      SELECT bearing - fov / 2 AS a UNION SELECT bearing + fov / 2
                      UNION SELECT 2 * k FROM generate_series(ceil((bearing - fov / 2) / 2)::int, floor((bearing + fov / 2) / 2)::int) AS k
                    ) a ORDER BY a.a)
           || p))
     END
   $$`,
  // Whether a camera at p sees q: within range on the spheroid and within the sector's angle.
  `CREATE FUNCTION camera_sees(p geometry, bearing float8, fov float8, range_m float8, q geometry) RETURNS boolean
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT ST_DWithin(p::geography, q::geography, range_m)
       AND (fov >= 360 OR ST_Equals(p, q) OR
            abs(mod((degrees(ST_Azimuth(p::geography, q::geography)) - bearing)::numeric + 540, 360) - 180) <= fov / 2)
   $$`,
  `CREATE TABLE facility (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     kind text NOT NULL CHECK (kind IN ('CAMERA','GATE','HYDRANT','AED','HAZARD','OTHER')),
     status text NOT NULL DEFAULT 'ONLINE' CHECK (status IN ('ONLINE','OFFLINE','FAULTY','RETIRED')),
     building_id uuid REFERENCES building(id),
     bearing float8 CHECK (bearing >= 0 AND bearing < 360),
     fov float8 CHECK (fov >= 0.5 AND fov <= 360),
     range_m float8 CHECK (range_m >= 1 AND range_m <= 5000),
     camera_category text CHECK (camera_category IN ('TRAFFIC','PUBLIC_SECURITY_HOTSPOT','SCHOOL_SURROUNDINGS',
       'RESIDENTIAL_ENTRANCE','OTHER')),
     sector geometry(Polygon, 4326),
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_distance_m float8,
     grid_resolved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     retired_at timestamptz,
     CHECK (kind <> 'CAMERA' OR (bearing IS NOT NULL AND fov IS NOT NULL AND range_m IS NOT NULL AND camera_category IS NOT NULL)),
     CHECK (kind = 'CAMERA' OR (bearing IS NULL AND fov IS NULL AND range_m IS NULL AND camera_category IS NULL))
   )`,
  `CREATE INDEX facility_location_gist ON facility USING gist (location)`,
  `CREATE INDEX facility_location_geog ON facility USING gist ((location::geography))`,
  `CREATE INDEX facility_grid ON facility (grid_id, name, id) WHERE retired_at IS NULL`,
  `CREATE INDEX facility_building ON facility (building_id)`,
  `CREATE INDEX facility_online_sector ON facility USING gist (sector) WHERE kind = 'CAMERA' AND status = 'ONLINE' AND retired_at IS NULL`,
  `CREATE TRIGGER facility_grid BEFORE INSERT OR UPDATE OF location ON facility
   FOR EACH ROW EXECUTE FUNCTION located_resolve()`,
  `CREATE FUNCTION facility_sector() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     NEW.sector := CASE WHEN NEW.kind = 'CAMERA' THEN camera_sector(NEW.location, NEW.bearing, NEW.fov, NEW.range_m) END;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER facility_sector BEFORE INSERT OR UPDATE OF location, kind, bearing, fov, range_m ON facility
   FOR EACH ROW EXECUTE FUNCTION facility_sector()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS facility');
  await knex.raw('DROP FUNCTION IF EXISTS facility_sector()');
  await knex.raw('DROP FUNCTION IF EXISTS camera_sees(geometry, float8, float8, float8, geometry)');
  await knex.raw('DROP FUNCTION IF EXISTS camera_sector(geometry, float8, float8, float8)');
}
