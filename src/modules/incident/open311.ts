import { GraphQLError } from 'graphql';
import type { Context } from '../../context';
import { HttpError, sendJson } from '../../http/answer';
import { msg, text } from '../../i18n';
import { assertPermitted } from '../auth/policy';
import { RouteError, type RouteRequest } from '../module';
import type { CategoryRow } from './mappers';
import { trackedIncidents, type TrackedView } from './public';
import * as repo from './repo';
import { Open311Error } from './open311-error';
import { open311Report, readForm } from './open311-post';
import { open311List } from './open311-list';

/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at `/open311/v2/`, JSON only (`.json`; `.xml` is
 * refused with the spec's error format): `services.json` (the active categories: service_code = category code),
 * `requests.json` (GET: by `service_request_id`, anyone, one tracking lookup each; otherwise staff who read
 * incidents, with the standard filters; POST: a resident's report, through the same checks, channel OPEN311 and
 * rate limit as `reportIncidentAsResident`), `requests/<id>.json` and `tokens/<token>.json`. A request's
 * `service_request_id` is its tracking code; its public view (public.ts) is all any of these answers show.
 * Errors are `[{ "code": <HTTP status>, "description": "..." }]` with that HTTP status.
 */
const PREFIX = '/open311/v2/';

export async function open311Route(request: RouteRequest): Promise<void> {
  try {
    const answer = await route(request);
    sendJson(request.res, 200, answer);
  } catch (err) {
    const failure = open311Failure(err, request);
    if (!failure) throw err;
    if (failure.retryAfterSeconds) request.res.setHeader('retry-after', String(failure.retryAfterSeconds));
    sendJson(request.res, failure.status, failure.descriptions.map((description) => ({ code: failure.status, description })));
  }
}

async function route(request: RouteRequest): Promise<unknown> {
  const rest = request.url.pathname.slice(PREFIX.length);
  const format = /\.(\w+)$/.exec(rest)?.[1];
  if (format && format !== 'json') throw new Open311Error(400, [msg('open311.format', { format: format.slice(0, 10), json: rest.replace(/\.\w+$/, '.json').slice(0, 100) })]);
  const ctx = request.context();
  if (request.method === 'POST') {
    if (rest !== 'requests.json') throw new Open311Error(404, [msg('open311.postOnly', { path: `${PREFIX}${rest.slice(0, 100)}` })]);
    return open311Report(ctx, await readForm(request));
  }
  if (rest === 'services.json') return services(ctx);
  if (rest === 'requests.json') return open311List(ctx, request.url.searchParams);
  const one = /^requests\/([^/]+)\.json$/.exec(rest);
  if (one) return byIds(ctx, [one[1]]);
  const token = /^tokens\/([^/]+)\.json$/.exec(rest);
  if (token) return (await byIds(ctx, [token[1]])).map((r) => ({ service_request_id: r.service_request_id, token: r.service_request_id }));
  throw new Open311Error(404, [msg('open311.noResource', { path: `${PREFIX}${rest.slice(0, 100)}` })]);
}

/** `services.json`: the active categories, in display order. */
async function services(ctx: Context): Promise<unknown[]> {
  const categories = (await repo.categories(ctx.db)).filter((c) => c.active);
  const byCode = new Map(categories.map((c) => [c.code, c]));
  return categories.map((c) => ({
    service_code: c.code,
    service_name: c.name,
    description: `${c.name} — ${hours(c.resolve_within_minutes)}`,
    metadata: false,
    type: 'realtime',
    keywords: [c.is_dispute ? '矛盾纠纷' : null, c.parent_code ? byCode.get(c.parent_code)?.name : null].filter((k): k is string => !!k).join(','),
    group: c.is_dispute ? '矛盾纠纷' : (c.parent_code ? (byCode.get(c.parent_code)?.name ?? '') : '其他事项'),
  }));
}

const hours = (minutes: number) => (minutes % 1440 === 0 ? `${minutes / 1440} 天内办结` : `${Math.round(minutes / 60)} 小时内办结`);

/** Requests by service_request_id (tracking codes): one lookup from the client's budget each; unknown ids are left out. */
export async function byIds(ctx: Context, ids: readonly string[]): Promise<Open311Request[]> {
  const codes: string[] = [];
  for (const id of ids) {
    ctx.services.residentIncident.assertMayTrack();
    const code = id.trim().toUpperCase();
    if (/^[0-9A-HJKMNP-TV-Z]{12}$/.test(code)) codes.push(code);
  }
  if (codes.length === 0) return [];
  const { rows } = await ctx.db.raw('/* incidentIdsByTrackingCodes */ SELECT id FROM incident WHERE tracking_code = ANY(?::text[])', [codes]);
  return (await trackedIncidents(ctx.db, rows.map((r: { id: string }) => r.id), ctx.locale)).map(asOpen311);
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number;
  long: number;
  media_url: string | null;
}

/** A request as GeoReport v2 lists it, from the public view only (no reporter, no address, no photos). */
export function asOpen311(t: TrackedView): Open311Request {
  const last = t.updates.at(-1);
  const category: CategoryRow = t.category;
  return {
    service_request_id: t.trackingCode,
    status: t.open ? 'open' : 'closed',
    status_notes: last ? [last.summary, last.note].filter((s): s is string => !!s).join(': ') : null,
    service_name: category.name,
    service_code: category.code,
    description: t.title,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: t.reportedAt.toISOString(),
    updated_datetime: t.updatedAt.toISOString(),
    expected_datetime: t.expectedAt?.toISOString() ?? null,
    address: null,
    address_id: null,
    zipcode: null,
    lat: t.lat,
    long: t.lng,
    media_url: null,
  };
}

/** Staff reads need `incident:read`; anonymous callers are told to ask by service_request_id. */
export function assertMayList(ctx: Context) {
  if (ctx.viewer.kind === 'anonymous') {
    throw new Open311Error(403, [msg('open311.staffOnly')]);
  }
  return assertPermitted(ctx.viewer, 'incident:read')!;
}

function open311Failure(err: unknown, request: RouteRequest): { status: number; descriptions: readonly string[]; retryAfterSeconds?: number } | null {
  if (err instanceof Open311Error) return { status: err.status, descriptions: err.descriptions.map((d) => text(d, request.locale)) };
  const http = err instanceof GraphQLError ? HttpError.from(err) : err instanceof RouteError ? new HttpError(err.status, err.localized ?? err.message, err.code) : null;
  if (!http) return null;
  return { status: http.status, descriptions: [http.text(request.locale)], retryAfterSeconds: http.retryAfterSeconds };
}
