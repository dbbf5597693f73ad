import type { Knex } from 'knex';
import type { ProgressReporter } from './load';
import { communityLabel, compounds, dedicatedPlaceSql, KEY_PLACE_KINDS_WITH_ORGANIZATION } from './place-names';
import { communityShortName } from './names';
import { fractionSql as frac, hashFractionSql as hashFraction, uuidFromHashSql as uuidFromHash, uuidSql as uuid } from './seed-sql';
import { insertFacilities } from './facilities';
import { insertOrganizations } from './organizations';

/**
 * Located records for generated grids (the demo district, the benchmark city): buildings (楼栋) named after
 * residential compounds, houses (实有房屋) in some of them, key places (重点场所) on the dedicated grids plus
 * markets and transport hubs, organisations, and facilities (cameras, gates, hydrants) — all by set-based
 * INSERT … SELECT (one statement per kind; the `located_resolve` triggers give each row its grid), and all
 * deterministic: the same grids and plan give the same rows and ids on every machine.
 */
export interface PlacesPlan {
  /** The grids filled: those whose code starts with this ('130105' the demo district, '4101' the city). */
  codePrefix: string;
  seed: number;
  /** For company names (石家庄宏达物业服务有限公司). */
  cityName: string;
  roads: readonly string[];
  /** Characters 3–8 of the organisations' credit codes: the registering authority's region. */
  creditRegion: string;
  /** On average; 2.8 gives 2 or 3 per micro-grid. */
  buildingsPerMicroGrid: number;
  houses: {
    /** Streets whose buildings get houses; null: every street. */
    streetCodes: readonly string[] | null;
    kinds: readonly string[];
    /** Houses per building on average; null: as the building is built (floors × units × 2 a floor). */
    perBuilding: number | null;
  };
  keyPlaces: { marketsPerStreet: number; hubsPerStreet: number };
  facilities: {
    /** Cameras in all: those aimed at key places and entrances, then domes and traffic cameras up to this. */
    cameras: number;
    /** Key places with cameras aimed at them; the others get one camera facing away (a blind spot). */
    coveredKeyPlaceShare: number;
    camerasPerCoveredKeyPlace: number;
    /** Compound gates with a camera on them. */
    entranceCameraShare: number;
  };
  organizations: { propertyCompanies: number; managedCompoundShare: number; enterprises: number };
}

export interface PlacesCounts {
  buildings: number;
  houses: number;
  keyPlaces: number;
  facilities: number;
  cameras: number;
  organizations: number;
}

/**
 * Everything in the caller's transaction (temporary name tables are dropped at its commit). `onProgress`
 * hears one line per kind, with how long it took.
 */
export async function seedPlaces(trx: Knex.Transaction, plan: PlacesPlan, onProgress?: ProgressReporter): Promise<PlacesCounts> {
  const step = async <T>(label: string, work: () => Promise<T>, count: (r: T) => number): Promise<T> => {
    const t0 = Date.now();
    const result = await work();
    onProgress?.(`seeding ${label}: ${count(result)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  await prepareNames(trx, plan);
  const buildings = await step('buildings', () => insertBuildings(trx, plan), (n) => n);
  const organizations = await step('organisations', () => insertOrganizations(trx, plan), (ids) => ids.length);
  const keyPlaceIds = await step('key places', () => insertKeyPlaces(trx, plan), (ids) => ids.length);
  const houses = await step('houses', () => insertHouses(trx, plan), (n) => n);
  const facilities = await step('facilities', () => insertFacilities(trx, plan, keyPlaceIds), (f) => f.total);
  // Statistics now, so the first queries (the API's, the tests') are planned on the rows just written.
  for (const table of ['building', 'house', 'key_place', 'facility', 'organization', 'organization_managed_building', 'organization_managed_grid']) {
    await trx.raw(`ANALYZE ${table}`);
  }
  return { buildings, houses, keyPlaces: keyPlaceIds.length, facilities: facilities.total, cameras: facilities.cameras, organizations: organizations.length };
}

/**
 * Two temporary tables the statements join: `seed_community` (each community with its label, street and
 * district names) and `seed_compound` (each GRID-level grid as a residential compound: name, road, door number).
 */
async function prepareNames(trx: Knex.Transaction, plan: PlacesPlan): Promise<void> {
  const { rows: communities } = await trx.raw(
    `/* seedCommunities */ SELECT id, code, name FROM grid WHERE level = 'COMMUNITY' AND valid_to IS NULL AND code LIKE :prefix ORDER BY code`,
    { prefix: `${plan.codePrefix}%` },
  );
  await trx.raw(
    `/* seedCommunityNames */ CREATE TEMP TABLE seed_community ON COMMIT DROP AS
     SELECT c.id, c.code, c.name, t.short, t.label, s.code AS street_code, s.name AS street_name, d.name AS district_name
     FROM unnest(:ids::uuid[], :shorts::text[], :labels::text[]) AS t(id, short, label)
     JOIN grid c ON c.id = t.id JOIN grid s ON s.id = c.parent_id JOIN grid d ON d.id = s.parent_id`,
    {
      ids: communities.map((c: { id: string }) => c.id),
      shorts: communities.map((c: { name: string }) => communityShortName(c.name)),
      labels: communities.map((c: { name: string }) => communityLabel(c.name)),
    },
  );
  const { rows: grids } = await trx.raw(
    `/* seedCompoundGrids */ SELECT g.id, g.code, c.code AS community_code, c.name AS community_name,
            row_number() OVER (PARTITION BY c.id ORDER BY g.code)::int AS ordinal
     FROM grid g JOIN grid c ON c.id = g.parent_id
     WHERE g.level = 'GRID' AND g.valid_to IS NULL AND g.code LIKE :prefix ORDER BY g.code`,
    { prefix: `${plan.codePrefix}%` },
  );
  const rows = compounds(
    grids.map((g: { id: string; code: string; community_code: string; community_name: string; ordinal: number }) => ({
      id: g.id,
      code: g.code,
      communityCode: g.community_code,
      communityName: g.community_name,
      ordinal: g.ordinal,
    })),
    plan.roads,
    plan.seed,
  );
  await trx.raw(
    `/* seedCompoundNames */ CREATE TEMP TABLE seed_compound ON COMMIT DROP AS
     SELECT g.id AS grid_id, g.code, g.parent_id AS community_id, t.compound, t.road, t.door_number
     FROM unnest(:ids::uuid[], :names::text[], :roads::text[], :doors::int[]) AS t(id, compound, road, door_number)
     JOIN grid g ON g.id = t.id`,
    { ids: rows.map((r) => r.gridId), names: rows.map((r) => r.compound), roads: rows.map((r) => r.road), doors: rows.map((r) => r.doorNumber) },
  );
  // One statement per call: the embedded database takes no lists of statements.
  for (const sql of ['CREATE INDEX ON seed_compound (grid_id)', 'CREATE INDEX ON seed_community (id)', 'ANALYZE seed_compound', 'ANALYZE seed_community']) {
    await trx.raw(sql);
  }
}

/**
 * Buildings at seeded random spots in each micro-grid, numbered within their compound (天骄小区3号楼) and coded
 * community code + 4 digits in micro-grid order. Mostly residential: 70 % six- or seven-storey walk-ups of 2–3
 * units, 30 % towers of 15–18 storeys; some mixed (shops below), commercial, public and other buildings.
 */
async function insertBuildings(trx: Knex.Transaction, plan: PlacesPlan): Promise<number> {
  const { rowCount } = await trx.raw(
    `/* seedBuildings */ INSERT INTO building (id, code, name, address, kind, floors, units, community_id, location)
     WITH points AS (
       SELECT m.code AS micro_code, m.parent_id AS grid_id, p.path[1] AS k, p.geom
       FROM grid m,
            ST_Dump(ST_GeneratePoints(m.boundary, floor(:perMicroGrid::float8 + ${frac('m.code', 'buildings')})::int, :seed::int)) AS p
       WHERE m.level = 'MICRO_GRID' AND m.valid_to IS NULL AND m.code LIKE :prefix
     ),
     numbered AS (
       SELECT p.*, cp.compound, cp.road, cp.door_number, c.id AS community_id, c.label, c.street_name, c.district_name,
              c.code || lpad((row_number() OVER (PARTITION BY c.id ORDER BY p.micro_code, p.k))::text, 4, '0') AS code,
              row_number() OVER (PARTITION BY p.grid_id ORDER BY p.micro_code, p.k) AS n
       FROM points p JOIN seed_compound cp ON cp.grid_id = p.grid_id JOIN seed_community c ON c.id = cp.community_id
     ),
     -- MATERIALIZED: each draw computed once a building, not again wherever the SELECT below uses it.
     typed AS MATERIALIZED (
       SELECT n.*, d.f_form, d.f_floors, d.f_units,
              CASE WHEN d.f_kind < 0.80 THEN 'RESIDENTIAL' WHEN d.f_kind < 0.88 THEN 'MIXED' WHEN d.f_kind < 0.94 THEN 'COMMERCIAL'
                   WHEN d.f_kind < 0.98 THEN 'PUBLIC' WHEN d.f_kind < 0.99 THEN 'INDUSTRIAL' ELSE 'OTHER' END AS kind
       FROM numbered n CROSS JOIN LATERAL (
         SELECT ${hashFraction('h.hash', 0)} AS f_kind, ${hashFraction('h.hash', 1)} AS f_form,
                ${hashFraction('h.hash', 2)} AS f_floors, ${hashFraction('h.hash', 3)} AS f_units
         FROM (SELECT md5(n.code || ':building') AS hash OFFSET 0) h
       ) d
     )
     SELECT ${uuid(`'building:' || t.code`)}, t.code,
            t.compound || t.n || CASE t.kind WHEN 'RESIDENTIAL' THEN '号楼' WHEN 'MIXED' THEN '号商住楼' WHEN 'COMMERCIAL' THEN '号商业楼'
                                       WHEN 'PUBLIC' THEN '号综合服务楼' WHEN 'INDUSTRIAL' THEN '号厂房' ELSE '号配套用房' END,
            t.district_name || t.street_name || t.label || t.road || t.door_number || '号' || t.compound || t.n || '号楼',
            t.kind,
            CASE WHEN t.kind = 'RESIDENTIAL' AND t.f_form < 0.7 THEN 6 + floor(t.f_floors * 2)::int
                 WHEN t.kind = 'RESIDENTIAL' THEN 15 + floor(t.f_floors * 4)::int
                 WHEN t.kind = 'MIXED' THEN 6 + floor(t.f_floors * 7)::int
                 WHEN t.kind = 'COMMERCIAL' THEN 3 + floor(t.f_floors * 10)::int
                 WHEN t.kind = 'PUBLIC' THEN 2 + floor(t.f_floors * 4)::int
                 ELSE 1 + floor(t.f_floors * 3)::int END,
            CASE WHEN t.kind = 'RESIDENTIAL' AND t.f_form < 0.7 THEN 2 + floor(t.f_units * 2)::int
                 WHEN t.kind = 'MIXED' THEN 2
                 ELSE 1 END,
            t.community_id, t.geom
     FROM typed t ORDER BY t.code`,
    { prefix: `${plan.codePrefix}%`, perMicroGrid: plan.buildingsPerMicroGrid, seed: plan.seed },
  );
  return rowCount ?? 0;
}

/**
 * Houses of the chosen streets' buildings: unit by unit, floor by floor, two a floor ("1502" is floor 15, door
 * 2), or a given number a building (then the rooms of each floor run past 2). Mostly owner-occupied, some
 * rented or vacant; a mixed building's ground floor is shops.
 */
async function insertHouses(trx: Knex.Transaction, plan: PlacesPlan): Promise<number> {
  // One MD5 a house (its name-based id) also gives its draws: five million of them is what the benchmark makes.
  const { rowCount } = await trx.raw(
    `/* seedHouses */ INSERT INTO house (id, building_id, unit, floor, room, area_sqm, use)
     SELECT ${uuidFromHash('h.hash')}, b.id, h.unit, h.floor, h.room,
            round((CASE WHEN b.kind = 'MIXED' AND h.floor = 1 THEN 30 + 90 * h.f_area
                        WHEN b.floors > 10 THEN 80 + 60 * h.f_area
                        ELSE 55 + 75 * h.f_area END)::numeric, 2),
            CASE WHEN b.kind = 'MIXED' AND h.floor = 1 THEN 'COMMERCIAL'
                 WHEN h.f_use < 0.72 THEN 'OWNER_OCCUPIED' WHEN h.f_use < 0.90 THEN 'RENTED' ELSE 'VACANT' END
     FROM building b JOIN seed_community c ON c.id = b.community_id
     CROSS JOIN LATERAL generate_series(0, CASE WHEN :perBuilding::float8 IS NULL THEN b.units * b.floors * 2
                                                ELSE floor(:perBuilding::float8 + ${frac('b.code', 'houses')})::int END - 1) AS k
     CROSS JOIN LATERAL (
       SELECT k % b.units + 1 AS unit, (k / b.units) % b.floors + 1 AS floor,
              ((k / b.units) % b.floors + 1)::text || lpad((k / (b.units * b.floors) + 1)::text, 2, '0') AS room,
              hash, ${hashFraction('hash', 0)} AS f_area, ${hashFraction('hash', 1)} AS f_use
       FROM (SELECT md5('house:' || b.code || ':' || k) AS hash OFFSET 0) named -- OFFSET 0: computed once, not inlined at each use
     ) h
     WHERE b.code LIKE :prefix AND b.kind = ANY(:kinds::text[]) AND (:streets::text[] IS NULL OR c.street_code = ANY(:streets::text[]))`,
    {
      prefix: `${plan.codePrefix}%`,
      kinds: [...plan.houses.kinds],
      streets: plan.houses.streetCodes ? [...plan.houses.streetCodes] : null,
      perBuilding: plan.houses.perBuilding,
    },
  );
  return rowCount ?? 0;
}

/**
 * One key place per dedicated grid, at its point on surface, its area the grid's boundary; then markets and
 * transport hubs in regular grids, a few per street (in micro-grids picked by a seeded order).
 */
async function insertKeyPlaces(trx: Knex.Transaction, plan: PlacesPlan): Promise<string[]> {
  const { rows: dedicated } = await trx.raw(
    `/* seedDedicatedKeyPlaces */ INSERT INTO key_place (id, name, kind, address, area, organization_id, dedicated_grid_id, location)
     SELECT ${uuid(`'key-place:' || d.code`)}, p.name, p.kind, c.district_name || c.street_name || c.label || p.name, d.boundary,
            CASE WHEN p.kind = ANY(:withOrganization::text[]) THEN ${uuid(`'organization:' || d.code`)} END,
            d.id, ST_PointOnSurface(d.boundary)
     FROM grid d JOIN seed_community c ON c.id = d.parent_id ${dedicatedPlaceSql('d', 'p')}
     WHERE d.level = 'DEDICATED' AND d.valid_to IS NULL AND d.code LIKE :prefix
     ORDER BY d.code
     RETURNING id`,
    { prefix: `${plan.codePrefix}%`, withOrganization: KEY_PLACE_KINDS_WITH_ORGANIZATION },
  );
  const { markets, hubs } = { markets: plan.keyPlaces.marketsPerStreet, hubs: plan.keyPlaces.hubsPerStreet };
  const { rows: regular } = await trx.raw(
    `/* seedRegularKeyPlaces */ INSERT INTO key_place (id, name, kind, address, location)
     WITH ranked AS (
       SELECT m.code, m.boundary, cp.road, cp.door_number, c.short, c.label, c.street_name, c.district_name,
              row_number() OVER (PARTITION BY c.street_code ORDER BY md5(m.code || ':market')) AS r
       FROM grid m JOIN seed_compound cp ON cp.grid_id = m.parent_id JOIN seed_community c ON c.id = cp.community_id
       WHERE m.level = 'MICRO_GRID' AND m.valid_to IS NULL AND m.code LIKE :prefix
     ),
     named AS (
       SELECT r.*, CASE WHEN r.r <= :markets::int THEN 'MARKET' ELSE 'TRANSPORT_HUB' END AS kind,
              CASE WHEN r.r <= :markets::int THEN r.short || (ARRAY['农贸市场', '综合市场', '菜市场'])[1 + (r.r - 1) % 3]
                   ELSE r.short || (ARRAY['公交枢纽站', '公交首末站', '长途客运站'])[1 + (r.r - :markets::int - 1) % 3] END AS name
       FROM ranked r WHERE r.r <= :markets::int + :hubs::int
     )
     SELECT ${uuid(`'key-place:' || n.code || ':' || n.r`)}, n.name, n.kind,
            n.district_name || n.street_name || n.label || n.road || n.door_number || '号', ST_PointOnSurface(n.boundary)
     FROM named n ORDER BY n.code
     RETURNING id`,
    { prefix: `${plan.codePrefix}%`, markets, hubs },
  );
  return [...dedicated, ...regular].map((r: { id: string }) => r.id);
}
