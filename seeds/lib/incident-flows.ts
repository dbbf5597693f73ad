import type { HandlingLevel, IncidentChannel, Satisfaction } from '../../src/generated/graphql';
import { AUTO_ROUTED } from '../../src/modules/incident/routing';
import { DAY, hours, lognormal, minutes, Story, type Actor } from './incident-story';
import * as T from './incident-texts';
import { pickWeighted } from './person-names';
import type { SeededRandom } from './random';

/**
 * How a demo incident goes, as the centres' case logs read (登记 → 受理 → 分派 → 办理 → 办结 → 回访 → 归档): a worker's
 * app and a resident's QR code routed at once by the system, the other channels accepted and assigned by the
 * community centre's dispatcher (some rejected, duplicates merged); the worker's first progress, mediation of
 * disputes, now and then a suspension, a whistle blown up the levels (吹哨) or a transfer to a department; the
 * resolution, the call-back with the satisfaction (an unsatisfied resident reopens it), the archive. A held case
 * (`hold`) stops where it is stuck: escalated to the street and waiting, with a department, suspended, or in
 * progress. The timeline is written whole: what falls after the seed's instant is cut off by the caller.
 */
export interface Centre {
  id: string;
  code: string;
  name: string;
}

export interface IncidentPlace {
  microGridId: string;
  community: Centre;
  street: Centre;
  district: Centre;
  /** The primary responsible worker (up the chain), and the others told of an automatic assignment. */
  worker: { id: string; account: string; name: string } | null;
  notifiedWorkerIds: readonly string[];
  /** Departments a case can be transferred to: the building's property company, the street's 调委会, the community's committee. */
  organizations: { PROPERTY_MANAGEMENT: string | null; MEDIATION_COMMITTEE: string | null; COMMUNITY_COMMITTEE: string | null };
  /** The street's mediation committee's name (a mediator above the grid level). */
  mediationCommittee: string;
}

export type Hold = 'ESCALATED' | 'TRANSFERRED' | 'SUSPENDED' | 'IN_PROGRESS';

export interface Plot {
  profile: T.CategoryProfile;
  channel: IncidentChannel;
  reportedAt: number;
  place: IncidentPlace;
  reporter: Actor;
  /** Filed under another category first, corrected by the dispatcher. */
  misfiledAs: string | null;
  hold: Hold | null;
  /** A duplicate: merged into this incident, which stays open until `until`. */
  mergeInto: { id: string; until: number } | null;
  /** Disputes: who the parties are, as the mediation's attendees. */
  partyNames: readonly string[];
}

export interface MediationSession {
  seq: number;
  heldAt: number;
  place: string;
  attendees: string[];
  mediator: string;
  actor: string;
}

export interface Mediation {
  mediator: string;
  sessions: MediationSession[];
  outcome: { seq: number; at: number; by: string; agreement: string | null; referral: 'ARBITRATION' | 'LITIGATION' | null } | null;
}

export interface Told {
  story: Story;
  mediation: Mediation | null;
}

/** Shares of the side paths (of the incidents that could take them). */
export const SHARES = {
  rejected: 0.035, acceptLate: 0.03, progressLate: 0.04, suspended: 0.015, escalated: 0.06, toStreet: 0.35, toDistrict: 0.1, transferred: 0.03,
  mediated: 0.85, agreement: 0.88, slow: 0.02, reopened: 0.7,
};
const SATISFACTION: readonly (readonly [Satisfaction, number])[] = [['SATISFIED', 87], ['BASICALLY_SATISFIED', 10.5], ['UNSATISFIED', 2.5]];

export function tell(plot: Plot, rng: SeededRandom): Told {
  return new Teller(plot, rng).tell();
}

class Teller {
  private readonly story: Story;
  private mediation: Mediation | null = null;
  private readonly group: T.Group;

  constructor(private readonly plot: Plot, private readonly rng: SeededRandom) {
    this.story = new Story(rng, plot.reportedAt, plot.place.community.id);
    this.group = plot.profile.group;
  }

  tell(): Told {
    const { story, plot } = this;
    story.report(plot.reporter, { level: 'GRID', centreGridId: plot.place.community.id });
    const routed = this.route();
    if (routed) this.handle();
    return { story, mediation: this.mediation };
  }

  /** The dispatcher of the centre holding the case now. */
  private dispatcher(): Actor {
    const p = this.plot.place;
    const centre = [p.community, p.street, p.district].find((c) => c.id === this.story.centreId)!;
    return { subject: `dispatcher-${centre.code}`, role: 'DISPATCHER' };
  }

  private workerActor(): Actor {
    return { subject: this.plot.place.worker!.account, role: 'GRID_WORKER' };
  }

  /** 受理 and 分派; false when the case ends here (rejected, merged) or nobody can take it. */
  private route(): boolean {
    const { story, plot, rng } = this;
    const worker = plot.place.worker;
    if (AUTO_ROUTED.includes(plot.channel) && worker) {
      const system = { subject: 'SYSTEM', role: null };
      story.step('ACCEPT', system, 1000, { anyTime: true });
      story.step('ASSIGN', system, 1000, { anyTime: true, detail: { assigneeWorkerId: worker.id, notifiedWorkerIds: [...plot.place.notifiedWorkerIds] }, changes: { assignee_worker_id: worker.id } });
      this.recategorize();
      return true;
    }
    if (plot.mergeInto) {
      const at = Math.min(plot.mergeInto.until - minutes(1), story.t + lognormal(rng, minutes(40), 0.6));
      story.step('MERGE', this.dispatcher(), at - story.t, { anyTime: true, note: '重复反映，合并办理', detail: { mergedIntoId: plot.mergeInto.id }, changes: { merged_into_id: plot.mergeInto.id, assignee_worker_id: null } });
      return false;
    }
    const late = rng.next() < SHARES.acceptLate ? hours(24 + rng.int(36)) : 0;
    if (rng.next() < SHARES.rejected || !worker) {
      if (rng.next() < 0.4) story.step('ACCEPT', this.dispatcher(), lognormal(rng, minutes(25), 1));
      story.step('REJECT', this.dispatcher(), lognormal(rng, hours(2), 1), { detail: { reason: rng.pick(T.REJECT_REASONS) } });
      return false;
    }
    story.step('ACCEPT', this.dispatcher(), late + lognormal(rng, minutes(25), 1));
    this.recategorize();
    story.step('ASSIGN', this.dispatcher(), minutes(2 + rng.int(30)), { detail: { assigneeWorkerId: worker.id }, changes: { assignee_worker_id: worker.id } });
    return true;
  }

  /** A report filed under the wrong category, corrected by the dispatcher soon after. */
  private recategorize(): void {
    const { story, plot, rng } = this;
    if (!plot.misfiledAs) return;
    const detail = { fromCategory: plot.misfiledAs, toCategory: plot.profile.code };
    story.step('RECATEGORIZE', this.dispatcher(), minutes(2 + rng.int(20)), { note: T.RECATEGORIZE_NOTE, detail, changes: { category_code: plot.profile.code } });
  }

  /** 办理 to 归档, or to where a held case stops. */
  private handle(): void {
    const { story, plot, rng } = this;
    const found = plot.channel === 'GRID_WORKER_APP';
    const firstProgress = rng.next() < SHARES.progressLate ? hours(24 + rng.int(48)) : lognormal(rng, found ? minutes(20) : hours(2), 1);
    story.step('RECORD_PROGRESS', this.workerActor(), firstProgress, { note: rng.pick(T.PROGRESS_NOTES[this.group]), onSite: true });
    if (plot.hold === 'IN_PROGRESS') return this.mediate(false);
    if (plot.hold === 'SUSPENDED' || rng.next() < SHARES.suspended) {
      story.step('SUSPEND', this.dispatcher(), DAY * (1 + rng.int(5)), { detail: { reason: rng.pick(T.SUSPEND_REASONS) } });
      if (plot.hold === 'SUSPENDED') return;
      story.step('RESUME', this.dispatcher(), DAY * (3 + rng.int(18)), { note: T.RESUME_NOTE });
    }
    const path = plot.hold === 'ESCALATED' ? 'escalate' : plot.hold === 'TRANSFERRED' ? 'transfer' : this.sidePath();
    if (path === 'escalate') {
      this.escalate('COMMUNITY', rng.pick(T.ESCALATE_REASONS.COMMUNITY));
      if (plot.hold || rng.next() < SHARES.toStreet) this.escalate('STREET', rng.pick(T.ESCALATE_REASONS.STREET));
      if (plot.hold) return;
      if (rng.next() < SHARES.toDistrict) this.escalate('DISTRICT', T.ESCALATE_REASONS.DISTRICT[0]);
    } else if (path === 'transfer') {
      this.transfer();
      if (plot.hold) return;
    }
    const held = story.status === 'ESCALATED' || story.status === 'TRANSFERRED';
    if (held && rng.next() < 0.4) {
      story.step('ASSIGN', this.dispatcher(), DAY * rng.between(0.2, 2), { detail: { assigneeWorkerId: plot.place.worker!.id }, changes: { assignee_worker_id: plot.place.worker!.id, transferred_organization_id: null } });
      story.step('RECORD_PROGRESS', this.workerActor(), lognormal(rng, hours(3), 0.8), { note: rng.pick(T.PROGRESS_NOTES[this.group]), onSite: true });
    }
    this.mediate(true);
    this.close();
  }

  private sidePath(): 'escalate' | 'transfer' | 'none' {
    const r = this.rng.next();
    return r < SHARES.escalated ? 'escalate' : r < SHARES.escalated + SHARES.transferred ? 'transfer' : 'none';
  }

  /** 吹哨: to the community (the same centre, handling it itself), the street, the district. */
  private escalate(level: HandlingLevel, reason: string): void {
    const { story, plot, rng } = this;
    const centre = level === 'COMMUNITY' ? plot.place.community : level === 'STREET' ? plot.place.street : plot.place.district;
    const actor = story.assigneeId ? this.workerActor() : this.dispatcher();
    story.step('ESCALATE', actor, DAY * rng.between(0.3, 3), {
      detail: { reason, level, centreGridId: centre.id },
      changes: { level, centre_grid_id: centre.id, escalation_count: story.escalations + 1, assignee_worker_id: null },
    });
  }

  /** 转办: to the building's property company, the street's mediation committee, or the community's committee. */
  private transfer(): void {
    const { story, plot, rng } = this;
    const orgs = plot.place.organizations;
    const kind = this.group === 'dispute' && orgs.MEDIATION_COMMITTEE ? 'MEDIATION_COMMITTEE' : orgs.PROPERTY_MANAGEMENT ? 'PROPERTY_MANAGEMENT' : 'COMMUNITY_COMMITTEE';
    const organizationId = orgs[kind] ?? orgs.COMMUNITY_COMMITTEE!;
    story.step('TRANSFER', this.dispatcher(), DAY * rng.between(0.3, 2), { note: T.TRANSFER_NOTES[kind], detail: { organizationId }, changes: { transferred_organization_id: organizationId, assignee_worker_id: null } });
  }

  /** 调解 of a dispute: sessions, then (when `conclude`) the outcome; other categories pass. */
  private mediate(conclude: boolean): void {
    const { story, plot, rng } = this;
    if (this.group !== 'dispute' || rng.next() > SHARES.mediated) return;
    const byWorker = story.assigneeId !== null && story.level === 'GRID';
    const actor = byWorker ? this.workerActor() : this.dispatcher();
    const mediator = byWorker ? plot.place.worker!.name : plot.place.mediationCommittee;
    const values = { community: plot.place.community.name.replace(/居委会$|村民委员会$/, ''), street: plot.place.street.name };
    const sessions: MediationSession[] = [];
    const count = 1 + (rng.next() < 0.4 ? 1 : 0) + (rng.next() < 0.25 ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const e = story.step('MEDIATION_SESSION', actor, DAY * rng.between(i === 0 ? 0.5 : 2, i === 0 ? 3 : 6));
      sessions.push({ seq: e.seq, heldAt: e.at - hours(1 + rng.int(3)), place: T.fill(rng.pick(T.MEDIATION_PLACES), values), attendees: [...plot.partyNames], mediator, actor: actor.subject });
    }
    this.mediation = { mediator, sessions, outcome: null };
    if (!conclude) return;
    const agreed = rng.next() < SHARES.agreement;
    const e = story.step('MEDIATION_OUTCOME', actor, hours(1 + rng.int(3)), { note: agreed ? '达成调解协议' : '调解不成' });
    const referral = agreed ? null : (plot.profile.referral ?? 'LITIGATION');
    this.mediation.outcome = { seq: e.seq, at: e.at, by: actor.subject, agreement: agreed ? rng.pick(plot.profile.agreements ?? ['双方达成和解']) : null, referral };
  }

  /** 办结, 回访 (an unsatisfied resident reopens it once), 归档. */
  private close(): void {
    const { story, plot, rng } = this;
    const outcome = this.mediation?.outcome;
    const note = outcome?.referral ? T.REFERRED_NOTE[outcome.referral] : story.assigneeId ? rng.pick(T.RESOLUTION_NOTES[this.group]) : story.status === 'TRANSFERRED' ? T.TRANSFERRED_RESULT : T.CENTRE_RESOLUTION;
    const resolver = story.assigneeId ? this.workerActor() : this.dispatcher();
    const slow = rng.next() < SHARES.slow;
    const resolveIn = slow ? DAY * rng.between(25, 50) : outcome ? hours(1 + rng.int(20)) : lognormal(rng, plot.profile.resolveDays * DAY, 0.85);
    story.step('RESOLVE', resolver, resolveIn, { note, onSite: resolver.role === 'GRID_WORKER' });
    let satisfaction = pickWeighted(rng, SATISFACTION);
    story.verify(this.dispatcher(), satisfaction, T.VERIFY_NOTES[satisfaction], DAY * rng.between(0.5, 3));
    if (satisfaction === 'UNSATISFIED' && rng.next() < SHARES.reopened) {
      story.step('REOPEN', this.dispatcher(), minutes(5 + rng.int(60)), { detail: { reason: T.REOPEN_NOTE } });
      if (!story.assigneeId) story.step('ASSIGN', this.dispatcher(), minutes(5 + rng.int(60)), { detail: { assigneeWorkerId: plot.place.worker!.id }, changes: { assignee_worker_id: plot.place.worker!.id, transferred_organization_id: null } });
      story.step('RECORD_PROGRESS', this.workerActor(), lognormal(rng, hours(4), 0.8), { note: rng.pick(T.PROGRESS_NOTES[this.group]), onSite: true });
      story.step('RESOLVE', this.workerActor(), lognormal(rng, DAY * 2, 0.7), { note: rng.pick(T.RESOLUTION_NOTES[this.group]), onSite: true });
      satisfaction = rng.next() < 0.7 ? 'SATISFIED' : 'BASICALLY_SATISFIED';
      story.verify(this.dispatcher(), satisfaction, T.VERIFY_NOTES[satisfaction], DAY * rng.between(0.5, 3));
    }
    story.step('CLOSE', this.dispatcher(), hours(rng.between(0.2, 20)), { note: '归档' });
  }
}
