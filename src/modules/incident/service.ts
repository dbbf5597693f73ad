import { GraphQLError } from 'graphql';
import type { Context } from '../../context';
import type { IncidentFilter, ReportIncidentInput } from '../../generated/graphql';
import { badInput, forbidden } from '../../errors';
import { decodeCursor, encodeCursor, expectGlobalId, pageSize, UUID } from '../../graphql/relay';
import { Problems, runEdit, validationError } from '../../shared/payload';
import { msg } from '../../i18n';
import { assertPermitted, assertPrincipal, mayReadIncident } from '../auth/policy';
import type { GridRow } from '../grid/mappers';
import { label } from '../grid/edit-service';
import type { PersonRow } from '../person/mappers';
import { bad } from '../person/group-checks';
import * as checks from './checks';
import { allowedSteps, type Step } from './lifecycle';
import type { IncidentPage, IncidentRow, ReportSource } from './mappers';
import { fileReport, reportPlaceOf } from './report';
import { countIncidents, pageOfIncidents, type IncidentListFilter, type Order } from './repo-list';
import { slaAt, type Sla } from './sla';
import { minutesOf } from './timeline';

type Args = { first?: number | null; after?: string | null };

/** An incident as messages name it: `incident K7Q2M9X4TB3P (楼道堆放杂物)`. */
export const incidentLabel = (row: Pick<IncidentRow, 'tracking_code' | 'title'>) => `incident ${row.tracking_code} (${row.title})`;

/**
 * Reading incidents, and staff reports. Who may read one is the policy's (`mayReadIncident`: staff whose
 * jurisdiction covers its responsible grid, the grid it was reported in or its centre; its assignee); a list
 * without a grid is the caller's jurisdiction plus their assignments. Lifecycle steps are in steps.ts.
 */
export class IncidentService {
  constructor(private readonly ctx: Context) {}

  private get loaders() {
    return this.ctx.loaders.incident;
  }

  /** The incident, when the caller may read it (FORBIDDEN otherwise); null when there is none. */
  async byId(id: string): Promise<IncidentRow | null> {
    assertPermitted(this.ctx.viewer, 'incident:read');
    const row = await this.loaders.byId.load(id);
    if (!row) return null;
    if (!mayReadIncident(this.ctx.viewer, row)) throw forbidden(msg('incident.outside', { incident: incidentLabel(row) }));
    return row;
  }

  get(globalId: string): Promise<IncidentRow | null> {
    assertPermitted(this.ctx.viewer, 'incident:read');
    return this.byId(expectGlobalId(globalId, 'Incident', 'id'));
  }

  /** `reportIncident` (staff). Residents and Open311 clients go through resident.ts to the same `fileReport`. */
  async report(input: ReportIncidentInput) {
    // AUTH
    const principal = assertPermitted(this.ctx.viewer, 'incident:report')!;
    // VALIDATION of what needs no database
    const problems = new Problems();
    const title = checks.checkTitle(input.title, problems);
    const description = checks.text(input.description, 'description', checks.MAX_DESCRIPTION, problems);
    const address = checks.text(input.address, 'address', checks.MAX_ADDRESS, problems);
    const place = reportPlaceOf(this.ctx, input, problems);
    const fields = {
      category: input.category,
      title: title ?? '',
      description: description ?? null,
      address: address ?? null,
      severity: input.severity ?? 'MEDIUM',
      peopleInvolved: checks.checkPeopleInvolved(input.peopleInvolved, problems),
      occurredAt: checks.checkPast(input.occurredAt, 'occurredAt', problems),
      photos: checks.checkPhotos(input.photos, problems),
      parties: checks.checkParties(input.parties, problems),
    };
    const resident = checks.checkReporter(input.reporter, problems);
    if (input.channel === 'OPEN311') problems.add(bad('input.channel', msg('incident.open311Channel')));
    if (problems.any || !place) return validationError(problems);
    // RESOLUTION
    return runEdit<ReportSource | ReturnType<typeof validationError>>(this.ctx, (trx) =>
      fileReport(this.ctx, trx, { ...fields, place }, input.channel, { kind: 'principal', principal, resident }),
    );
  }

  /** `incidents(filter:)`: a grid's subtree within the caller's reach, or everything they may read. */
  async list(filter: IncidentFilter | null | undefined, args: Args): Promise<IncidentPage> {
    const principal = assertPermitted(this.ctx.viewer, 'incident:read')!;
    const grid = await this.ctx.services.location.gridOf(filter?.gridId, filter?.gridCode, 'filter');
    const f = await this.filterOf(filter);
    if (grid) {
      assertPrincipal(this.ctx.viewer, 'incident:read', grid, label(grid));
      return this.page({ ...f, subtreeOf: grid.id }, 'newest', args);
    }
    if (principal.jurisdictionCode === null) return this.page(f, 'newest', args);
    const root = await this.ctx.loaders.grid.byCode.load(principal.jurisdictionCode);
    return this.page({ ...f, visibleTo: { rootId: root?.id ?? null, workerId: await this.viewerWorkerId() } }, 'newest', args);
  }

  /** `Grid.incidents`: its subtree, for callers who may read incidents there. */
  async ofGrid(grid: GridRow, filter: IncidentFilter | null | undefined, args: Args): Promise<IncidentPage> {
    assertPermitted(this.ctx.viewer, 'incident:read');
    if (filter?.gridId || filter?.gridCode) throw badInput(msg('incident.gridOnce', { code: grid.code }), 'filter.gridId');
    assertPrincipal(this.ctx.viewer, 'incident:read', grid, label(grid));
    return this.page({ ...(await this.filterOf(filter)), subtreeOf: grid.id }, 'newest', args);
  }

  /** `Grid.incidentQueue`: what the centre owns and must dispatch, oldest first (its dispatchers' screen). */
  async queue(grid: GridRow, args: Args): Promise<IncidentPage> {
    assertPrincipal(this.ctx.viewer, 'incident:dispatch', grid, label(grid));
    return this.page({ centreId: grid.id, awaitingDispatch: true }, 'oldest', args);
  }

  private async filterOf(filter: IncidentFilter | null | undefined): Promise<IncidentListFilter> {
    const f = filter ?? {};
    let assigneeWorkerId: string | null = null;
    if (f.assignedToMe) {
      assigneeWorkerId = await this.viewerWorkerId();
      if (!assigneeWorkerId) throw badInput(msg('incident.notAWorker'), 'filter.assignedToMe');
    }
    const categories = f.category?.map((c) => c.trim()).filter((c) => c.length > 0 && c.length <= 64) ?? null;
    return {
      centreId: f.centreId ? expectGlobalId(f.centreId, 'Grid', 'filter.centreId') : null,
      statuses: f.status,
      categories,
      channels: f.channel,
      slaStatuses: f.slaStatus,
      assigneeWorkerId,
      awaitingDispatch: f.awaitingDispatch ?? false,
      open: f.open ?? false,
    };
  }

  private async viewerWorkerId(): Promise<string | null> {
    return (await this.ctx.services.worker.ofViewer())?.id ?? null;
  }

  private async page(f: IncidentListFilter, order: Order, args: Args): Promise<IncidentPage> {
    const limit = pageSize(args.first);
    const after = args.after ? decodeCursor(args.after, 1)[0] : null;
    if (after !== null && (typeof after !== 'string' || !UUID.test(after))) throw badInput(msg('incident.cursor'), 'after');
    const rows = await pageOfIncidents(this.ctx.db, f, order, after, limit + 1);
    for (const row of rows) this.loaders.byId.prime(row.id, row);
    let total: Promise<number> | undefined;
    return {
      rows: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      totalCount: () => (total ??= countIncidents(this.ctx.db, f)),
      cursorOf: (row) => encodeCursor([row.id]),
    };
  }

  // ---- fields ----

  async category(row: IncidentRow) {
    const all = await this.loaders.categories.load('all');
    const found = all.find((c) => c.code === row.category_code);
    if (!found) throw new Error(`incident ${row.id} has category ${row.category_code}, which the dictionary lacks`);
    return found;
  }

  allowedActions(row: IncidentRow): Step[] {
    return allowedSteps(row.status);
  }

  async sla(row: IncidentRow, at: Date | null | undefined): Promise<Sla> {
    const events = await this.loaders.events.load(row.id);
    return slaAt(events, minutesOf(row), at ?? new Date());
  }

  timeline(row: IncidentRow) {
    return this.loaders.events.load(row.id);
  }

  photos(row: IncidentRow) {
    return this.loaders.photos.load(row.id);
  }

  parties(row: IncidentRow) {
    return this.loaders.parties.load(row.id);
  }

  async mediation(row: IncidentRow) {
    return this.loaders.mediation.load(row.id);
  }

  sessions(incidentId: string) {
    return this.loaders.sessions.load(incidentId);
  }

  /** Open incidents of the same category within 250 m that the caller may read. */
  async duplicates(row: IncidentRow): Promise<IncidentRow[]> {
    return this.readable(await this.loaders.duplicates.load(row));
  }

  /** The incidents of these ids the caller may read, in order (the others are left out, not refused). */
  async readable(ids: readonly string[]): Promise<IncidentRow[]> {
    const rows = await this.loaders.byId.loadMany(ids);
    return rows.filter((r): r is IncidentRow => r !== null && !(r instanceof Error) && mayReadIncident(this.ctx.viewer, r));
  }

  /** A related incident (the one it was merged into) when the caller may read it. */
  async related(id: string | null | undefined): Promise<IncidentRow | null> {
    return id ? ((await this.readable([id]))[0] ?? null) : null;
  }

  /** A person named by an incident, when the people policy lets the caller read them; null otherwise. */
  async person(id: string | null): Promise<PersonRow | null> {
    if (!id) return null;
    try {
      return await this.ctx.services.person.byId(id);
    } catch (err) {
      if (err instanceof GraphQLError && err.extensions.code === 'FORBIDDEN') return null;
      throw err;
    }
  }
}
