import type { Knex } from 'knex';
import { toGlobalId } from '../../src/graphql/relay';
import { fmt, median, timed, type Operation } from './in-process';

/**
 * (a) A boundary edit of one community through GraphQL, re-resolving its located records, then the edit that
 * puts the boundary back; each timed, median of `runs` pairs.
 *
 * Which edit: a community's boundary can only change where nothing else is — its grids and micro-grids must
 * stay inside it and its neighbours outside it — so the one edit that moves records without redrawing its
 * children is growing it a sliver past the city's outline, which the parent check lets through up to the
 * boundary tolerance (10 m²). The community holding the vertex of the city farthest from its centre gets that
 * vertex nudged outward; a few probe records placed in the sliver beforehand (outside every grid, so resolved
 * to the nearest micro-grid) move into the community and back. Every located record of the community is
 * re-resolved by each edit, which is what costs.
 */
const PROBE_NAME = '基准测试探针';
const SLIVER_TARGET_SQM = 4;

const EDIT = `mutation Edit($input: UpdateGridBoundaryInput!) {
  updateGridBoundary(input: $input) {
    __typename
    ... on UpdateGridBoundarySuccess { moved movedByKind { kind count } grid { version } }
    ... on ValidationError { message problems { message } }
    ... on ConflictError { message }
  }
}`;

type Ring = [number, number][];
type MultiPolygon = { type: 'MultiPolygon'; coordinates: Ring[][] };

export async function benchCommunityEdit(knex: Knex, run: Operation, codePrefix: string, runs: number): Promise<void> {
  const { rows: vertices } = await knex.raw(
    `/* benchOutlineVertices */
     WITH hull AS (SELECT ST_ConvexHull(ST_Collect(boundary)) AS h FROM grid WHERE level = 'COMMUNITY' AND valid_to IS NULL AND code LIKE :prefix),
     v AS (SELECT (ST_DumpPoints(h)).geom AS p, ST_Centroid(h) AS c FROM hull)
     SELECT ST_X(v.p) AS lng, ST_Y(v.p) AS lat, ST_X(v.c) AS clng, ST_Y(v.c) AS clat,
            ARRAY(SELECT g.id FROM grid g WHERE g.level = 'COMMUNITY' AND g.valid_to IS NULL
                  AND g.boundary && ST_Expand(v.p, 1e-5) AND ST_DWithin(g.boundary, v.p, 1e-5)) AS communities
     FROM v ORDER BY ST_Distance(v.p, v.c) DESC LIMIT 50`,
    { prefix: `${codePrefix}%` },
  );
  const vertex = vertices.find((v: { communities: string[] }) => v.communities.length === 1);
  if (!vertex) throw new Error('no vertex of the city outline belongs to a single community');
  const [community] = (
    await knex.raw(`/* benchEditedCommunity */ SELECT id, code, name, version, ST_AsGeoJSON(boundary, 15) AS geojson FROM grid WHERE id = ?`, [
      vertex.communities[0],
    ])
  ).rows;
  const original: MultiPolygon = JSON.parse(community.geojson);
  const nudged = await nudgedOutward(knex, original, vertex);
  await knex.raw(`/* benchRemoveProbes */ DELETE FROM facility WHERE name LIKE ?`, [`${PROBE_NAME}%`]);
  await knex.raw(
    `/* benchPlaceProbes */ INSERT INTO facility (name, kind, location)
     SELECT ? || p.path[1], 'OTHER', p.geom
     FROM ST_Dump(ST_GeneratePoints(ST_Difference(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326), (SELECT boundary FROM grid WHERE id = ?)), 3, 1)) AS p`,
    [PROBE_NAME, JSON.stringify(nudged.boundary), community.id],
  );
  const counts = (
    await knex.raw(
      `/* benchCommunityRecords */ SELECT
         (SELECT count(*) FROM building b WHERE b.grid_id IN (SELECT id FROM grid WHERE id = :id OR ancestor_ids @> ARRAY[:id::uuid]))::int AS buildings,
         (SELECT count(*) FROM facility f WHERE f.grid_id IN (SELECT id FROM grid WHERE id = :id OR ancestor_ids @> ARRAY[:id::uuid]))::int AS facilities,
         (SELECT count(*) FROM organization o WHERE o.grid_id IN (SELECT id FROM grid WHERE id = :id OR ancestor_ids @> ARRAY[:id::uuid]))::int AS organizations`,
      { id: community.id },
    )
  ).rows[0];
  console.log(
    `community: ${community.name} (${community.code}), ${counts.buildings} buildings, ${counts.facilities} facilities, ${counts.organizations} organisations; ` +
      `vertex ${vertex.lng.toFixed(6)}, ${vertex.lat.toFixed(6)} moved ${nudged.meters.toFixed(2)} m outward (+${nudged.areaSqm.toFixed(1)} m²), 3 probe records in the sliver`,
  );

  const id = toGlobalId('Grid', community.id);
  let version: number = community.version;
  const edit = async (boundary: MultiPolygon, reason: string) => {
    const { data } = await run(EDIT, { input: { id, boundary, expectedVersion: version, reason } });
    const r = data.updateGridBoundary;
    if (r.__typename !== 'UpdateGridBoundarySuccess') throw new Error(`the edit was refused: ${JSON.stringify(r)}`);
    version = r.grid.version;
    return r as { moved: number; movedByKind: { kind: string; count: number }[] };
  };
  const out: number[] = [];
  const back: number[] = [];
  let lastOut = { moved: 0, movedByKind: [] as { kind: string; count: number }[] };
  let lastBack = lastOut;
  try {
    for (let i = 0; i <= runs; i++) {
      const a = await timed(() => edit(nudged.boundary, '基准测试：外扩一个顶点'));
      const b = await timed(() => edit(original, '基准测试：恢复'));
      if (i === 0) continue; // warm-up
      out.push(a.ms);
      back.push(b.ms);
      lastOut = a.result;
      lastBack = b.result;
    }
  } finally {
    await knex.raw(`/* benchRemoveProbes */ DELETE FROM facility WHERE name LIKE ?`, [`${PROBE_NAME}%`]);
  }
  const byKind = (m: typeof lastOut) => m.movedByKind.filter((k) => k.count > 0).map((k) => `${k.kind} ${k.count}`).join(', ') || 'none';
  console.log(`  edit (vertex out)    median ${fmt(median(out))} ms  min ${fmt(Math.min(...out))}  max ${fmt(Math.max(...out))}   moved ${lastOut.moved} (${byKind(lastOut)})`);
  console.log(`  edit (put back)      median ${fmt(median(back))} ms  min ${fmt(Math.min(...back))}  max ${fmt(Math.max(...back))}   moved ${lastBack.moved} (${byKind(lastBack)})`);
  const worst = Math.max(median(out), median(back));
  console.log(`  target: community edit with re-resolve ≤ 1 s: ${worst <= 1000 ? 'MET' : 'NOT MET'} (${fmt(worst)} ms, the slower median)`);
}

/**
 * The boundary with the outline vertex moved away from the city's centre, by as much as makes a sliver of
 * about SLIVER_TARGET_SQM (the added area grows linearly with the distance for small moves).
 */
async function nudgedOutward(
  knex: Knex,
  original: MultiPolygon,
  v: { lng: number; lat: number; clng: number; clat: number },
): Promise<{ boundary: MultiPolygon; meters: number; areaSqm: number }> {
  const mPerLng = 111320 * Math.cos((v.lat * Math.PI) / 180);
  const mPerLat = 110574;
  const dx = (v.lng - v.clng) * mPerLng;
  const dy = (v.lat - v.clat) * mPerLat;
  const len = Math.hypot(dx, dy);
  const moved = (meters: number): MultiPolygon => {
    const to: [number, number] = [v.lng + (dx / len) * (meters / mPerLng), v.lat + (dy / len) * (meters / mPerLat)];
    const same = (p: [number, number]) => Math.abs(p[0] - v.lng) < 1e-9 && Math.abs(p[1] - v.lat) < 1e-9;
    return { type: 'MultiPolygon', coordinates: original.coordinates.map((poly) => poly.map((ring) => ring.map((p) => (same(p) ? to : p)))) };
  };
  const added = async (b: MultiPolygon) =>
    Number(
      (
        await knex.raw(
          `/* benchSliverArea */ SELECT ST_Area(ST_Difference(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326), ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))::geography) AS a`,
          [JSON.stringify(b), JSON.stringify(original)],
        )
      ).rows[0].a,
    );
  const probe = await added(moved(0.1));
  if (!(probe > 0)) throw new Error('moving the outline vertex outward added no area: it is not on the outline');
  const meters = Math.min(1, Math.max(0.02, (0.1 * SLIVER_TARGET_SQM) / probe));
  const boundary = moved(meters);
  return { boundary, meters, areaSqm: await added(boundary) };
}
