import type { Knex } from 'knex';
import { completeCreditCode } from '../../src/modules/organization/credit-code';
import { COMPANY_BRANDS, dedicatedPlaceSql, INDUSTRIES, KEY_PLACE_KINDS_WITH_ORGANIZATION } from './place-names';
import type { PlacesPlan } from './places';
import { SeededRandom } from './random';
import { fractionSql as frac, intBetweenSql as intBetween, pickSql, uuidSql as uuid } from './seed-sql';
import { workerName } from './workers';

/**
 * Organisations (组织) of generated grids: a residents' committee per community, a street office, a mediation
 * committee and a volunteers' association per street, the school or hospital of each dedicated grid drawn for
 * one, property companies managing most residential compounds, and enterprises in the commercial buildings.
 * Each gets a valid unified social credit code (GB 32100-2015) and a contact with a mainland mobile number.
 */

/** Registration authority + organisation category (characters 1–2 of the credit code) by kind. */
export const CREDIT_CODE_PREFIX: Readonly<Record<string, string>> = {
  PARTY_GOVERNMENT: '11', // 机构编制 · 机关
  SCHOOL: '12', // 机构编制 · 事业单位
  HOSPITAL: '12',
  MEDIATION_COMMITTEE: '39', // 司法行政 · 其他
  SOCIAL_ORGANIZATION: '51', // 民政 · 社会团体
  COMMUNITY_COMMITTEE: '55', // 民政 · 居民委员会
  PROPERTY_MANAGEMENT: '91', // 工商 · 企业
  ENTERPRISE: '91',
  OTHER: 'Y1',
};

const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The 9-character organisation code (GB 11714): 8 digits or capitals (A = 10 … Z = 35) and their check character. */
export function organizationCode(body: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body)) throw new Error(`an organisation code body is 8 digits or capital letters: ${body}`);
  const sum = [...body].reduce((s, c, i) => s + parseInt(c, 36) * GB11714_WEIGHTS[i], 0);
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/**
 * The credit code of the `seq`-th organisation of a seeding: its organisation code is `seq` scrambled by a
 * multiplier prime to 10⁸ (so distinct for every seq below 10⁸, and not a visible running number).
 */
export function seededCreditCode(kind: string, region: string, seq: number, salt: number): string {
  const digits = String((seq * 48271 + salt) % 100_000_000).padStart(8, '0');
  return completeCreditCode(`${CREDIT_CODE_PREFIX[kind] ?? CREDIT_CODE_PREFIX.OTHER}${region}${organizationCode(digits)}`);
}

const MOBILE_PREFIXES = ['139', '138', '137', '136', '135', '150', '151', '152', '158', '159', '182', '187', '188', '130', '131', '132', '155', '156', '186', '133', '153', '177', '180', '189', '199'];

export async function insertOrganizations(trx: Knex.Transaction, plan: PlacesPlan): Promise<string[]> {
  const prefix = `${plan.codePrefix}%`;
  const ids: string[] = [];
  const insert = async (name: string, sql: string, bindings: Record<string, Knex.Value>) => {
    const { rows } = await trx.raw(
      `/* ${name} */ INSERT INTO organization (id, name, kind, address, employee_count, risk_level, location) ${sql} RETURNING id`,
      bindings,
    );
    for (const r of rows as { id: string }[]) ids.push(r.id); // (a spread of 200,000 would overflow the stack)
  };

  await insert(
    'seedCommittees',
    `SELECT ${uuid(`'organization:committee:' || c.code`)}, c.name, 'COMMUNITY_COMMITTEE', c.district_name || c.street_name || c.label,
            ${intBetween('c.code', 'staff', 7, 15)}, 'LOW', ST_PointOnSurface(g.boundary)
     FROM seed_community c JOIN grid g ON g.id = c.id ORDER BY c.code`,
    {},
  );
  await insert(
    'seedStreetOrganizations',
    `SELECT ${uuid(`'organization:' || r.role || ':' || s.code`)}, s.name || r.suffix, r.kind, s.district_name || s.name,
            r.min_staff + floor(${frac(`r.role || s.code`, 'staff')} * (r.max_staff - r.min_staff + 1))::int, 'LOW',
            CASE WHEN r.offset_m = 0 THEN s.office ELSE ST_Project(s.office::geography, r.offset_m, radians(r.bearing))::geometry END
     FROM (SELECT DISTINCT ON (g.code) g.code, g.name, c.district_name, ST_PointOnSurface(g.boundary) AS office
           FROM seed_community c JOIN grid g ON g.code = c.street_code AND g.valid_to IS NULL ORDER BY g.code) s
     CROSS JOIN (VALUES ('office', 'PARTY_GOVERNMENT', '办事处', 0, 0, 60, 150),
                        ('mediation', 'MEDIATION_COMMITTEE', '人民调解委员会', 40, 90, 5, 12),
                        ('volunteers', 'SOCIAL_ORGANIZATION', '志愿服务协会', 80, 200, 3, 30))
                AS r(role, kind, suffix, offset_m, bearing, min_staff, max_staff)
     ORDER BY s.code, r.role`,
    {},
  );
  // Same id as the key place's organization_id (places.ts).
  await insert(
    'seedKeyPlaceOrganizations',
    `SELECT ${uuid(`'organization:' || d.code`)}, p.name, CASE WHEN p.kind = 'HOSPITAL' THEN 'HOSPITAL' ELSE 'SCHOOL' END,
            c.district_name || c.street_name || c.label || p.name, ${intBetween('d.code', 'staff', 60, 250)}, 'MEDIUM', ST_PointOnSurface(d.boundary)
     FROM grid d JOIN seed_community c ON c.id = d.parent_id ${dedicatedPlaceSql('d', 'p')}
     WHERE d.level = 'DEDICATED' AND d.valid_to IS NULL AND d.code LIKE :prefix AND p.kind = ANY(:withOrganization::text[])
     ORDER BY d.code`,
    { prefix, withOrganization: KEY_PLACE_KINDS_WITH_ORGANIZATION },
  );
  await insertPropertyCompanies(trx, plan, insert);
  if (plan.organizations.enterprises > 0) {
    const key = `:codePrefix || ':' || j`;
    await insert(
      'seedEnterprises',
      `WITH site AS (
         SELECT b.location, b.address, row_number() OVER (ORDER BY b.code) AS r
         FROM building b WHERE b.code LIKE :prefix AND b.kind IN ('COMMERCIAL', 'MIXED')
       ),
       sites AS (SELECT count(*) AS total FROM site)
       SELECT ${uuid(`'organization:enterprise:' || ${key}`)},
              :city || ${pickSql(':brands::text[]', frac(key, 'brand'))} || ${pickSql(':industries::text[]', frac(key, 'industry'))} || '有限公司',
              'ENTERPRISE', s.address, 3 + floor(297 * power(${frac(key, 'staff')}, 2))::int,
              CASE WHEN ${frac(key, 'risk')} < 0.05 THEN 'HIGH' WHEN ${frac(key, 'risk')} < 0.20 THEN 'MEDIUM' ELSE 'LOW' END,
              s.location
       FROM generate_series(1, :enterprises::int) AS j CROSS JOIN sites n
       JOIN site s ON s.r = 1 + ((j - 1) * 7919) % n.total
       ORDER BY j`,
      { prefix, codePrefix: plan.codePrefix, city: plan.cityName, brands: COMPANY_BRANDS, industries: INDUSTRIES, enterprises: plan.organizations.enterprises },
    );
  }
  await assignCodesAndContacts(trx, plan, ids);
  return ids;
}

/**
 * Property companies (物业服务企业): most compounds with homes (a share of the plan's) are managed, each company
 * a run of neighbouring compounds (in code order); it sits in its first compound and manages the compounds
 * (organization_managed_grid) and their residential and mixed buildings (organization_managed_building).
 */
async function insertPropertyCompanies(
  trx: Knex.Transaction,
  plan: PlacesPlan,
  insert: (name: string, sql: string, bindings: Record<string, Knex.Value>) => Promise<void>,
): Promise<void> {
  const companies = plan.organizations.propertyCompanies;
  if (companies <= 0) return;
  const company = `'organization:property:' || :codePrefix || ':' || m.company`;
  await trx.raw(
    `/* seedManagement */ CREATE TEMP TABLE seed_management ON COMMIT DROP AS
     SELECT h.grid_id, h.code, 1 + (row_number() OVER (ORDER BY h.code) - 1) * :companies::int / count(*) OVER () AS company
     FROM seed_compound h
     WHERE ${frac('h.code', 'managed')} < :share::float8
       AND EXISTS (SELECT 1 FROM grid m JOIN building b ON b.grid_id = m.id
                   WHERE m.parent_id = h.grid_id AND b.kind IN ('RESIDENTIAL', 'MIXED') AND b.retired_at IS NULL)`,
    { companies, share: plan.organizations.managedCompoundShare },
  );
  const round = `(m.company - 1) / cardinality(:brands::text[])`;
  await insert(
    'seedPropertyCompanies',
    `SELECT ${uuid(company)},
            :city || (:brands::text[])[1 + (m.company - 1) % cardinality(:brands::text[])]
              || CASE ${round} WHEN 0 THEN '物业服务有限公司' WHEN 1 THEN '物业管理有限公司' WHEN 2 THEN '物业有限公司'
                               ELSE '物业服务有限公司第' || ${round} || '分公司' END,
            'PROPERTY_MANAGEMENT', c.district_name || c.street_name || c.label || cp.road || cp.door_number || '号',
            ${intBetween(`:codePrefix || m.company`, 'staff', 20, 200)},
            CASE WHEN ${frac(`:codePrefix || m.company`, 'risk')} < 0.1 THEN 'MEDIUM' ELSE 'LOW' END,
            ST_PointOnSurface(g.boundary)
     FROM (SELECT DISTINCT ON (company) company, grid_id FROM seed_management ORDER BY company, code) m
     JOIN seed_compound cp ON cp.grid_id = m.grid_id JOIN seed_community c ON c.id = cp.community_id JOIN grid g ON g.id = m.grid_id
     ORDER BY m.company`,
    { codePrefix: plan.codePrefix, city: plan.cityName, brands: COMPANY_BRANDS },
  );
  await trx.raw(
    `/* seedManagedGrids */ INSERT INTO organization_managed_grid (organization_id, grid_id)
     SELECT ${uuid(company)}, m.grid_id FROM seed_management m ORDER BY m.code`,
    { codePrefix: plan.codePrefix },
  );
  await trx.raw(
    `/* seedManagedBuildings */ INSERT INTO organization_managed_building (organization_id, building_id)
     SELECT ${uuid(company)}, b.id
     FROM seed_management m JOIN grid g ON g.parent_id = m.grid_id AND g.level = 'MICRO_GRID'
     JOIN building b ON b.grid_id = g.id AND b.kind IN ('RESIDENTIAL', 'MIXED')
     ORDER BY b.code`,
    { codePrefix: plan.codePrefix },
  );
}

/** Credit codes and contacts, drawn in TypeScript (the check characters are computed by the API's own code). */
async function assignCodesAndContacts(trx: Knex.Transaction, plan: PlacesPlan, ids: readonly string[]): Promise<void> {
  const { rows } = await trx.raw(`/* seedOrganizationsInOrder */ SELECT id, kind FROM organization WHERE id = ANY(:ids::uuid[]) ORDER BY id`, {
    ids: [...ids],
  });
  const rng = SeededRandom.forStage(plan.seed, 'organization-contacts');
  const codes: string[] = [];
  const names: string[] = [];
  const phones: string[] = [];
  rows.forEach((r: { kind: string }, i: number) => {
    codes.push(seededCreditCode(r.kind, plan.creditRegion, i + 1, plan.seed % 100_000_000));
    names.push(workerName(rng));
    phones.push(rng.pick(MOBILE_PREFIXES) + String(rng.int(1e8)).padStart(8, '0'));
  });
  await trx.raw(
    `/* seedOrganizationCodes */ UPDATE organization o SET credit_code = t.code, contact_name = t.name, contact_phone = t.phone
     FROM unnest(:ids::uuid[], :codes::text[], :names::text[], :phones::text[]) AS t(id, code, name, phone) WHERE o.id = t.id`,
    { ids: rows.map((r: { id: string }) => r.id), codes, names, phones },
  );
}
