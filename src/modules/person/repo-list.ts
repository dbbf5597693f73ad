import type { Knex } from 'knex';
import type { PersonStatus, PersonTag, ResidenceType } from '../../generated/graphql';
import { subtreeGridIds } from '../location/repo';
import type { PersonRow } from './mappers';
import { PERSON_COLUMNS, PERSON_FROM } from './repo';

/**
 * Lists of people: a grid's subtree (the grid of each person's house's building), and the filters of
 * `PersonFilter`, in keyset pages ordered by building code, unit, room and id: the order a grid worker walks
 * their buildings in.
 */
export interface PersonListFilter {
  /** People whose building lies in this grid or below it. */
  subtreeOf: string | null;
  /** People of one house. */
  houseId?: string | null;
  nameContains: string | null;
  idNumberIndex: Buffer | null;
  phoneIndex: Buffer | null;
  residenceTypes: ResidenceType[] | null;
  tags: PersonTag[] | null;
  /** Born on or before (age at least), after (age at most): YYYY-MM-DD. */
  bornOnOrBefore: string | null;
  bornAfter: string | null;
  statuses: PersonStatus[];
}

/** The position of a row in the list's order. */
export type PersonKey = [code: string, unit: number, room: string, id: string];

export const personKeyOf = (row: PersonRow & { order_code?: string; order_unit?: number; order_room?: string }): PersonKey => [
  row.order_code ?? '',
  row.order_unit ?? 0,
  row.order_room ?? '',
  row.id,
];

function where(f: PersonListFilter): { sql: string; bindings: Knex.Value[] } {
  const parts: string[] = ['p.status = ANY(?::text[])'];
  const bindings: Knex.Value[] = [f.statuses];
  if (f.subtreeOf) {
    parts.push(`b.grid_id IN (${subtreeGridIds('?::uuid')})`);
    bindings.push(f.subtreeOf, f.subtreeOf);
  }
  if (f.houseId) {
    parts.push('p.house_id = ?');
    bindings.push(f.houseId);
  }
  if (f.nameContains) {
    parts.push(`p.name ILIKE '%' || ? || '%'`);
    bindings.push(f.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`));
  }
  if (f.idNumberIndex) {
    parts.push('p.id_number_index = ?');
    bindings.push(f.idNumberIndex);
  }
  if (f.phoneIndex) {
    parts.push('p.phone_index = ?');
    bindings.push(f.phoneIndex);
  }
  if (f.residenceTypes) {
    parts.push('p.residence_type = ANY(?::text[])');
    bindings.push(f.residenceTypes);
  }
  if (f.tags) {
    parts.push(`EXISTS (SELECT 1 FROM person_tag pt WHERE pt.person_id = p.id AND pt.removed_at IS NULL AND pt.tag = ANY(?::text[]))`);
    bindings.push(f.tags);
  }
  // An erased stub keeps its birth year only: counted as born mid-year.
  const born = `coalesce(p.birth_date, make_date(p.birth_year, 7, 1))`;
  if (f.bornOnOrBefore) {
    parts.push(`${born} <= ?::date`);
    bindings.push(f.bornOnOrBefore);
  }
  if (f.bornAfter) {
    parts.push(`${born} > ?::date`);
    bindings.push(f.bornAfter);
  }
  return { sql: parts.join(' AND '), bindings };
}

const ORDER = `b.code, coalesce(h.unit, 0), h.room, p.id`;

/** One page after `after` (exclusive), `limit` rows at most (the caller asks one more to know if a page follows). */
export async function pageOfPeople(db: Knex, f: PersonListFilter, after: PersonKey | null, limit: number): Promise<PersonRow[]> {
  const w = where(f);
  const cursor = after ? ` AND (${ORDER}) > (?, ?, ?, ?::uuid)` : '';
  const { rows } = await db.raw(
    `/* pageOfPeople */ SELECT ${PERSON_COLUMNS}, b.code AS order_code, coalesce(h.unit, 0) AS order_unit, h.room AS order_room
     FROM ${PERSON_FROM} WHERE ${w.sql}${cursor} ORDER BY ${ORDER} LIMIT ?`,
    [...w.bindings, ...(after ?? []), limit],
  );
  return rows;
}

export async function countPeople(db: Knex, f: PersonListFilter): Promise<number> {
  const w = where(f);
  const { rows } = await db.raw(`/* countPeople */ SELECT count(*)::int AS n FROM ${PERSON_FROM} WHERE ${w.sql}`, w.bindings);
  return rows[0].n;
}

/** Members of households (living ones, or everyone with `all`), heads first. */
export async function membersOfHouseholds(db: Knex, householdIds: readonly string[], all: boolean): Promise<PersonRow[]> {
  if (householdIds.length === 0) return [];
  const { rows } = await db.raw(
    `/* membersOfHouseholds */ SELECT ${PERSON_COLUMNS} FROM ${PERSON_FROM}
     WHERE p.household_id = ANY(?::uuid[]) ${all ? '' : `AND p.status = 'LIVING_HERE'`}
     ORDER BY p.household_id, (p.relation_to_head = 'HEAD') DESC NULLS LAST, p.birth_year, p.id`,
    [[...householdIds]],
  );
  return rows;
}

/** Owners of houses. */
export async function ownersOfHouses(db: Knex, houseIds: readonly string[]): Promise<(PersonRow & { owned_house_id: string })[]> {
  if (houseIds.length === 0) return [];
  const { rows } = await db.raw(
    `/* ownersOfHouses */ SELECT ${PERSON_COLUMNS}, o.house_id AS owned_house_id FROM house_owner o JOIN ${PERSON_FROM} ON p.id = o.person_id
     WHERE o.house_id = ANY(?::uuid[]) ORDER BY o.house_id, p.id`,
    [[...houseIds]],
  );
  return rows;
}

/** Houses a person owns (current ones). */
export async function housesOwnedBy(db: Knex, personId: string): Promise<string[]> {
  const { rows } = await db.raw(
    `/* housesOwnedBy */ SELECT o.house_id FROM house_owner o JOIN house h ON h.id = o.house_id WHERE o.person_id = ? AND h.retired_at IS NULL ORDER BY o.created_at`,
    [personId],
  );
  return rows.map((r: { house_id: string }) => r.house_id);
}

export async function residencesOf(db: Knex, personId: string): Promise<{ house_id: string; moved_in_on: string | null; moved_out_on: string | null }[]> {
  const { rows } = await db.raw(
    `/* residencesOf */ SELECT house_id, moved_in_on::text AS moved_in_on, moved_out_on::text AS moved_out_on
     FROM person_residence WHERE person_id = ? ORDER BY created_at DESC, id`,
    [personId],
  );
  return rows;
}
