import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CoordinateSystem, IncidentChannel, IncidentSeverity, PositionInput } from '../../generated/graphql';
import { msg } from '../../i18n';
import { Problems, validationError, type ValidationErrorSource } from '../../shared/payload';
import type { Principal } from '../auth/viewer';
import { lockResolution } from '../location/repo';
import { bad } from '../person/group-checks';
import { cipherFor, sealPhone } from '../person/sealing';
import { idOf, type CheckedContact, type CheckedParty, type PhotoInput } from './checks';
import type { CategoryRow, IncidentRow, ReportSource } from './mappers';
import * as repo from './repo';
import { AUTO_ROUTED, initialLevel, placementOf, responsibleWorkers, type ResponsibleWorker } from './routing';
import { slaColumns } from './sla';
import { recordStep } from './timeline';
import { resolvePhotos } from './uploads';

/**
 * Filing a report, whoever files it: staff through `reportIncident` (service.ts), a resident's QR code or an Open311
 * client through resident.ts, each calling `fileReport` with its channel and reporter. It resolves the position to its grid
 * (held still against boundary edits), writes the incident and its first timeline entry, routes it (a grid
 * worker's app and a resident's QR code to the responsible worker at once; everything else to its centre's queue),
 * and finds possible duplicates. Runs in the caller's transaction (runEdit).
 */

/** Where a report is: a position (WGS-84), or a building or key place whose position it takes. */
export type ReportPlace = { point: { lng: number; lat: number } } | { buildingId: string } | { keyPlaceId: string };

/** Where a report says it happened, as staff and residents give it: exactly one of a position (in `crs`), a building or a key place. */
export interface ReportPlaceInput {
  location?: PositionInput | null;
  crs?: CoordinateSystem | null;
  buildingId?: string | null;
  keyPlaceId?: string | null;
}

/** The place of a report, or null with the problem added (no position and no id of the right type). */
export function reportPlaceOf(ctx: Context, input: ReportPlaceInput, problems: Problems): ReportPlace | null {
  const given = [input.location, input.buildingId, input.keyPlaceId].filter((v) => v != null).length;
  if (given !== 1) {
    problems.add(bad('input.location', msg('incident.locationOne')));
    return null;
  }
  if (input.location) {
    const point = ctx.services.location.positionInput(input.location, input.crs, 'input.location', problems);
    return point ? { point } : null;
  }
  if (input.buildingId) {
    const id = idOf(input.buildingId, 'Building', 'input.buildingId', problems);
    return id ? { buildingId: id } : null;
  }
  const id = idOf(input.keyPlaceId!, 'KeyPlace', 'input.keyPlaceId', problems);
  return id ? { keyPlaceId: id } : null;
}

export interface ReportFields {
  category: string;
  title: string;
  description: string | null;
  address: string | null;
  severity: IncidentSeverity;
  peopleInvolved: number | null;
  occurredAt: Date | null;
  place: ReportPlace;
  photos: readonly PhotoInput[];
  parties: readonly CheckedParty[];
}

/**
 * Who reports: a signed-in principal (possibly on behalf of a resident, a hotline caller), or a resident with no
 * account (the QR code, Open311: `subject` names the client, e.g. `open311:<key>`, or is null).
 */
export type Reporter =
  | { kind: 'principal'; principal: Principal; resident: CheckedContact | null }
  | { kind: 'resident'; resident: CheckedContact; subject: string | null };

const MAX_DUPLICATES = 20;
/** The column the reporter's phone is sealed for (its own context: a sealed value does not open elsewhere). */
export const REPORTER_PHONE = 'incident.reporter_phone';
export const PARTY_PHONE = 'incident_party.phone';

export async function fileReport(
  ctx: Context,
  trx: Knex.Transaction,
  fields: ReportFields,
  channel: IncidentChannel,
  reporter: Reporter,
): Promise<ReportSource | ValidationErrorSource> {
  // VALIDATION of what needs the database, every problem in one answer
  const problems = new Problems();
  const category = await activeCategory(trx, fields.category, problems);
  const point = await positionOf(trx, fields.place, problems);
  await checkReferences(trx, fields, reporter, problems);
  const uploader = reporter.kind === 'principal' ? reporter.principal.subject : (reporter.subject ?? 'RESIDENT');
  const photos = await resolvePhotos(trx, fields.photos, uploader, ctx.config.publicUrl, problems);
  if (!point || !category) return validationError(problems);
  const resolution = await lockResolution(trx, point);
  if (!resolution.gridId) {
    problems.add(bad(placeField(fields.place), msg('incident.noCentre', { lng: point.lng, lat: point.lat })));
  }
  if (problems.any || !resolution.gridId) return validationError(problems);
  // RESOLUTION
  const placement = await placementOf(trx, resolution.gridId);
  const at = placement.at;
  const minutes = { assign: category.assign_within_minutes, firstProgress: category.first_progress_within_minutes, resolve: category.resolve_within_minutes };
  const sla = slaColumns([{ action: 'REPORT', at }], minutes);
  const actor = reporter.kind === 'principal' ? reporter.principal.subject : (reporter.subject ?? 'RESIDENT');
  const actorRole = reporter.kind === 'principal' ? (reporter.principal.kind === 'user' ? reporter.principal.role : 'SERVICE') : 'RESIDENT';
  const resident = reporter.resident;
  const cipher = cipherFor(ctx.config);
  const level = initialLevel(placement.gridLevel, placement.centre);
  // Reads first: from its insert to the commit, a report holds rows every report of the day writes (the
  // statistics' and the map's counters), so nothing that need not follow the insert does.
  const responsible = AUTO_ROUTED.includes(channel) ? await responsibleWorkers(trx, resolution.gridId) : [];
  const duplicateIds = await repo.duplicateIdsNear(trx, { ...point, category: category.code, excludeId: null, meters: repo.DUPLICATE_METERS, limit: MAX_DUPLICATES });
  const tracking = trackingCode();
  const reported = await repo.insertIncident(trx, {
    trackingCode: tracking,
    category,
    fields,
    point,
    channel,
    reportedGridId: resolution.gridId,
    reportedGridPath: resolution.ancestorIds,
    centreGridId: placement.centre.id,
    level,
    reporterSubject: reporter.kind === 'principal' ? reporter.principal.subject : reporter.subject,
    reporterRole: actorRole,
    reporterName: resident?.name ?? null,
    reporterPhone: resident?.phone ? sealPhone(cipher, resident.phone, REPORTER_PHONE) : null,
    reporterPersonId: resident?.personId ?? null,
    at,
    sla,
  });
  const id = reported.id;
  const detail = { level, centreGridId: placement.centre.id };
  const { seq } = await repo.insertEvent(trx, { incidentId: id, action: 'REPORT', from: null, to: 'REPORTED', actor, actorRole, note: null, point, detail, at });
  await repo.insertPhotos(trx, id, seq, photos, actor);
  await repo.insertParties(trx, id, fields.parties.map((p) => ({
    role: p.role,
    personId: p.personId,
    organizationId: p.organizationId,
    name: p.name,
    phone: p.phone ? sealPhone(cipher, p.phone, PARTY_PHONE) : null,
  })));
  await repo.insertOutbox(trx, id, seq, [{ kind: 'REPORT', workerIds: [], gridIds: [placement.centre.id, resolution.gridId] }]);
  await routeToWorker(trx, reported, responsible);
  const [incident] = await repo.incidentsByIds(trx, [id]);
  return { __typename: 'ReportIncidentSuccess', incidentId: id, incident, trackingCode: tracking, duplicateIds };
}

/**
 * Accepted and assigned by the system (two entries, actor SYSTEM) to the primary worker of the responsible grid
 * (up the chain to the nearest staffed grid); the other responsible workers are notified. With nobody responsible
 * anywhere up the chain, it stays REPORTED in its centre's queue.
 */
async function routeToWorker(trx: Knex.Transaction, reported: IncidentRow, responsible: readonly ResponsibleWorker[]): Promise<void> {
  const [primary, ...others] = responsible;
  if (!primary) return;
  const system = { actor: 'SYSTEM', actorRole: null };
  await recordStep(trx, reported, { ...system, action: 'ACCEPT', to: 'ACCEPTED' });
  // Accepting changed the status and the bookkeeping columns (version, accepted_at), none of which the next step
  // reads: the row need not be read again.
  const accepted = { ...reported, status: 'ACCEPTED' as const };
  const notified = others.map((w) => w.worker_id);
  await recordStep(
    trx,
    accepted,
    { ...system, action: 'ASSIGN', to: 'ASSIGNED', detail: { assigneeWorkerId: primary.worker_id, notifiedWorkerIds: notified } },
    { assignee_worker_id: primary.worker_id },
    [{ kind: 'NOTIFY', workerIds: notified, gridIds: [] }],
  );
}

async function activeCategory(trx: Knex, code: string, problems: Problems): Promise<CategoryRow | null> {
  const all = await repo.categories(trx);
  const category = all.find((c) => c.code === code.trim());
  if (category?.active) return category;
  const codes = all.filter((c) => c.active).map((c) => c.code);
  problems.add(bad('input.category', msg(category ? 'incident.categoryRetired' : 'incident.categoryUnknown', { code: category ? code : code.slice(0, 64), codes: codes.join(', ') })));
  return null;
}

async function positionOf(trx: Knex, place: ReportPlace, problems: Problems): Promise<{ lng: number; lat: number } | null> {
  if ('point' in place) return place.point;
  const [table, id, field] = 'buildingId' in place ? ['building', place.buildingId, 'buildingId'] : ['key_place', place.keyPlaceId, 'keyPlaceId'];
  const { rows } = await trx.raw(`/* incidentPlacePosition */ SELECT ST_X(location) AS lng, ST_Y(location) AS lat FROM ${table} WHERE id = ? AND retired_at IS NULL`, [id]);
  if (rows[0]) return { lng: rows[0].lng, lat: rows[0].lat };
  problems.add(bad(`input.${field}`, msg('incident.noPlace', { field, building: table === 'building' ? 1 : 0 })));
  return null;
}

const placeField = (place: ReportPlace) => ('point' in place ? 'input.location' : 'buildingId' in place ? 'input.buildingId' : 'input.keyPlaceId');

/** The people and organisations a report names exist (and were not erased). */
async function checkReferences(trx: Knex, fields: ReportFields, reporter: Reporter, problems: Problems): Promise<void> {
  const people = [reporter.resident?.personId ?? null, ...fields.parties.map((p) => p.personId)];
  const organizations = fields.parties.map((p) => p.organizationId);
  // Most reports name nobody registered (a grid worker's photo of a blocked lane): nothing to look up.
  if (![...people, ...organizations].some((id) => id !== null)) return;
  const { rows } = await trx.raw(
    `/* incidentReferences */ SELECT
       ARRAY(SELECT id FROM person WHERE id = ANY(?::uuid[]) AND erased_at IS NULL) AS people,
       ARRAY(SELECT id FROM organization WHERE id = ANY(?::uuid[]) AND retired_at IS NULL) AS organizations`,
    [people.filter((p): p is string => p !== null), organizations.filter((o): o is string => o !== null)],
  );
  const found = new Set<string>([...rows[0].people, ...rows[0].organizations]);
  const missing = (id: string | null) => id !== null && !found.has(id);
  if (missing(people[0])) problems.add(bad('input.reporter.personId', msg('incident.noPerson', { field: 'reporter.personId' })));
  fields.parties.forEach((p, i) => {
    if (missing(p.personId)) problems.add(bad(`input.parties[${i}].personId`, msg('incident.noPerson', { field: `parties[${i}].personId` })));
    if (missing(p.organizationId)) problems.add(bad(`input.parties[${i}].organizationId`, msg('incident.noPartyOrganization', { field: `parties[${i}].organizationId` })));
  });
}

/** Crockford's base-32 (no I, L, O, U): read aloud over the phone without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 12 characters, 60 random bits: short enough to type, far too many to guess. */
export function trackingCode(): string {
  return [...randomBytes(12)].map((b) => ALPHABET[b & 31]).join('');
}
