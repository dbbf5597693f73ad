import type { Config } from '../../config';
import type { Context } from '../../context';
import { rateLimited } from '../../errors';
import type { IncidentPhotoInput, PositionInput, CoordinateSystem } from '../../generated/graphql';
import { RateLimiter } from '../../limits/rate-limit';
import { Problems, runEdit, validationError, type ValidationErrorSource } from '../../shared/payload';
import { msg } from '../../i18n';
import { assertPermitted } from '../auth/policy';
import { bad } from '../person/group-checks';
import * as checks from './checks';
import type { ReportSource } from './mappers';
import { fileReport, reportPlaceOf } from './report';
import { trackedIncident, type TrackedView } from './public';

/** What a resident gives (the GraphQL input, and Open311's POST mapped onto it). */
export interface ResidentReport {
  category: string;
  title: string;
  description?: string | null;
  location?: PositionInput | null;
  crs?: CoordinateSystem | null;
  buildingId?: string | null;
  keyPlaceId?: string | null;
  address?: string | null;
  name?: string | null;
  phone?: string | null;
  photos?: readonly IncidentPhotoInput[] | null;
}

export type ResidentChannel = 'RESIDENT_QR' | 'OPEN311';

export interface ResidentReceipt {
  __typename: 'ResidentReportSuccess';
  trackingCode: string;
  incident: TrackedView;
}

/** Tracking codes are 12 characters of Crockford's base-32; anything else is not looked up at all. */
const TRACKING_CODE = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/**
 * Residents' own reports and the public lookup by tracking code: the only incident actions anyone may take
 * without an account (`incident:residentReport`, `incident:track`), each within a per-client budget counted
 * whatever the outcome (a refusal or a miss tells a guesser as much as a hit). A report goes through the same
 * checks and `fileReport` as staff reports, with the resident's name and phone checked by the people module's
 * rules and the phone sealed and masked as for any resident reporter.
 */
export class ResidentIncidentService {
  constructor(private readonly ctx: Context) {}

  async report(input: ResidentReport, channel: ResidentChannel = 'RESIDENT_QR', subject: string | null = null): Promise<ResidentReceipt | ValidationErrorSource> {
    // AUTH: anyone, within the client's budget
    assertPermitted(this.ctx.viewer, 'incident:residentReport');
    take(budgets(this.ctx.config).reports, this.ctx.clientKey, (retry) =>
      `too many reports from this client: at most ${this.ctx.config.residents.reportsPerHour} an hour (RESIDENT_REPORTS_PER_HOUR); retry in ${Math.ceil(retry / 60)} minute(s), or call 12345`,
    );
    // VALIDATION of what needs no database
    const problems = new Problems();
    const title = checks.checkTitle(input.title, problems);
    const description = checks.text(input.description, 'description', checks.MAX_DESCRIPTION, problems);
    const address = checks.text(input.address, 'address', checks.MAX_ADDRESS, problems);
    const place = reportPlaceOf(this.ctx, input, problems);
    const photos = checks.checkPhotos(input.photos, problems);
    if (photos.some((p) => 'uploadId' in p)) problems.add(bad('input.photos', msg('incident.residentPhotos')));
    const given = input.name != null || input.phone != null;
    const resident = given ? checks.checkReporter({ name: input.name, phone: input.phone }, problems) : { name: null, phone: null, personId: null };
    if (problems.any || !place || !title || !resident) return validationError(problems);
    const fields = {
      category: input.category,
      title,
      description: description ?? null,
      address: address ?? null,
      severity: 'MEDIUM' as const,
      peopleInvolved: null,
      occurredAt: null,
      place,
      photos,
      parties: [],
    };
    // RESOLUTION
    const filed = await runEdit<ReportSource | ValidationErrorSource>(this.ctx, (trx) =>
      fileReport(this.ctx, trx, fields, channel, { kind: 'resident', resident, subject }),
    );
    if (filed.__typename !== 'ReportIncidentSuccess') return filed;
    const incident = await trackedIncident(this.ctx.db, filed.trackingCode, this.ctx.locale);
    this.ctx.log.info({ trackingCode: filed.trackingCode, channel }, 'resident report filed');
    return { __typename: 'ResidentReportSuccess', trackingCode: filed.trackingCode, incident: incident! };
  }

  /** `incidentByTrackingCode`: the public view, or null (a malformed code is simply not found). */
  async byTrackingCode(code: string): Promise<TrackedView | null> {
    this.assertMayTrack();
    const normalised = code.trim().toUpperCase();
    if (!TRACKING_CODE.test(normalised)) return null;
    return trackedIncident(this.ctx.db, normalised, this.ctx.locale);
  }

  /** Takes one lookup from the client's budget (Open311 takes one per id it is asked for). */
  assertMayTrack(): void {
    assertPermitted(this.ctx.viewer, 'incident:track');
    take(budgets(this.ctx.config).lookups, this.ctx.clientKey, (retry) =>
      `too many tracking-code lookups from this client: at most ${this.ctx.config.residents.trackingLookupsPerMinute} a minute (TRACKING_LOOKUPS_PER_MINUTE); retry in ${retry} s`,
    );
  }
}

function take(limiter: RateLimiter, key: string, message: (retryAfterSeconds: number) => string): void {
  const decision = limiter.take(key);
  if (!decision.ok) throw rateLimited(message(decision.retryAfterSeconds), decision.retryAfterSeconds);
}

const limiters = new WeakMap<Config, { reports: RateLimiter; lookups: RateLimiter }>();

/** The budgets of a configuration (one per process: a server has one configuration). */
function budgets(config: Config): { reports: RateLimiter; lookups: RateLimiter } {
  let found = limiters.get(config);
  if (!found) {
    const { reportsPerHour, trackingLookupsPerMinute } = config.residents;
    found = {
      reports: new RateLimiter(reportsPerHour / 60, Math.max(1, reportsPerHour)),
      lookups: new RateLimiter(trackingLookupsPerMinute, Math.max(1, trackingLookupsPerMinute)),
    };
    limiters.set(config, found);
  }
  return found;
}
