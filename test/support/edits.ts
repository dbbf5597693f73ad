import type { Knex } from 'knex';
import type { Viewer } from '../../src/modules/auth/viewer';
import { execute, ok } from './graphql';

/** The payload fields every edit test reads, for any of the grid mutations. */
export const PAYLOAD_FIELDS = /* GraphQL */ `
  __typename
  ... on ValidationError { message problems { code message field location { lng lat } polygon ring vertex areaSqm grids { code } } }
  ... on NotFoundError { message id }
`;
const CONFLICT_FIELDS = `... on ConflictError { message currentVersion changedBy changedAt grid { code version } }`;

export type Payload = {
  __typename: string;
  message?: string;
  problems?: {
    code: string;
    message: string;
    field: string | null;
    location: { lng: number; lat: number } | null;
    polygon: number | null;
    ring: number | null;
    vertex: number | null;
    areaSqm: number | null;
    grids: { code: string }[];
  }[];
  [key: string]: any;
};

/** Runs a grid mutation and returns its payload (GraphQL errors fail the test, with their text). */
export async function mutate(db: Knex, mutation: string, input: object, viewer: Viewer, selection = ''): Promise<Payload> {
  // createGrid cannot conflict (there is no version yet); every other edit can.
  const conflict = mutation === 'createGrid' || mutation === 'importGrids' ? '' : CONFLICT_FIELDS;
  const query = `mutation($input: ${inputType(mutation)}!) { ${mutation}(input: $input) { ${PAYLOAD_FIELDS} ${conflict} ${selection} } }`;
  const data = ok(await execute(db, query, { input }, { viewer }));
  return data[mutation];
}

function inputType(mutation: string): string {
  return mutation === 'mergeGrids' ? 'MergeGridsInput' : `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
}

/**
 * Everything about the grid tables a refused edit must leave untouched: compared before and after to prove
 * "nothing was written".
 */
export async function snapshot(db: Knex): Promise<string> {
  const { rows } = await db.raw(`SELECT
    (SELECT md5(string_agg(id::text || version || code || name || coalesce(valid_to::text, '') || md5(ST_AsEWKB(boundary)::text), ',' ORDER BY id)) FROM grid) AS grids,
    (SELECT md5(string_agg(grid_id::text || version || coalesce(valid_to::text, ''), ',' ORDER BY grid_id, version)) FROM grid_version) AS versions,
    (SELECT count(*) FROM grid_piece) AS pieces,
    (SELECT md5(string_agg(id::text || coalesce(grid_id::text, '') || coalesce(grid_distance_m::text, ''), ',' ORDER BY id)) FROM
      (SELECT id, grid_id, grid_distance_m FROM building UNION ALL SELECT id, grid_id, grid_distance_m FROM key_place
       UNION ALL SELECT id, grid_id, grid_distance_m FROM facility UNION ALL SELECT id, grid_id, grid_distance_m FROM organization) r) AS located`);
  return JSON.stringify(rows[0]);
}
