/**
 * Query options that make the pg driver use a named prepared statement: parsed and planned once per
 * connection, then only executed. For hot statements whose planning costs as much as running them.
 * The name must always go with the same SQL text. The embedded database ignores it.
 */
export function prepared(name: string): { name: string } {
  return { name };
}
