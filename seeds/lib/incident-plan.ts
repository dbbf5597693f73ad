import type { IncidentChannel, IncidentSeverity } from '../../src/generated/graphql';
import { isOpen } from '../../src/modules/incident/lifecycle';
import type { SlaMinutes } from '../../src/modules/incident/sla';
import { AUTO_ROUTED } from '../../src/modules/incident/routing';
import { addDays } from './calendar';
import { tell, type Hold, type IncidentPlace, type Plot, type Told } from './incident-flows';
import { foldTimeline, type IncidentState } from './incident-row';
import { DAY, hours, minutes } from './incident-story';
import { CATEGORY_PROFILES, CHANNELS, fill, type CategoryProfile, type Group } from './incident-texts';
import { partiesOf, reporterOf, type Enterprise, type PlannedParty, type PlannedReporter } from './incident-people';
import { XINHUA_ROADS } from './place-names';
import { pickWeighted, type Weighted } from './person-names';
import { SeededRandom } from './random';
import { seededUuidV7 } from './seed-sql';

/**
 * A year of demo incidents up to `now`, day by day (fewer at weekends, seasons per category: heating and fire in
 * winter, wage arrears before the Spring Festival, hazards in the rainy summer), each at a building, on the road
 * outside it or at a key place, told through incident-flows.ts and cut at `now`: what was due later has not
 * happened yet, so the last days' cases are still open in every state, and a share of older ones is held (late).
 * The quiet area (the README's walk-through) keeps only settled cases. Deterministic for a given `now`.
 */
export interface IncidentsPlan {
  seed: number;
  /** Reports over the 365 days before `now`, duplicates included (those dropped in the quiet area excluded). */
  perYear: number;
  /** No case left open in these communities or this near the point (the README's examples start from there). */
  quiet: { communityCodes: readonly string[]; near: { lng: number; lat: number }; meters: number };
  /** Cases held where they got stuck (late, open): share of reports 31–75 days old, and of those 4–30 days old. */
  held: { old: number; recent: number };
  /** Share of hazard and livelihood reports phoned in again (merged as duplicates), and of reports misfiled. */
  duplicates: number;
  misfiled: number;
}

export interface SeedPlace {
  buildingId: string | null;
  keyPlaceId: string | null;
  keyPlaceKind: string | null;
  name: string;
  address: string;
  lng: number;
  lat: number;
  path: readonly string[];
  communityCode: string;
  /** How often something is reported here, relative to other places. */
  weight: number;
  place: IncidentPlace;
}

export interface PlannedIncident {
  id: string;
  trackingCode: string;
  profile: CategoryProfile;
  channel: IncidentChannel;
  title: string;
  description: string | null;
  address: string;
  severity: IncidentSeverity;
  peopleInvolved: number | null;
  occurredAt: number | null;
  at: SeedPlace;
  /** On the road outside the building (moved back onto it if that leaves its micro-grid), else at the place. */
  offset: { dLng: number; dLat: number } | null;
  reporter: PlannedReporter;
  parties: PlannedParty[];
  told: Told;
  state: IncidentState;
}

const MONTH_FACTOR = [0.9, 0.8, 1, 1, 1.05, 1.1, 1.15, 1.1, 1, 0.9, 1, 1.05];
const WEEKDAY_FACTOR = [0.7, 1, 1, 1, 1, 1, 0.8];
const HOURLY = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 10, 9, 6, 6, 8, 9, 9, 8, 6, 5, 4, 3, 2, 1.5];
const ALL_DAY: Weighted<number> = HOURLY.map((w, h) => [h, w]);
const OFFICE: Weighted<number> = HOURLY.map((w, h) => [h, h >= 8 && h < 19 ? w : 0]);
const RESIDENTS_ANY_TIME: readonly IncidentChannel[] = ['HOTLINE_12345', 'RESIDENT_QR', 'OPEN311'];
const SEVERITY: Readonly<Record<Group, Weighted<IncidentSeverity>>> = {
  dispute: [['LOW', 25], ['MEDIUM', 60], ['HIGH', 14], ['CRITICAL', 1]],
  hazard: [['LOW', 30], ['MEDIUM', 50], ['HIGH', 17], ['CRITICAL', 3]],
  security: [['LOW', 30], ['MEDIUM', 50], ['HIGH', 17], ['CRITICAL', 3]],
  livelihood: [['LOW', 50], ['MEDIUM', 45], ['HIGH', 5]],
};
const HOLDS: Readonly<Record<'dispute' | 'other', Weighted<Hold>>> = {
  dispute: [['IN_PROGRESS', 35], ['ESCALATED', 30], ['TRANSFERRED', 20], ['SUSPENDED', 15]],
  other: [['ESCALATED', 45], ['TRANSFERRED', 35], ['SUSPENDED', 20]],
};
const CATEGORIES_IN_MONTH = Array.from({ length: 12 }, (_, m): Weighted<CategoryProfile> =>
  CATEGORY_PROFILES.map((p) => [p, p.weight * (p.season?.months.includes(m + 1) ? p.season.factor : 1)]));
const CHINA = hours(8);
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ROAD_IN_ADDRESS = new RegExp(`(${XINHUA_ROADS.join('|')})\\d+号`);

/** One report before it is told: what, how, when, where, and where it gets stuck or what it duplicates. */
interface Report {
  profile: CategoryProfile;
  channel: IncidentChannel;
  reportedAt: number;
  at: SeedPlace;
  offset: PlannedIncident['offset'];
  hold: Hold | null;
  misfiledAs: string | null;
  mergeInto: Plot['mergeInto'];
}

export interface PlanInputs {
  places: readonly SeedPlace[];
  enterprises: readonly Enterprise[];
  minutesOf: (category: string) => SlaMinutes;
}

export function planIncidents(plan: IncidentsPlan, inputs: PlanInputs, now: Date): PlannedIncident[] {
  return new Planner(plan, inputs, now.getTime()).run();
}

class Planner {
  private readonly rng: SeededRandom;
  private readonly out: PlannedIncident[] = [];
  private readonly codes = new Set<string>();
  private readonly cumulative: number[] = [];
  private readonly keyPlaces = new Map<string, SeedPlace[]>();

  constructor(private readonly plan: IncidentsPlan, private readonly inputs: PlanInputs, private readonly now: number) {
    this.rng = SeededRandom.forStage(plan.seed, 'incidents');
    let total = 0;
    for (const p of inputs.places) {
      if (p.keyPlaceKind) this.keyPlaces.set(p.keyPlaceKind, [...(this.keyPlaces.get(p.keyPlaceKind) ?? []), p]);
      total += p.buildingId ? p.weight : 0;
      this.cumulative.push(total);
    }
  }

  run(): PlannedIncident[] {
    const today = new Date(this.now + CHINA).toISOString().slice(0, 10);
    const days = Array.from({ length: 365 }, (_, i) => addDays(today, i - 364));
    const weights = days.map((d) => MONTH_FACTOR[Number(d.slice(5, 7)) - 1] * WEEKDAY_FACTOR[new Date(`${d}T00:00:00Z`).getUTCDay()]);
    const sum = weights.reduce((a, b) => a + b, 0);
    let carried = 0;
    days.forEach((day, i) => {
      carried += (this.plan.perYear * weights[i]) / sum;
      const count = Math.floor(carried);
      carried -= count;
      for (let n = 0; n < count; n++) this.report(day);
    });
    return this.out;
  }

  private report(day: string): void {
    const { rng } = this;
    const month = Number(day.slice(5, 7));
    const profile = pickWeighted(rng, CATEGORIES_IN_MONTH[month - 1]);
    const channel = pickWeighted(rng, CHANNELS[profile.group]);
    // Residents call, scan and post at any hour; workers, cameras' watchers and offices report in the day.
    const hour = pickWeighted(rng, RESIDENTS_ANY_TIME.includes(channel) ? ALL_DAY : OFFICE);
    const reportedAt = Date.parse(`${day}T00:00:00Z`) - CHINA + hours(hour) + minutes(rng.int(60)) + rng.int(60_000);
    if (reportedAt >= this.now) return;
    const at = this.placeFor(profile);
    const offset = at.buildingId && rng.next() < 0.4 ? { dLng: rng.between(-0.0008, 0.0008), dLat: rng.between(-0.0006, 0.0006) } : null;
    const age = this.now - reportedAt;
    const quiet = this.isQuiet(at);
    const holdShare = age > 31 * DAY && age < 75 * DAY ? this.plan.held.old : age > 4 * DAY && age <= 30 * DAY ? this.plan.held.recent : 0;
    const hold = !quiet && rng.next() < holdShare ? pickWeighted(rng, HOLDS[profile.group === 'dispute' ? 'dispute' : 'other']) : null;
    const misfiled = !AUTO_ROUTED.includes(channel) && rng.next() < this.plan.misfiled ? (profile.code === 'OTHER' ? 'LIVELIHOOD' : 'OTHER') : null;
    const report: Report = { profile, channel, reportedAt, at, offset, hold, misfiledAs: misfiled, mergeInto: null };
    const target = this.add(report);
    if (target && (profile.group === 'hazard' || profile.group === 'livelihood') && rng.next() < this.plan.duplicates) {
      // The same thing phoned in again while the first report is still being handled: merged into it.
      const until = target.told.story.events.find((e) => e.action === 'RESOLVE' || !isOpen(e.to))?.at ?? Infinity;
      const again = reportedAt + minutes(20 + rng.int(220));
      if (again + hours(2) < until && again < this.now) {
        this.add({ ...report, channel: 'HOTLINE_12345', reportedAt: again, hold: null, misfiledAs: null, mergeInto: { id: target.id, until } });
      }
    }
  }

  private placeFor(profile: CategoryProfile): SeedPlace {
    const { rng } = this;
    const kinds = (profile.keyPlaceKinds ?? []).filter((k) => this.keyPlaces.has(k));
    if (kinds.length && (profile.code === 'DISPUTE_MEDICAL' || rng.next() < 0.5)) return rng.pick(this.keyPlaces.get(rng.pick(kinds))!);
    const x = rng.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.inputs.places[lo];
  }

  private isQuiet(at: SeedPlace): boolean {
    const q = this.plan.quiet;
    const dx = (at.lng - q.near.lng) * 111_320 * Math.cos((q.near.lat * Math.PI) / 180);
    const dy = (at.lat - q.near.lat) * 110_574;
    return q.communityCodes.includes(at.communityCode) || Math.hypot(dx, dy) < q.meters;
  }

  /** Tells the incident and keeps it, unless it would be left open in the quiet area. */
  private add({ profile, channel, reportedAt, at, offset, hold, misfiledAs, mergeInto }: Report): PlannedIncident | null {
    const rng = SeededRandom.forStage(this.plan.seed, `incident:${this.out.length}:${reportedAt}`);
    const trackingCode = this.trackingCode(rng);
    const id = seededUuidV7(reportedAt, `incident:${trackingCode}`);
    const reporter = reporterOf(rng, channel, at.place);
    const company = rng.pick(this.inputs.enterprises);
    const parties = profile.group === 'dispute' ? partiesOf(rng, profile, at.place, company) : [];
    const road = ROAD_IN_ADDRESS.exec(at.address)?.[1] ?? rng.pick(XINHUA_ROADS);
    const compound = at.name.replace(/\d+号.*$/, '');
    const values = { compound, building: at.name.slice(compound.length), road, place: at.name, community: at.place.community.name.replace(/居委会$|村民委员会$/, ''), company: company.name };
    const usable = profile.titles.filter((t) => (at.keyPlaceId ? !t.includes('{building}') : !t.includes('{place}')));
    const title = fill(rng.pick(usable.length ? usable : profile.titles), values);
    const plot: Plot = { profile, channel, reportedAt, place: at.place, reporter: reporter.actor, misfiledAs, hold, mergeInto, partyNames: parties.map((p) => p.label) };
    const told = tell(plot, rng);
    // What was due after `now` has not happened yet.
    const events = told.story.events;
    events.splice(events.filter((e) => e.at <= this.now).length);
    const state = foldTimeline(events, { centreGridId: at.place.community.id, categoryCode: misfiledAs ?? profile.code, minutesOf: this.inputs.minutesOf });
    if (isOpen(state.status) && this.isQuiet(at)) return null;
    const people = profile.people ? profile.people[0] + rng.int(profile.people[1] - profile.people[0] + 1) : null;
    const incident: PlannedIncident = {
      id, trackingCode, profile, channel, title,
      description: rng.next() < 0.3 ? `${title}，已持续${1 + rng.int(10)}天，请尽快处理。` : null,
      address: offset ? `${at.address}附近` : at.address,
      severity: pickWeighted(rng, SEVERITY[profile.group]),
      peopleInvolved: people,
      occurredAt: profile.group === 'dispute' || profile.group === 'security' ? reportedAt - minutes(30 + rng.int(72 * 60)) : null,
      at, offset, reporter: reporter.row, parties, told, state,
    };
    this.out.push(incident);
    return incident;
  }

  /** 12 characters of Crockford's base 32, as report.ts `trackingCode` makes them; unique among the demo's. */
  private trackingCode(rng: SeededRandom): string {
    for (;;) {
      const code = Array.from({ length: 12 }, () => ALPHABET[rng.int(32)]).join('');
      if (!this.codes.has(code)) {
        this.codes.add(code);
        return code;
      }
    }
  }
}
