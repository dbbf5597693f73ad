import type { Knex } from 'knex';
import { categories } from '../../src/modules/incident/repo';
import type { SlaMinutes } from '../../src/modules/incident/sla';
import { RESPONSIBLE_ON, RESPONSIBLE_ORDER, STAFFED_GRID_OF_CHAIN } from '../../src/modules/worker/repo';
import type { Enterprise } from './incident-people';
import type { PlanInputs, SeedPlace } from './incident-plan';
import { SeededRandom } from './random';

/**
 * What the demo's incidents are planned on, read from the seeded district: every building and key place with the
 * grid it resolved to, the centres above it (community, street, district), the workers responsible for it by the
 * routing rule's own SQL (worker/repo.ts: the nearest staffed grid up the chain, primary first), the departments a
 * case there can be transferred to, the enterprises, and each category's deadlines.
 */
const KIND_WEIGHT: Readonly<Record<string, number>> = { RESIDENTIAL: 1, MIXED: 1.3, COMMERCIAL: 1.2, PUBLIC: 0.6 };

interface PlaceRow {
  building_id: string | null;
  key_place_id: string | null;
  key_place_kind: string | null;
  kind: string | null;
  name: string;
  address: string;
  lng: number;
  lat: number;
  grid_id: string;
  path: string[];
  community_id: string;
  community_code: string;
  community_name: string;
  street_id: string;
  street_code: string;
  street_name: string;
  district_id: string;
  district_code: string;
  district_name: string;
  property_id: string | null;
  mediation_id: string | null;
  committee_id: string | null;
}

export async function planInputs(trx: Knex.Transaction, codePrefix: string, seed: number): Promise<PlanInputs> {
  const { rows } = await trx.raw<{ rows: PlaceRow[] }>(
    `/* demoIncidentPlaces */ WITH places AS (
       SELECT b.id AS building_id, NULL::uuid AS key_place_id, NULL::text AS key_place_kind, b.kind, b.name, b.address, b.location, b.grid_id, b.code AS sort_key
       FROM building b WHERE b.retired_at IS NULL
       UNION ALL
       SELECT NULL, k.id, k.kind, NULL, k.name, k.address, k.location, k.grid_id, k.id::text FROM key_place k WHERE k.retired_at IS NULL
     )
     , grids AS MATERIALIZED (
       SELECT g.id, g.ancestor_ids, incident_centre(g.id) AS centre_id
       FROM (SELECT DISTINCT grid_id FROM places) u JOIN grid g ON g.id = u.grid_id
       WHERE g.code LIKE ? AND g.valid_to IS NULL
     ), organizations AS (
       SELECT kind, name, min(id::text)::uuid AS id FROM organization
       WHERE kind IN ('MEDIATION_COMMITTEE', 'COMMUNITY_COMMITTEE') AND retired_at IS NULL GROUP BY 1, 2
     )
     SELECT p.building_id, p.key_place_id, p.key_place_kind, p.kind, p.name, p.address, ST_X(p.location) AS lng, ST_Y(p.location) AS lat,
       g.id AS grid_id, g.ancestor_ids AS path, c.id AS community_id, c.code AS community_code, c.name AS community_name,
       s.id AS street_id, s.code AS street_code, s.name AS street_name, d.id AS district_id, d.code AS district_code, d.name AS district_name,
       pm.id AS property_id, mc.id AS mediation_id, cc.id AS committee_id
     FROM places p JOIN grids g ON g.id = p.grid_id
     JOIN grid c ON c.id = g.centre_id AND c.level = 'COMMUNITY'
     JOIN grid s ON s.id = c.parent_id AND s.level = 'STREET'
     JOIN grid d ON d.id = s.parent_id AND d.level = 'DISTRICT'
     LEFT JOIN (SELECT building_id, min(organization_id::text)::uuid AS id FROM organization_managed_building GROUP BY 1) pm ON pm.building_id = p.building_id
     LEFT JOIN organizations mc ON mc.kind = 'MEDIATION_COMMITTEE' AND mc.name = s.name || '人民调解委员会'
     LEFT JOIN organizations cc ON cc.kind = 'COMMUNITY_COMMITTEE' AND cc.name = c.name
     ORDER BY p.key_place_id IS NOT NULL, p.sort_key`,
    [`${codePrefix}%`],
  );
  const gridIds = [...new Set(rows.map((r) => r.grid_id))];
  const responsible = await responsibleByGrid(trx, gridIds);
  const activity = SeededRandom.forStage(seed, 'incident-activity');
  const busy = new Map([...gridIds].sort().map((id) => [id, 0.4 + 1.4 * activity.next()]));
  const places = rows.map((r): SeedPlace => {
    const [primary, ...others] = responsible.get(r.grid_id) ?? [];
    return {
      buildingId: r.building_id, keyPlaceId: r.key_place_id, keyPlaceKind: r.key_place_kind, name: r.name, address: r.address, lng: r.lng, lat: r.lat,
      path: r.path, communityCode: r.community_code, weight: (KIND_WEIGHT[r.kind ?? ''] ?? 0.8) * busy.get(r.grid_id)!,
      place: {
        microGridId: r.grid_id,
        community: { id: r.community_id, code: r.community_code, name: r.community_name },
        street: { id: r.street_id, code: r.street_code, name: r.street_name },
        district: { id: r.district_id, code: r.district_code, name: r.district_name },
        worker: primary ?? null,
        notifiedWorkerIds: others.map((w) => w.id),
        organizations: { PROPERTY_MANAGEMENT: r.property_id, MEDIATION_COMMITTEE: r.mediation_id, COMMUNITY_COMMITTEE: r.committee_id },
        mediationCommittee: `${r.street_name}人民调解委员会`,
      },
    };
  });
  const enterprises: Enterprise[] = (await trx.raw(`/* demoIncidentEnterprises */ SELECT id, name FROM organization WHERE kind = 'ENTERPRISE' AND retired_at IS NULL ORDER BY credit_code`)).rows;
  const deadlines = new Map((await categories(trx)).map((c) => [c.code, { assign: c.assign_within_minutes, firstProgress: c.first_progress_within_minutes, resolve: c.resolve_within_minutes }]));
  const minutesOf = (code: string): SlaMinutes => {
    const m = deadlines.get(code);
    if (!m) throw new Error(`the demo incidents use category ${code}, which incident_category does not hold`);
    return m;
  };
  return { places, enterprises, minutesOf };
}

type Responsible = { id: string; account: string; name: string };

/** Each grid's responsible workers, primary first, by the rule `responsibleWorkers` (routing.ts) applies to one. */
async function responsibleByGrid(trx: Knex.Transaction, gridIds: readonly string[]): Promise<Map<string, Responsible[]>> {
  const { rows } = await trx.raw<{ rows: { grid_id: string; workers: Responsible[] }[] }>(
    `/* demoIncidentResponsible */ SELECT g.id AS grid_id, r.workers FROM grid g CROSS JOIN LATERAL (
       WITH chain AS (SELECT c.id, c.depth FROM grid c WHERE c.id = ANY(g.ancestor_ids || g.id)),
       staffed AS (${STAFFED_GRID_OF_CHAIN('chain')})
       SELECT coalesce(json_agg(json_build_object('id', w.id, 'account', w.account, 'name', w.name) ORDER BY ${RESPONSIBLE_ORDER}), '[]') AS workers
       FROM ${RESPONSIBLE_ON('staffed')}
     ) r WHERE g.id = ANY(?::uuid[])`,
    [[...gridIds]],
  );
  return new Map(rows.map((r) => [r.grid_id, r.workers]));
}
