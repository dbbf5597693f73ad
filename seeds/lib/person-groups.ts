import type { AttentionLevel, PersonTag } from '../../src/generated/graphql';
import { DEFAULT_VISIT_INTERVAL } from '../../src/modules/person/group-checks';
import { addDays } from './calendar';
import { uuidFromName } from './ids';
import type { Population, SeedPerson } from './population';
import { SeededRandom } from './random';

/**
 * Special groups (特殊人群) with their follow-up plans and visits, and care groups (关爱人群), at the rates a city
 * district records them: well under 1 % of residents in special groups in all (severe mental disorders the
 * largest, about 4 in 1,000), mostly men of working age for the criminal-justice groups. Plans fall due
 * relative to the day of seeding, so some are overdue whenever the demo is started.
 */

export interface SeedTag {
  id: string;
  person: SeedPerson;
  tag: PersonTag;
  since: string;
  /** Special groups only (sealed when written). */
  details: string | null;
  plan: { level: AttentionLevel; intervalDays: number; workerId: string | null; lastVisitAt: string | null; nextVisitDue: string } | null;
}

export interface SeedVisit {
  id: string;
  tag: SeedTag;
  /** RFC 3339 with the China offset. */
  visitedAt: string;
  note: string;
}

interface SpecialGroup {
  tag: PersonTag;
  /** Per living resident. */
  rate: number;
  ages: [number, number];
  maleShare: number;
  levels: readonly (readonly [AttentionLevel, number])[];
  /** Tagged between these many days before today. */
  sinceDays: [number, number];
  details: (rng: SeededRandom, today: string) => string;
}

const CRIMES = ['盗窃罪', '诈骗罪', '危险驾驶罪', '故意伤害罪', '交通肇事罪', '寻衅滋事罪', '非法吸收公众存款罪', '帮助信息网络犯罪活动罪'];

const SPECIAL_GROUPS: readonly SpecialGroup[] = [
  {
    tag: 'COMMUNITY_CORRECTION', rate: 0.0005, ages: [18, 65], maleShare: 0.85, levels: [['HIGH', 0.5], ['MEDIUM', 0.5]], sinceDays: [20, 700],
    details: (rng, today) => `${rng.pick(['缓刑', '缓刑', '假释', '管制', '暂予监外执行'])}，${rng.pick(CRIMES)}，矫正期至${addDays(today, 60 + rng.int(600))}`,
  },
  {
    tag: 'RELEASED_PRISONER', rate: 0.001, ages: [22, 70], maleShare: 0.9, levels: [['HIGH', 0.1], ['MEDIUM', 0.4], ['LOW', 0.5]], sinceDays: [60, 1800],
    details: (rng) => `原判${rng.pick(CRIMES)}，有期徒刑${1 + rng.int(8)}年，安置帮教期5年`,
  },
  {
    tag: 'DRUG_REHABILITATION', rate: 0.0005, ages: [18, 55], maleShare: 0.8, levels: [['HIGH', 0.4], ['MEDIUM', 0.5], ['LOW', 0.1]], sinceDays: [60, 1000],
    details: (rng, today) => `${rng.pick(['社区戒毒', '社区康复'])}，期限三年，至${addDays(today, 30 + rng.int(900))}，每月尿检`,
  },
  {
    tag: 'SEVERE_MENTAL_DISORDER', rate: 0.004, ages: [18, 88], maleShare: 0.5, levels: [['HIGH', 0.1], ['MEDIUM', 0.3], ['LOW', 0.6]], sinceDays: [200, 3600],
    details: (rng) =>
      `${rng.pick(['精神分裂症', '精神分裂症', '双相情感障碍', '偏执性精神病', '分裂情感性障碍', '癫痫所致精神障碍'])}，危险性评估${rng.int(4)}级，` +
      `${rng.pick(['规律服药', '规律服药', '间断服药', '未服药'])}，监护人：${rng.pick(['配偶', '父亲', '母亲', '子女', '兄弟姐妹'])}`,
  },
  {
    tag: 'KEY_YOUTH', rate: 0.001, ages: [12, 25], maleShare: 0.75, levels: [['HIGH', 0.1], ['MEDIUM', 0.5], ['LOW', 0.4]], sinceDays: [30, 1000],
    details: (rng) => rng.pick(['闲散青少年，初中辍学', '有不良行为，曾受治安管理处罚', '服刑人员未成年子女', '流浪青少年，已返家', '农村留守青少年，随亲属来石']),
  },
];

const VISIT_NOTES = [
  '入户走访，本人在家，情绪稳定',
  '入户走访，与家属交谈，按时服药，无异常',
  '电话联系后入户核实，近况良好',
  '到社区报到，思想汇报正常',
  '走访邻居了解情况，无异常表现',
  '本人外出务工，与家属沟通后掌握去向',
  '协助办理低保续期，生活困难已记录',
  '入户走访，提醒按期报到，本人表示知晓',
];

export interface GroupsPlan {
  seed: number;
  /** Plans visited on time, overdue (last visit too long ago), never visited since tagging. */
  visits: { onTimeShare: number; overdueShare: number };
}

export function generateGroups(population: Population, plan: GroupsPlan, today: string): { tags: SeedTag[]; visits: SeedVisit[] } {
  const living = population.people.filter((p) => p.status === 'LIVING_HERE');
  const rng = SeededRandom.forStage(plan.seed, 'groups');
  const tags: SeedTag[] = [];
  const tagged = new Set<SeedPerson>();
  for (const g of SPECIAL_GROUPS) {
    const eligible = living.filter((p) => !tagged.has(p) && p.residenceType !== 'OVERSEAS' && p.age >= g.ages[0] && p.age <= g.ages[1]);
    for (const person of weightedSample(rng, eligible, Math.round(g.rate * living.length), (p) => (p.gender === 'MALE' ? g.maleShare : 1 - g.maleShare))) {
      tagged.add(person);
      tags.push(specialTag(rng, g, person, plan, today));
    }
  }
  tags.push(...careTags(rng, population, living, today));
  return { tags, visits: visitsOf(rng, tags) };
}

function specialTag(rng: SeededRandom, g: SpecialGroup, person: SeedPerson, plan: GroupsPlan, today: string): SeedTag {
  let level: AttentionLevel = g.levels[g.levels.length - 1][0];
  let r = rng.next();
  for (const [l, share] of g.levels) {
    if ((r -= share) < 0) {
      level = l;
      break;
    }
  }
  const intervalDays = DEFAULT_VISIT_INTERVAL[level];
  let since = addDays(today, -(g.sinceDays[0] + rng.int(g.sinceDays[1] - g.sinceDays[0])));
  const u = rng.next();
  const jitter = rng.next();
  let lastVisit: string | null;
  if (u < plan.visits.onTimeShare) {
    // Yesterday at the latest (a visit later today would lie in the future), next due tomorrow at the earliest.
    lastVisit = addDays(today, -1 - Math.floor(jitter * (intervalDays - 1)));
  } else if (u < plan.visits.onTimeShare + plan.visits.overdueShare) {
    lastVisit = addDays(today, -intervalDays - 1 - Math.floor(jitter * 40));
  } else {
    // Tagged a little more than one interval ago and not yet visited.
    lastVisit = null;
    since = addDays(today, -intervalDays - 1 - Math.floor(jitter * 20));
  }
  if (lastVisit !== null && lastVisit < since) since = addDays(lastVisit, -rng.int(30));
  const lastVisitAt = lastVisit === null ? null : `${lastVisit}T${String(9 + rng.int(8)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}:00+08:00`;
  return {
    id: uuidFromName(`person-tag:${person.id}:${g.tag}`),
    person,
    tag: g.tag,
    since,
    details: g.details(rng, today),
    plan: { level, intervalDays, workerId: person.household.house.workerId, lastVisitAt, nextVisitDue: addDays(lastVisit ?? since, intervalDays) },
  };
}

/** `count` of `items` drawn without replacement, each with chance in proportion to its weight (Efraimidis–Spirakis). */
function weightedSample<T>(rng: SeededRandom, items: readonly T[], count: number, weight: (item: T) => number): T[] {
  return items
    .map((item) => ({ item, key: Math.pow(rng.next(), 1 / Math.max(weight(item), 1e-9)) }))
    .sort((a, b) => b.key - a.key)
    .slice(0, count)
    .map((x) => x.item);
}

/**
 * 独居老人: people of 65 and over alone in their household and their flat; 残疾人 more often the older; 留守儿童:
 * grandchildren raised by grandparents; 低保: whole households, more often the old alone and single parents.
 */
function careTags(rng: SeededRandom, population: Population, living: readonly SeedPerson[], today: string): SeedTag[] {
  const tags: SeedTag[] = [];
  const care = (person: SeedPerson, tag: PersonTag, sinceDays: number) =>
    tags.push({ id: uuidFromName(`person-tag:${person.id}:${tag}`), person, tag, since: addDays(today, -sinceDays), details: null, plan: null });
  const perHouse = new Map<string, number>();
  const perHousehold = new Map<string, SeedPerson[]>();
  for (const p of living) {
    perHouse.set(p.household.house.id, (perHouse.get(p.household.house.id) ?? 0) + 1);
    const members = perHousehold.get(p.household.id);
    if (members) members.push(p);
    else perHousehold.set(p.household.id, [p]);
  }
  const disabled = new Set<string>();
  for (const p of living) {
    // Ages as of the census date, so the same people are tagged whichever day the demo is seeded.
    const age = p.age;
    if (age >= 65 && perHouse.get(p.household.house.id) === 1 && rng.next() < 0.85) care(p, 'ELDERLY_LIVING_ALONE', 30 + rng.int(2000));
    if (rng.next() < (age < 18 ? 0.006 : age < 60 ? 0.012 : age < 80 ? 0.035 : 0.08)) {
      disabled.add(p.household.id);
      care(p, 'DISABLED', 100 + rng.int(5000));
    }
    if (p.household.makeup === 'skipGeneration' && p.relation === 'GRANDCHILD' && age < 16) care(p, 'LEFT_BEHIND_CHILD', 30 + rng.int(1500));
  }
  for (const h of population.households) {
    const members = perHousehold.get(h.id);
    if (!members || h.residenceType !== 'REGISTERED') continue;
    const base = h.makeup === 'singleElderly' ? 0.04 : h.makeup === 'singleParent' ? 0.1 : h.makeup === 'skipGeneration' ? 0.06 : 0.005;
    if (rng.next() < base + (disabled.has(h.id) ? 0.1 : 0)) {
      const sinceDays = 60 + rng.int(2500);
      for (const p of members) if (p.residenceType === 'REGISTERED') care(p, 'LOW_INCOME', sinceDays);
    }
  }
  return tags;
}

/** The last visit of each plan visited, and the one before it for about half of them. */
function visitsOf(rng: SeededRandom, tags: readonly SeedTag[]): SeedVisit[] {
  const visits: SeedVisit[] = [];
  for (const t of tags) {
    const last = t.plan?.lastVisitAt;
    if (!t.plan || !last) continue;
    visits.push({ id: uuidFromName(`visit:${t.id}:0`), tag: t, visitedAt: last, note: rng.pick(VISIT_NOTES) });
    const earlier = addDays(last.slice(0, 10), -t.plan.intervalDays - rng.int(6));
    if (rng.next() < 0.5 && earlier >= t.since) {
      visits.push({ id: uuidFromName(`visit:${t.id}:1`), tag: t, visitedAt: `${earlier}${last.slice(10)}`, note: rng.pick(VISIT_NOTES) });
    }
  }
  return visits;
}
