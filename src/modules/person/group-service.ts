import type { Knex } from 'knex';
import type { Context } from '../../context';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import type {
  LogVisitInput,
  PersonTag,
  QueryExpiringPermitsArgs,
  QueryOverdueVisitsArgs,
  TagPersonInput,
  UntagPersonInput,
} from '../../generated/graphql';
import { encodeCursor, expectGlobalId, pageSize } from '../../graphql/relay';
import { notFound, Problems, runEdit, validationError, type NotFoundSource, type PayloadError } from '../../shared/payload';
import { assertPermitted, assertPrincipal, can, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import type { GridRow } from '../grid/mappers';
import { lockResolutions } from '../location/repo';
import type { WorkerRow } from '../worker/mappers';
import { todayInChina } from './checks';
import {
  addDays,
  alreadyTagged,
  bad,
  chinaDate,
  checkTagInput,
  expiringCursor,
  isSpecialTag,
  livingHere,
  optionalText,
  overdueCursor,
  startOfChinaDay,
  tagList,
  visitCursor,
} from './group-checks';
import * as groupRepo from './group-repo';
import type {
  FollowUpSource,
  OverdueVisitPage,
  PersonChangeSource,
  PersonPage,
  PersonRow,
  PersonTagRow,
  VisitChangeSource,
  VisitPage,
  VisitRow,
} from './mappers';
import { cipherFor, SEALED } from './sealing';

const MAX_NOTE = 2000;
const MAX_REMOVAL_REASON = 200;
const MAX_WITHIN_DAYS = 366;
/** A phone's clock may run a little ahead of the server's: a visit this far "in the future" is now. */
const CLOCK_SKEW_MS = 2 * 60_000;

type PersonSuccess = PersonChangeSource & { __typename: 'PersonSuccess' };
type VisitSuccess = VisitChangeSource & { __typename: 'VisitSuccess' };
type Locked = PersonRow & { lng: number; lat: number };

/**
 * Special and care groups: tags, follow-up plans, visits, overdue visits, expiring permits. Tagging and
 * visits are `person:edit` where the person's building stands; reading them comes with reading the person
 * (`person:read`). The details of a special-group tag (offence, diagnosis) are sealed and never read here:
 * only `revealPerson` opens them. Visit notes are the worker's records, opened for whoever may read the person.
 */
export class GroupService {
  constructor(private readonly ctx: Context) {}

  private get cipher() {
    return cipherFor(this.ctx.config);
  }

  // ---- reads ----

  /** Current tags of a person the caller was shown. */
  async tagsOf(person: PersonRow): Promise<PersonTagRow[]> {
    return this.ctx.loaders.person.currentTags.load(person.id);
  }

  /** The follow-up plan of a special-group tag; null for a care group. */
  followUp(tag: PersonTagRow): FollowUpSource | null {
    const { next_visit_due, attention_level, visit_interval_days } = tag;
    if (next_visit_due === null || attention_level === null || visit_interval_days === null) return null;
    return { ...tag, next_visit_due, attention_level, visit_interval_days };
  }

  async responsibleWorker(plan: FollowUpSource): Promise<WorkerRow | null> {
    return plan.responsible_worker_id ? this.ctx.services.worker.byId(plan.responsible_worker_id) : null;
  }

  /** The plan a visit moved on (the payload of `logVisit`), read after the commit. */
  async followUpOfTag(tagId: string): Promise<FollowUpSource> {
    const tag = await this.ctx.loaders.person.tagById.load(tagId);
    const plan = tag && this.followUp(tag);
    if (!plan) throw new Error(`tag ${tagId} has no follow-up plan`);
    await this.visiblePerson(tag.person_id);
    return plan;
  }

  /** Visits of a plan, newest first. */
  async visits(plan: FollowUpSource, first: number | null | undefined, after: string | null | undefined): Promise<VisitPage> {
    const limit = pageSize(first);
    const key = after ? visitCursor(after) : null;
    const sealed = await groupRepo.pageOfVisits(this.ctx.db, plan.id, key, limit + 1);
    const order = new Map<VisitRow, string>();
    const rows = sealed.slice(0, limit).map((s) => {
      const row = this.opened(s);
      order.set(row, s.order_at);
      return row;
    });
    let total: Promise<number> | undefined;
    return {
      rows,
      hasNextPage: sealed.length > limit,
      totalCount: () => (total ??= groupRepo.countVisits(this.ctx.db, plan.id)),
      cursorOf: (row) => encodeCursor([order.get(row) ?? '', row.id]),
    };
  }

  /** A visit by id: visible to whoever may read the person visited. */
  async visitForNode(id: string): Promise<VisitRow | null> {
    assertPermitted(this.ctx.viewer, 'person:read');
    const sealed = await this.ctx.loaders.person.visitById.load(id);
    if (!sealed) return null;
    if (!(await this.visiblePerson(sealed.person_id))) return null;
    return this.opened(sealed);
  }

  /** The visit a `logVisit` wrote, read after the commit. */
  async loggedVisit(id: string): Promise<VisitRow> {
    const visit = await this.visitForNode(id);
    if (!visit) throw new Error(`visit ${id} vanished`);
    return visit;
  }

  /** The grid a visit was logged in, as it is now, or as it was then once retired. */
  async gridOfVisit(visit: VisitRow): Promise<GridRow | null> {
    if (!visit.grid_id) return null;
    return (await this.ctx.services.grid.byId(visit.grid_id)) ?? this.ctx.loaders.grid.byIdAsOf(visit.created_at).load(visit.grid_id);
  }

  /**
   * `overdueVisits`: current special-group plans whose next visit was due before today (China), of people
   * living here, in a grid's subtree (default: the caller's jurisdiction) and/or of one responsible worker;
   * most overdue first.
   */
  async overdueVisits(args: QueryOverdueVisitsArgs): Promise<OverdueVisitPage> {
    this.ctx.services.person.reader();
    const limit = pageSize(args.first);
    const key = args.after ? overdueCursor(args.after) : null;
    const subtreeOf = await this.subtree(args.gridId, args.gridCode);
    let workerId: string | null = null;
    if (args.workerId) {
      workerId = expectGlobalId(args.workerId, 'GridWorker', 'workerId');
      if (!(await this.ctx.services.worker.byId(workerId))) throw badInput(msg('group.noWorker', { field: 'workerId', id: args.workerId }), 'workerId');
    }
    const filter: groupRepo.OverdueFilter = { subtreeOf, workerId, today: todayInChina() };
    const rows = await groupRepo.pageOfOverdue(this.ctx.db, filter, key, limit + 1);
    let total: Promise<number> | undefined;
    return {
      rows: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      totalCount: () => (total ??= groupRepo.countOverdue(this.ctx.db, filter)),
      cursorOf: (row) => encodeCursor([row.tag.next_visit_due ?? '', row.tag.id]),
    };
  }

  /**
   * `expiringPermits`: floating residents living here whose residence permit expires within `withinDays` days
   * (expired ones included), soonest first, in a grid's subtree (default: the caller's jurisdiction).
   */
  async expiringPermits(args: QueryExpiringPermitsArgs): Promise<PersonPage> {
    this.ctx.services.person.reader();
    const withinDays = args.withinDays ?? 30;
    if (!Number.isInteger(withinDays) || withinDays < 0 || withinDays > MAX_WITHIN_DAYS) {
      throw badInput(msg('group.withinDays', { max: MAX_WITHIN_DAYS, got: withinDays }), 'withinDays');
    }
    const limit = pageSize(args.first);
    const key = args.after ? expiringCursor(args.after) : null;
    const subtreeOf = await this.subtree(args.gridId, args.gridCode);
    const filter: groupRepo.ExpiringFilter = { subtreeOf, until: addDays(todayInChina(), withinDays) };
    const rows = await groupRepo.pageOfExpiringPermits(this.ctx.db, filter, key, limit + 1);
    let total: Promise<number> | undefined;
    return {
      rows: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      totalCount: () => (total ??= groupRepo.countExpiringPermits(this.ctx.db, filter)),
      cursorOf: (row) => encodeCursor([row.permit_expires_on ?? '', row.id]),
    };
  }

  // ---- writes ----

  async tag(input: TagPersonInput) {
    // AUTH (the role; the jurisdiction once the person is read)
    assertPermitted(this.ctx.viewer, 'person:edit');
    // VALIDATION (what needs no database)
    const early = new Problems();
    const { special, details, interval, workerId } = checkTagInput(input, todayInChina(), early);
    return this.editPerson<PersonSuccess>(
      input.personId,
      async (trx, person, principal) => {
        const problems = new Problems().addAll(early);
        const today = todayInChina();
        livingHere(person, problems);
        if (input.since != null && person.birth_date && input.since < person.birth_date) {
          problems.add(bad('input.since', msg('group.sinceBeforeBirth', { since: input.since })));
        }
        const current = await groupRepo.currentTagsForEdit(trx, person.id, today);
        if (current.some((t) => t.tag === input.tag)) problems.add(alreadyTagged(input.tag));
        let plan: groupRepo.NewTag['plan'] = null;
        if (special && input.followUp && interval !== null) {
          const responsible = workerId ? await this.checkWorker(trx, workerId, problems) : person.grid_id ? await groupRepo.defaultResponsibleWorker(trx, person.grid_id) : null;
          plan = { attentionLevel: input.followUp.attentionLevel, responsibleWorkerId: responsible, visitIntervalDays: interval, nextVisitDue: addDays(input.since ?? today, interval) };
        }
        if (problems.any) return validationError(problems);
        // RESOLUTION
        const detailsSealed = details ? this.cipher.seal(details, SEALED.tagDetails) : null;
        await groupRepo.insertTag(trx, { personId: person.id, tag: input.tag, since: input.since ?? null, detailsSealed, plan }, principal.subject);
        return { __typename: 'PersonSuccess', personId: person.id };
      },
      // Two taggings of one person with one tag at once: the unique index lets one through.
      async (constraint) => (constraint === 'person_tag_current' ? validationError([alreadyTagged(input.tag)]) : null),
    );
  }

  async untag(input: UntagPersonInput) {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const early = new Problems();
    const reason = optionalText(input.reason, 'input.reason', 'reason', MAX_REMOVAL_REASON, early);
    if (!reason && !early.any) early.add(bad('input.reason', msg('group.untagReason')));
    return this.editPerson<PersonSuccess>(input.personId, async (trx, person, principal) => {
      const problems = new Problems().addAll(early);
      const current = await groupRepo.currentTagsForEdit(trx, person.id, todayInChina());
      const tag = current.find((t) => t.tag === input.tag);
      if (!tag) problems.add(bad('input.tag', msg('group.notTagged', { tag: input.tag, tags: tagList(current) })));
      if (problems.any || !tag || !reason) return validationError(problems);
      await groupRepo.removeTag(trx, tag.id, principal.subject, reason);
      return { __typename: 'PersonSuccess', personId: person.id };
    });
  }

  async logVisit(input: LogVisitInput) {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const early = new Problems();
    const note = optionalText(input.note, 'input.note', 'note', MAX_NOTE, early);
    const now = Date.now();
    const visitedAt = input.visitedAt ?? new Date(now);
    if (visitedAt.getTime() > now + CLOCK_SKEW_MS) {
      early.add(bad('input.visitedAt', msg('group.visitFuture', { at: visitedAt.toISOString(), now: new Date(now).toISOString() })));
    }
    const location = input.location ? this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', early) : null;
    return this.editPerson<VisitSuccess>(input.personId, async (trx, person, principal) => {
      const problems = new Problems().addAll(early);
      livingHere(person, problems);
      const special = (await groupRepo.currentTagsForEdit(trx, person.id, todayInChina())).filter((t) => t.next_visit_due !== null);
      const tag = this.visitedTag(input.tag ?? null, special, problems);
      if (tag) {
        const earliest = startOfChinaDay(tag.since ?? chinaDate(tag.created_at));
        if (visitedAt < earliest) {
          problems.add(bad('input.visitedAt', msg('group.visitBeforeFollowUp', { at: visitedAt.toISOString(), tag: tag.tag, since: tag.since ?? chinaDate(tag.created_at) })));
        }
      }
      if (problems.any || !tag) return validationError(problems);
      // RESOLUTION
      const workerId = this.ctx.viewer.kind === 'user' ? await groupRepo.workerIdOfAccount(trx, this.ctx.viewer.subject) : null;
      const visitId = await groupRepo.insertVisit(
        trx,
        { personId: person.id, tagId: tag.id, workerId, visitedAt, noteSealed: note ? this.cipher.seal(note, SEALED.visitNote) : null, location },
        principal.subject,
      );
      await groupRepo.planAfterVisit(trx, tag.id, visitedAt);
      return { __typename: 'VisitSuccess', visitId, tagId: tag.id };
    });
  }

  // ---- helpers ----

  /** The tag a visit follows up: the one named, else the person's only special-group tag. */
  private visitedTag(named: PersonTag | null, special: PersonTagRow[], problems: Problems): PersonTagRow | null {
    if (named) {
      if (!isSpecialTag(named)) {
        problems.add(bad('input.tag', msg('group.careNoVisits', { tag: named })));
        return null;
      }
      const tag = special.find((t) => t.tag === named) ?? null;
      if (!tag) problems.add(bad('input.tag', msg('group.notTagged', { tag: named, tags: tagList(special) })));
      return tag;
    }
    if (special.length === 1) return special[0];
    problems.add(
      special.length === 0
        ? bad('input.personId', msg('group.noSpecialGroup'))
        : bad('input.tag', msg('group.whichTag', { count: special.length, tags: tagList(special) })),
    );
    return null;
  }

  /** A responsible worker given: must exist, be ACTIVE and be assigned within the caller's jurisdiction. */
  private async checkWorker(trx: Knex, workerId: string, problems: Problems): Promise<string | null> {
    const field = 'input.followUp.responsibleWorkerId';
    const worker = await groupRepo.workerWithCurrentGrids(trx, workerId);
    if (!worker) {
      problems.add(bad(field, msg('group.noWorker', { field: 'responsibleWorkerId', id: workerId })));
      return null;
    }
    if (worker.status !== 'ACTIVE') problems.add(bad(field, msg('assignee.inactive', { field: 'responsibleWorkerId', name: worker.name, status: worker.status })));
    if (worker.codes.length === 0) problems.add(bad(field, msg('assignee.noGrid', { field: 'responsibleWorkerId', name: worker.name })));
    else if (!can(this.ctx.viewer, 'person:edit', { codes: worker.codes })) {
      problems.add(bad(field, msg('assignee.outside', { field: 'responsibleWorkerId', name: worker.name, codes: worker.codes.join(', ') })));
    }
    return worker.id;
  }

  /**
   * The start every group edit shares: the person read as the caller may read them (FORBIDDEN or NotFound
   * before anything is written), `person:edit` where they live; then, in the transaction, the grids of their
   * building's position locked before the person's row (as grid edits lock them before re-resolving), and
   * the jurisdiction checked again on the locked row.
   */
  private async editPerson<R extends { __typename: string }>(
    globalId: string,
    work: (trx: Knex.Transaction, person: Locked, principal: Principal) => Promise<R | PayloadError>,
    onUnique?: (constraint: string) => Promise<R | PayloadError | null>,
  ): Promise<R | NotFoundSource | PayloadError> {
    const id = expectGlobalId(globalId, 'Person', 'input.personId');
    const visible = await this.ctx.services.person.byIdForNode(id);
    if (!visible) return notFound(globalId, 'person');
    assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(visible.grid_code), 'this person');
    return runEdit<R | NotFoundSource | PayloadError>(
      this.ctx,
      async (trx) => {
        const seen = await groupRepo.personForGroupEdit(trx, id, false);
        if (!seen) return notFound(globalId, 'person');
        await lockResolutions(trx, [seen]);
        const person = (await groupRepo.personForGroupEdit(trx, id, true))!;
        const principal = assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(person.grid_code), 'this person');
        return work(trx, person, principal);
      },
      onUnique ? { onUniqueViolation: (v) => onUnique(v.constraint) } : {},
    );
  }

  /** The person visited, as the caller may read them: throws FORBIDDEN outside the caller's jurisdiction. */
  private async visiblePerson(personId: string): Promise<PersonRow | null> {
    return this.ctx.services.person.byIdForNode(personId);
  }

  /** A visit with its note opened, the sealed bytes dropped. */
  private opened(sealed: groupRepo.SealedVisitRow): VisitRow {
    const { note_sealed, order_at: _order, ...row } = sealed;
    return { ...row, note: note_sealed ? this.cipher.open(note_sealed, SEALED.visitNote) : null };
  }

  /**
   * The subtree a list covers: the grid named (which must lie within the caller's jurisdiction), else the
   * caller's jurisdiction (null: the whole deployment).
   */
  private async subtree(gridId: string | null | undefined, gridCode: string | null | undefined): Promise<string | null> {
    const principal = this.ctx.services.person.reader();
    const named = await this.ctx.services.location.gridOf(gridId, gridCode, '');
    return this.ctx.services.person.listScope(principal, 'person:read', named);
  }

}
