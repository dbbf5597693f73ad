import type { Knex } from 'knex';

/**
 * Bindings for `knex.raw`. knex's types reject arrays holding nulls (a `uuid[]` of optional parents, say),
 * which node-postgres binds as SQL arrays with NULL elements just fine.
 */
export function bind(...values: unknown[]): Knex.RawBinding[] {
  return values as Knex.RawBinding[];
}
