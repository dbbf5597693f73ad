import type { Knex } from 'knex';

/** Grid workers (网格员) and their assignments to grids over time. */
const statements = [
  `CREATE TABLE grid_worker (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     phone text NOT NULL CHECK (phone ~ '^1[3-9][0-9]{9}$'),
     role text NOT NULL CHECK (role IN ('FULL_TIME','PART_TIME','MICRO_GRID_LEADER','DEDICATED_LEAD')),
     status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','ON_LEAVE','LEFT')),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX grid_worker_name ON grid_worker (name)`,
  `CREATE TABLE grid_assignment (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     worker_id uuid NOT NULL REFERENCES grid_worker(id),
     grid_id uuid NOT NULL REFERENCES grid(id),
     is_primary boolean NOT NULL DEFAULT true,
     valid_from timestamptz NOT NULL DEFAULT now(),
     valid_to timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     CHECK (valid_to IS NULL OR valid_to > valid_from)
   )`,
  `CREATE UNIQUE INDEX grid_assignment_current ON grid_assignment (worker_id, grid_id) WHERE valid_to IS NULL`,
  `CREATE INDEX grid_assignment_grid ON grid_assignment (grid_id) WHERE valid_to IS NULL`,
  `CREATE INDEX grid_assignment_worker ON grid_assignment (worker_id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS grid_assignment');
  await knex.raw('DROP TABLE IF EXISTS grid_worker');
}
