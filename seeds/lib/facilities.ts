import type { Knex } from 'knex';
import type { PlacesPlan } from './places';
import { fractionSql as frac, intBetweenSql as intBetween, uuidSql as uuid } from './seed-sql';

/**
 * Facilities (物) of generated grids: cameras aimed at key places (some key places left to a camera facing
 * away, so coverage has gaps to report), gates of residential compounds with cameras on some of them, domes
 * and traffic cameras up to the plan's number of cameras, and hydrants in every community. About 5 % of the
 * cameras are OFFLINE or FAULTY. The `facility_sector` trigger draws each camera's view sector.
 */
export async function insertFacilities(
  trx: Knex.Transaction,
  plan: PlacesPlan,
  keyPlaceIds: readonly string[],
): Promise<{ total: number; cameras: number }> {
  const prefix = `${plan.codePrefix}%`;
  const f = plan.facilities;
  const cameraStatus = (key: string) =>
    `CASE WHEN ${frac(key, 'status')} < 0.03 THEN 'OFFLINE' WHEN ${frac(key, 'status')} < 0.05 THEN 'FAULTY' ELSE 'ONLINE' END`;
  /** Bearing from a camera at `from` to `to`, in [0, 360). */
  const bearing = (from: string, to: string) => `mod(degrees(ST_Azimuth((${from})::geography, (${to})::geography))::numeric, 360)::float8`;

  // 20–80 m from the place; a covered place's cameras face it and reach past it, a blind spot's faces away.
  const { rowCount: keyPlaceCameras } = await trx.raw(
    `/* seedKeyPlaceCameras */ INSERT INTO facility (id, name, kind, status, bearing, fov, range_m, camera_category, location)
     WITH place AS (
       SELECT k.id, k.name, k.kind, k.location, ${frac('k.id::text', 'covered')} < :coveredShare::float8 AS covered
       FROM key_place k WHERE k.id = ANY(:ids::uuid[])
     ),
     camera AS (
       SELECT p.*, n, p.id::text || ':' || n AS key
       FROM place p CROSS JOIN LATERAL generate_series(1, CASE WHEN p.covered THEN :perPlace::int ELSE 1 END) AS n
     ),
     placed AS (
       SELECT c.*, 20 + 60 * ${frac('c.key', 'distance')} AS distance_m, 360 * ${frac('c.key', 'azimuth')} AS azimuth
       FROM camera c
     ),
     sited AS (SELECT p.*, ST_Project(p.location::geography, p.distance_m, radians(p.azimuth))::geometry AS at FROM placed p)
     SELECT ${uuid(`'facility:camera:' || s.key`)}, s.name || '周边监控' || s.n || '号', 'CAMERA', ${cameraStatus('s.key')},
            CASE WHEN s.covered THEN ${bearing('s.at', 's.location')} ELSE mod(s.azimuth::numeric, 360)::float8 END,
            60 + 50 * ${frac('s.key', 'fov')},
            CASE WHEN s.covered THEN greatest(60 + 90 * ${frac('s.key', 'range')}, s.distance_m + 15) ELSE 60 + 40 * ${frac('s.key', 'range')} END,
            CASE WHEN s.kind IN ('SCHOOL', 'KINDERGARTEN') THEN 'SCHOOL_SURROUNDINGS' WHEN s.kind = 'TRANSPORT_HUB' THEN 'TRAFFIC'
                 ELSE 'PUBLIC_SECURITY_HOTSPOT' END,
            s.at
     FROM sited s ORDER BY s.id, s.n`,
    { ids: [...keyPlaceIds], coveredShare: f.coveredKeyPlaceShare, perPlace: f.camerasPerCoveredKeyPlace },
  );

  // One or two gates per compound with homes, 15–30 m off its first (and last) residential building.
  const { rows: gates } = await trx.raw(
    `/* seedGates */ INSERT INTO facility (id, name, kind, status, building_id, location)
     WITH home AS (
       SELECT m.parent_id AS compound_id, b.id, b.location,
              row_number() OVER (PARTITION BY m.parent_id ORDER BY b.code) AS r, count(*) OVER (PARTITION BY m.parent_id) AS homes
       FROM building b JOIN grid m ON m.id = b.grid_id
       WHERE b.code LIKE :prefix AND b.kind IN ('RESIDENTIAL', 'MIXED')
     ),
     gate AS (
       SELECT cp.code || ':' || n AS key, cp.compound, n, h.id AS building_id, h.location
       FROM seed_compound cp CROSS JOIN LATERAL generate_series(1, CASE WHEN ${frac('cp.code', 'gates')} < 0.5 THEN 2 ELSE 1 END) AS n
       JOIN home h ON h.compound_id = cp.grid_id AND h.r = CASE WHEN n = 1 THEN 1 ELSE h.homes END
     )
     SELECT ${uuid(`'facility:gate:' || g.key`)},
            g.compound || (CASE WHEN g.n = 1 THEN ARRAY['南门', '东门'] ELSE ARRAY['北门', '西门'] END)[1 + floor(2 * ${frac('g.key', 'side')})::int],
            'GATE', CASE WHEN ${frac('g.key', 'status')} < 0.02 THEN 'FAULTY' ELSE 'ONLINE' END, g.building_id,
            ST_Project(g.location::geography, 15 + 15 * ${frac('g.key', 'distance')}, radians(360 * ${frac('g.key', 'azimuth')}))::geometry
     FROM gate g ORDER BY g.key
     RETURNING id`,
    { prefix },
  );

  // A camera 8–15 m from some gates, facing the gate.
  const { rowCount: entranceCameras } = await trx.raw(
    `/* seedEntranceCameras */ INSERT INTO facility (id, name, kind, status, building_id, bearing, fov, range_m, camera_category, location)
     WITH gate AS (
       SELECT g.id, g.id::text AS key, g.name, g.building_id, g.location FROM facility g
       WHERE g.id = ANY(:ids::uuid[]) AND ${frac('g.id::text', 'watched')} < :share::float8
     ),
     sited AS (
       SELECT g.*, ST_Project(g.location::geography, 8 + 7 * ${frac('g.key', 'distance')}, radians(360 * ${frac('g.key', 'azimuth')}))::geometry AS at
       FROM gate g
     )
     SELECT ${uuid(`'facility:entrance-camera:' || s.key`)}, s.name || '监控', 'CAMERA', ${cameraStatus('s.key')}, s.building_id,
            ${bearing('s.at', 's.location')}, 70 + 30 * ${frac('s.key', 'fov')}, 30 + 30 * ${frac('s.key', 'range')}, 'RESIDENTIAL_ENTRANCE', s.at
     FROM sited s ORDER BY s.id`,
    { ids: gates.map((g: { id: string }) => g.id), share: f.entranceCameraShare },
  );

  // The rest of the cameras: domes (360°) and traffic cameras at seeded spots, one micro-grid after another.
  const fillers = Math.max(0, f.cameras - (keyPlaceCameras ?? 0) - (entranceCameras ?? 0));
  const { rowCount: fillerCameras } = await trx.raw(
    `/* seedStreetCameras */ INSERT INTO facility (id, name, kind, status, bearing, fov, range_m, camera_category, location)
     WITH micro AS (
       SELECT m.code, m.boundary, cp.road, row_number() OVER (ORDER BY md5(m.code || ':street-camera'), m.code) AS r
       FROM grid m JOIN seed_compound cp ON cp.grid_id = m.parent_id
       WHERE m.level = 'MICRO_GRID' AND m.valid_to IS NULL AND m.code LIKE :prefix
     ),
     micros AS (SELECT count(*) AS total FROM micro),
     camera AS (
       SELECT m.code || ':' || j AS key, j, m.road, m.boundary, ${frac(`m.code || ':' || j`, 'dome')} < 0.3 AS dome
       FROM generate_series(1, :fillers::int) AS j CROSS JOIN micros n JOIN micro m ON m.r = 1 + (j - 1) % n.total
     )
     SELECT ${uuid(`'facility:street-camera:' || c.key`)}, c.road || CASE WHEN c.dome THEN '治安监控球机' ELSE '路口交通监控' END || c.j || '号',
            'CAMERA', ${cameraStatus('c.key')},
            CASE WHEN c.dome THEN 0 ELSE 360 * ${frac('c.key', 'bearing')} END,
            CASE WHEN c.dome THEN 360 ELSE 60 + 50 * ${frac('c.key', 'fov')} END,
            CASE WHEN c.dome THEN 60 + 40 * ${frac('c.key', 'range')} ELSE 80 + 70 * ${frac('c.key', 'range')} END,
            CASE WHEN c.dome THEN 'PUBLIC_SECURITY_HOTSPOT' ELSE 'TRAFFIC' END,
            ST_GeometryN(ST_GeneratePoints(c.boundary, 1, :seed::int + c.j), 1)
     FROM camera c ORDER BY c.j`,
    { prefix, fillers, seed: plan.seed },
  );

  // Three to five hydrants in each community.
  const { rowCount: hydrants } = await trx.raw(
    `/* seedHydrants */ INSERT INTO facility (id, name, kind, status, location)
     SELECT ${uuid(`'facility:hydrant:' || c.code || ':' || p.path[1]`)}, c.label || '消防栓' || p.path[1] || '号', 'HYDRANT',
            CASE WHEN ${frac(`c.code || ':' || p.path[1]`, 'status')} < 0.03 THEN 'FAULTY' ELSE 'ONLINE' END, p.geom
     FROM seed_community c JOIN grid g ON g.id = c.id,
          ST_Dump(ST_GeneratePoints(g.boundary, ${intBetween('c.code', 'hydrants', 3, 5)}, :seed::int)) AS p
     ORDER BY c.code, p.path[1]`,
    { seed: plan.seed },
  );

  const cameras = (keyPlaceCameras ?? 0) + (entranceCameras ?? 0) + (fillerCameras ?? 0);
  return { cameras, total: cameras + gates.length + (hydrants ?? 0) };
}
