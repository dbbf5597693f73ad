import type { Context } from '../../context';
import { msg, type Msg } from '../../i18n';
import type { ProblemRow } from '../../shared/payload';
import type { RouteRequest } from '../module';
import { Open311Error } from './open311-error';
import type { ResidentReport } from './resident';

/** Largest POST body taken (a report's fields; photos come as media_url). */
const MAX_FORM_BYTES = 64 * 1024;

/** Open311 parameter names of the resident input's fields, for error descriptions. */
const PARAMETER: Record<string, string> = {
  'input.category': 'service_code',
  'input.location': 'lat/long',
  'input.location.lng': 'long',
  'input.location.lat': 'lat',
  'input.title': 'description',
  'input.description': 'description',
  'input.address': 'address_string',
  'input.reporter': 'first_name/last_name/phone',
  'input.reporter.name': 'first_name/last_name',
  'input.reporter.phone': 'phone',
  'input.photos': 'media_url',
};

/** The POST's parameters: form-encoded as the spec says, or a JSON object of the same names. */
export async function readForm(request: RouteRequest): Promise<Map<string, string>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const json = type === 'application/json';
  if (!json && type !== 'application/x-www-form-urlencoded') {
    throw new Open311Error(415, [msg('open311.contentType', { got: type.slice(0, 60) })]);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request.body(MAX_FORM_BYTES, 'the Open311 form limit of 64 KiB')) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!json) return new Map(new URLSearchParams(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Open311Error(400, [msg('open311.notJson')]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Open311Error(400, [msg('open311.notObject')]);
  const form = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number') form.set(key, String(value));
  }
  return form;
}

/** POST requests.json: a resident's report through `reportIncidentAsResident`'s path, channel OPEN311. */
export async function open311Report(ctx: Context, form: Map<string, string>): Promise<unknown[]> {
  const input = reportOf(form);
  const subject = ctx.viewer.kind === 'service' ? `apikey:${ctx.viewer.name}` : null;
  const result = await ctx.services.residentIncident.report(input, 'OPEN311', subject);
  if (result.__typename === 'ValidationError') throw new Open311Error(400, result.problems.map(describe));
  return [
    {
      service_request_id: result.trackingCode,
      token: result.trackingCode,
      service_notice: `请保存查询码 ${result.trackingCode}，凭码查询办理进度 (keep tracking code ${result.trackingCode} to follow the request)`,
      account_id: null,
    },
  ];
}

function reportOf(form: Map<string, string>): ResidentReport {
  const get = (key: string) => {
    const value = form.get(key)?.trim();
    return value ? value : null;
  };
  const missing: Msg[] = [];
  const serviceCode = get('service_code');
  if (!serviceCode) missing.push(msg('open311.serviceCode'));
  const lat = get('lat');
  const long = get('long');
  if (lat === null || long === null) {
    missing.push(msg(get('address_string') || get('address_id') ? 'open311.positionOnly' : 'open311.position'));
  }
  if (missing.length) throw new Open311Error(400, missing);
  const description = get('description');
  const mediaUrl = get('media_url');
  return {
    category: serviceCode!,
    title: titleOf(description, serviceCode!),
    description,
    location: { lng: Number(long), lat: Number(lat) },
    crs: 'WGS84',
    address: get('address_string'),
    name: nameOf(get('first_name'), get('last_name')),
    phone: get('phone'),
    photos: mediaUrl ? [{ url: mediaUrl, contentType: imageType(mediaUrl) }] : null,
  };
}

/** Open311 has no title: the description's first line, cut to 60 characters, else the service code. */
function titleOf(description: string | null, serviceCode: string): string {
  const line = description?.split(/\r?\n/)[0].trim() ?? '';
  const chars = [...line];
  return chars.length === 0 ? serviceCode : chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : line;
}

/** 张 + 三 → 张三 (Chinese: family name first, no space); John + Smith → John Smith. */
function nameOf(first: string | null, last: string | null): string | null {
  if (!first && !last) return null;
  const han = /\p{Script=Han}/u.test(`${first ?? ''}${last ?? ''}`);
  return han ? `${last ?? ''}${first ?? ''}` : [first, last].filter(Boolean).join(' ');
}

/** The image type a media_url names by its extension (JPEG when it says none). */
function imageType(url: string): string {
  const ext = /\.(\w+)(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase();
  return ext === 'png' ? 'image/png' : ext === 'webp' ? 'image/webp' : ext === 'heic' ? 'image/heic' : 'image/jpeg';
}

function describe(problem: ProblemRow): Msg {
  const field = problem.field ?? '';
  const parameter = PARAMETER[field] ?? PARAMETER[field.replace(/\[\d+\].*$/, '')] ?? field.replace(/^input\./, '');
  return msg('open311.parameter', { parameter, detail: problem.msg ?? problem.message });
}
