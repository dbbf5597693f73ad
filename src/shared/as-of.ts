import { msg } from '../i18n';
import { RouteError } from '../modules/module';
import { parseInstant } from './time';

/**
 * An as-of instant given in a query string — `asOf=` on /tiles, /resolve and /export, `datetime=` on OGC items —
 * read one way with one message naming the parameter (400, BAD_USER_INPUT). Null when absent or empty. GraphQL's
 * `asOf` arguments are DateTime scalars, read by the same `parseInstant` and refused with the same problem text.
 */
export function asOfParam(params: URLSearchParams, name: string): Date | null {
  const text = params.get(name);
  if (text === null || text === '') return null;
  const parsed = parseInstant(text);
  if (parsed instanceof Date) return parsed;
  throw new RouteError(400, msg('time.asOf', { param: name, problem: parsed.issue, got: text.slice(0, 40) }), 'BAD_USER_INPUT', name);
}
