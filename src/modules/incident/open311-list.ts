import type { Context } from '../../context';
import { msg, type Msg } from '../../i18n';
import type { IncidentListFilter } from './repo-list';
import { pageOfIncidents } from './repo-list';
import { asOpen311, assertMayList, byIds, type Open311Request } from './open311';
import { Open311Error } from './open311-error';
import { trackedIncidents } from './public';

/** The spec's default window and its cap on results (newest first); paging is by narrowing the dates. */
const DEFAULT_DAYS = 90;
const MAX_RESULTS = 1000;
const MAX_IDS = 50;

/**
 * GET requests.json. With `service_request_id` (comma-separated tracking codes): anyone, one tracking lookup from
 * the client's budget each, the other filters ignored as the spec says. Otherwise staff who read incidents, within
 * their jurisdiction (and a worker's assignments): `service_code` (comma-separated), `start_date` and `end_date`
 * (ISO 8601 with a zone; default the last 90 days), `status` (open, closed or both), at most 1,000 newest first.
 */
export async function open311List(ctx: Context, params: URLSearchParams): Promise<Open311Request[]> {
  const ids = params.get('service_request_id');
  if (ids !== null) {
    const list = ids.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length > MAX_IDS) throw new Open311Error(400, [msg('open311.tooManyIds', { count: list.length, max: MAX_IDS })]);
    return byIds(ctx, list);
  }
  const principal = assertMayList(ctx);
  const problems: Msg[] = [];
  const end = dateParam(params, 'end_date', problems) ?? new Date();
  const start = dateParam(params, 'start_date', problems) ?? new Date(end.getTime() - DEFAULT_DAYS * 86_400_000);
  if (start > end) problems.push(msg('open311.startAfterEnd', { start: start.toISOString(), end: end.toISOString() }));
  const statuses = (params.get('status') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = statuses.filter((s) => s !== 'open' && s !== 'closed');
  if (unknown.length) problems.push(msg('open311.status', { got: unknown.join(',').slice(0, 40) }));
  if (problems.length) throw new Open311Error(400, problems);
  const codes = (params.get('service_code') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0 && s.length <= 64);
  const filter: IncidentListFilter = {
    categories: codes.length ? codes : null,
    reportedFrom: start,
    reportedBefore: new Date(end.getTime() + 1),
    open: statuses.length === 1 && statuses[0] === 'open',
    closed: statuses.length === 1 && statuses[0] === 'closed',
  };
  if (principal.jurisdictionCode !== null) {
    const root = await ctx.loaders.grid.byCode.load(principal.jurisdictionCode);
    const worker = await ctx.services.worker.ofViewer();
    filter.visibleTo = { rootId: root?.id ?? null, workerId: worker?.id ?? null };
  }
  const rows = await pageOfIncidents(ctx.db, filter, 'newest', null, MAX_RESULTS);
  return (await trackedIncidents(ctx.db, rows.map((r) => r.id), ctx.locale)).map(asOpen311);
}

/** A w3c datetime with its zone, as the spec requires. */
function dateParam(params: URLSearchParams, name: string, problems: Msg[]): Date | null {
  const value = params.get(name);
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(date.getTime())) {
    problems.push(msg('open311.date', { name, got: text.slice(0, 40) }));
    return null;
  }
  return date;
}
