import type { Knex } from 'knex';

/** Rows an INSERT writes: few statements, none holding more than a few megabytes of values. */
const ROWS_PER_STATEMENT = 10_000;

type Value = string | number | Buffer | null;

/** The text literal of a text or uuid array column's value (`{a,b}`), as `insertRows` sends arrays. */
export function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * INSERTs of `items` as rows (`toRow`: an object keyed by column, the same keys for all), ROWS_PER_STATEMENT a
 * statement, each column sent as one array (`unnest`): a statement the database parses in no time whatever its
 * size, and statement-level triggers (the population counters) run once per statement. Byte strings travel as
 * hex text, arrays as their text literals (`arrayLiteral`), geometries as EWKT. The next batch's rows (sealing
 * included) are built while the database writes the previous one. `wrap` puts the INSERT into a larger statement (a CTE).
 */
export async function insertRows<T>(
  trx: Knex.Transaction,
  name: string,
  table: string,
  items: readonly T[],
  toRow: (item: T) => Record<string, Value>,
  wrap: (insert: string) => string = (insert) => insert,
): Promise<void> {
  if (items.length === 0) return;
  const columns = Object.keys(toRow(items[0]));
  const { rows: types } = await trx.raw(
    `/* seedColumnTypes */ SELECT a.attname AS name, t.typname AS type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  const typeOf = new Map<string, string>(types.map((t: { name: string; type: string }) => [t.name, t.type]));
  const unknown = columns.filter((c) => !typeOf.has(c));
  if (unknown.length > 0) throw new Error(`${table} has no column ${unknown.join(', ')}`);
  // Byte strings travel as hex text, arrays (type names starting with `_`) as their text literals (`{a,b}`),
  // geometries as EWKT text (a geometry[] literal separates its elements with ':', not ',').
  const travelsAsText = (c: string) => ['bytea', 'geometry'].includes(typeOf.get(c)!) || typeOf.get(c)!.startsWith('_');
  const selected = columns.map((c, i) => {
    const type = typeOf.get(c)!;
    if (type === 'bytea') return `decode(u.c${i}, 'hex')`;
    return type.startsWith('_') ? `u.c${i}::${type.slice(1)}[]` : type === 'geometry' ? `u.c${i}::geometry` : `u.c${i}`;
  });
  const arrays = columns.map((c, i) => `:c${i}::${travelsAsText(c) ? 'text' : typeOf.get(c)}[]`);
  const sql = `/* ${name} */ ${wrap(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${selected.join(', ')}
    FROM unnest(${arrays.join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')})`)}`;
  let writing: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) {
    const batch = items.slice(start, start + ROWS_PER_STATEMENT).map(toRow);
    const bindings: Record<string, (string | number | null)[]> = {};
    columns.forEach((c, i) => {
      bindings[`c${i}`] = batch.map((r) => {
        const v = r[c];
        return Buffer.isBuffer(v) ? v.toString('hex') : v;
      });
    });
    await writing;
    // `then` sends the statement now; it is awaited once the next batch is built.
    writing = trx.raw(sql, bindings).then(() => undefined);
  }
  await writing;
}
