import type { Knex } from 'knex';

/**
 * Organisations (组织) of a grid: party and government bodies, community committees, property companies,
 * mediation committees, social organisations, enterprises, schools, hospitals. A located record: its
 * position ties it to a grid by the shared rule (`located_resolve`, migration 20261128000100). The unified
 * social credit code (统一社会信用代码, GB 32100-2015) is checked by the service, its shape here.
 */
const statements = [
  `CREATE TABLE organization (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     kind text NOT NULL CHECK (kind IN ('PARTY_GOVERNMENT','COMMUNITY_COMMITTEE','PROPERTY_MANAGEMENT',
       'MEDIATION_COMMITTEE','SOCIAL_ORGANIZATION','ENTERPRISE','SCHOOL','HOSPITAL','OTHER')),
     credit_code text CHECK (credit_code ~ '^[0-9A-HJ-NP-RT-UW-Y]{18}$'),
     address text,
     contact_name text,
     contact_phone text,
     employee_count integer CHECK (employee_count >= 0),
     risk_level text NOT NULL DEFAULT 'LOW' CHECK (risk_level IN ('LOW','MEDIUM','HIGH')),
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_distance_m float8,
     grid_resolved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     retired_at timestamptz
   )`,
  `CREATE UNIQUE INDEX organization_credit_code ON organization (credit_code) WHERE credit_code IS NOT NULL`,
  `CREATE INDEX organization_location_gist ON organization USING gist (location)`,
  `CREATE INDEX organization_location_geog ON organization USING gist ((location::geography))`,
  `CREATE INDEX organization_grid ON organization (grid_id, name, id) WHERE retired_at IS NULL`,
  `CREATE TRIGGER organization_grid BEFORE INSERT OR UPDATE OF location ON organization
   FOR EACH ROW EXECUTE FUNCTION located_resolve()`,
  // The grids a property company or a committee looks after (buildings: in the places migration).
  `CREATE TABLE organization_managed_grid (
     organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
     grid_id uuid NOT NULL REFERENCES grid(id),
     PRIMARY KEY (organization_id, grid_id)
   )`,
  `CREATE INDEX organization_managed_grid_grid ON organization_managed_grid (grid_id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS organization_managed_grid');
  await knex.raw('DROP TABLE IF EXISTS organization');
}
