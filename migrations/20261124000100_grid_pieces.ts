import type { Knex } from 'knex';

/**
 * Point lookups against small pieces of the current boundaries (ST_Subdivide), not the boundaries
 * themselves. A district or street outline has thousands of vertices and a bounding box that overlaps
 * everything inside it, so testing a point against it costs far more than against a micro-grid; cut into
 * pieces of at most 64 vertices, every level answers one GiST probe with a few cheap ST_Covers, and one
 * probe finds the covering grids of all levels at once. Kept in step with `grid` by a trigger, so no code
 * path that edits a grid can forget it.
 */
export const PIECE_MAX_VERTICES = 64;

const statements = [
  `CREATE TABLE grid_piece (
     grid_id uuid NOT NULL REFERENCES grid(id) ON DELETE CASCADE,
     level text NOT NULL,
     depth smallint NOT NULL,
     code text NOT NULL,
     piece geometry(Polygon, 4326) NOT NULL
   )`,
  `CREATE INDEX grid_piece_gist ON grid_piece USING gist (piece)`,
  `CREATE INDEX grid_piece_grid ON grid_piece (grid_id)`,
  `CREATE FUNCTION grid_sync_pieces() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       IF NEW.boundary IS NOT DISTINCT FROM OLD.boundary
          AND (NEW.level, NEW.depth, NEW.code, NEW.valid_to IS NULL)
              IS NOT DISTINCT FROM (OLD.level, OLD.depth, OLD.code, OLD.valid_to IS NULL) THEN
         RETURN NEW;
       END IF;
       DELETE FROM grid_piece WHERE grid_id = OLD.id;
     END IF;
     IF NEW.valid_to IS NULL THEN
       INSERT INTO grid_piece (grid_id, level, depth, code, piece)
       SELECT NEW.id, NEW.level, NEW.depth, NEW.code, p
       FROM ST_Subdivide(NEW.boundary, ${PIECE_MAX_VERTICES}) AS p;
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER grid_pieces AFTER INSERT OR UPDATE ON grid FOR EACH ROW EXECUTE FUNCTION grid_sync_pieces()`,
  `INSERT INTO grid_piece (grid_id, level, depth, code, piece)
   SELECT g.id, g.level, g.depth, g.code, p FROM grid g, ST_Subdivide(g.boundary, ${PIECE_MAX_VERTICES}) AS p
   WHERE g.valid_to IS NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS grid_pieces ON grid');
  await knex.raw('DROP FUNCTION IF EXISTS grid_sync_pieces()');
  await knex.raw('DROP TABLE IF EXISTS grid_piece');
}
