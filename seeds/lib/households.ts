import type { HouseholdKind } from './occupancy';
import type { SeededRandom } from './random';
import { pickSurname, pickWeighted, type Gender, type Weighted } from './person-names';

/**
 * Who lives together: the make-up of a household (head, spouse, children, parents…) with ages consistent with
 * the relations (a child is 22–35 years younger than the mother, a parent 24–34 years older than the head),
 * drawn by how households are made up in a Chinese city: many couples with one child, elderly couples and
 * widows on their own, three generations under one roof, young migrant workers alone or sharing a flat.
 */
export type ResidenceType = 'REGISTERED' | 'FLOATING' | 'OVERSEAS' | 'UNSETTLED';

export type Relation =
  | 'HEAD'
  | 'SPOUSE'
  | 'CHILD'
  | 'CHILD_IN_LAW'
  | 'PARENT'
  | 'PARENT_IN_LAW'
  | 'GRANDCHILD'
  | 'SIBLING'
  | 'NON_RELATIVE';

export interface MemberSpec {
  relation: Relation;
  age: number;
  gender: Gender;
  surname: string;
  /** Lived here once: a grown child who moved away, a spouse who died (kept as history). */
  gone?: 'MOVED_OUT' | 'DECEASED';
}

/** How households are made up, by what kind of residents they are. */
export type Makeup =
  | 'singleYoung'
  | 'singleMiddle'
  | 'singleElderly'
  | 'student'
  | 'coupleYoung'
  | 'coupleMiddle'
  | 'coupleElderly'
  | 'nuclear1'
  | 'nuclear2'
  | 'threeGenerations'
  | 'singleParent'
  | 'extended'
  | 'skipGeneration'
  | 'siblings'
  | 'roommates';

type MakeupWeights = Weighted<Makeup>;

/** Registered families in the flat they own. */
export const OWNER_FAMILIES: MakeupWeights = [
  ['singleYoung', 3], ['singleMiddle', 2], ['singleElderly', 9], ['coupleYoung', 5], ['coupleMiddle', 6], ['coupleElderly', 13],
  ['nuclear1', 25], ['nuclear2', 16], ['threeGenerations', 13], ['singleParent', 3], ['extended', 7], ['skipGeneration', 1],
];
/** A second household registered in the same flat (分户): grandparents, or a grown child on their own. */
export const SPLIT_FAMILIES: MakeupWeights = [['singleElderly', 30], ['coupleElderly', 30], ['singleYoung', 15], ['coupleYoung', 15], ['nuclear1', 10]];
/** Local families renting. */
export const LOCAL_TENANTS: MakeupWeights = [
  ['singleYoung', 18], ['singleMiddle', 6], ['coupleYoung', 18], ['nuclear1', 36], ['nuclear2', 8], ['coupleElderly', 8], ['singleElderly', 6],
];
/** Migrants: workers alone or in couples, young families, students, people sharing a flat. */
export const MIGRANT_FAMILIES: MakeupWeights = [
  ['singleYoung', 17], ['student', 3], ['singleMiddle', 3], ['coupleYoung', 14], ['nuclear1', 34], ['nuclear2', 14],
  ['threeGenerations', 7], ['siblings', 3], ['roommates', 4],
];
/** Sharing a rented flat with another household (合租). */
export const FLAT_SHARERS: MakeupWeights = [['singleYoung', 45], ['student', 5], ['coupleYoung', 25], ['nuclear1', 10], ['roommates', 15]];
/** Residents from Hong Kong, Macao, Taiwan and abroad. */
export const OVERSEAS_FAMILIES: MakeupWeights = [['singleYoung', 25], ['singleMiddle', 15], ['coupleMiddle', 25], ['nuclear1', 35]];

/** Owners are mostly registered here; tenants mostly migrants; a second household in a flat mostly the first one's kind. */
export function residenceTypeOf(rng: SeededRandom, kind: HouseholdKind, first: ResidenceType | undefined): ResidenceType {
  const r = rng.next();
  switch (kind) {
    case 'owner':
      return r < 0.895 ? 'REGISTERED' : r < 0.985 ? 'FLOATING' : 'OVERSEAS';
    case 'split':
      return first !== undefined && r < 0.9 ? first : 'REGISTERED';
    case 'tenant':
      return r < 0.58 ? 'FLOATING' : r < 0.96 ? 'REGISTERED' : 'OVERSEAS';
    case 'sharer':
      return r < 0.8 ? 'FLOATING' : r < 0.98 ? 'REGISTERED' : 'OVERSEAS';
  }
}

export function makeupOf(rng: SeededRandom, kind: HouseholdKind, type: ResidenceType): Makeup {
  if (type === 'OVERSEAS') return pickWeighted(rng, OVERSEAS_FAMILIES);
  if (kind === 'split') return pickWeighted(rng, SPLIT_FAMILIES);
  if (kind === 'sharer') return pickWeighted(rng, FLAT_SHARERS);
  if (type === 'FLOATING') return pickWeighted(rng, MIGRANT_FAMILIES);
  return pickWeighted(rng, kind === 'owner' ? OWNER_FAMILIES : LOCAL_TENANTS);
}

const between = (rng: SeededRandom, min: number, max: number) => min + rng.int(max - min + 1);
const childGender = (rng: SeededRandom): Gender => (rng.next() < 0.515 ? 'MALE' : 'FEMALE');

/** The members of a household of this make-up, the head first. */
export function composeHousehold(rng: SeededRandom, makeup: Makeup): MemberSpec[] {
  switch (makeup) {
    case 'singleYoung':
      return [single(rng, between(rng, 20, 39), 0.55)];
    case 'student':
      return [single(rng, between(rng, 18, 23), 0.5)];
    case 'singleMiddle':
      return [single(rng, between(rng, 40, 59), 0.55)];
    case 'singleElderly':
      return widowed(rng, single(rng, elderlyAge(rng, 60, 96), 0.35));
    case 'coupleYoung':
      return couple(rng, between(rng, 23, 38));
    case 'coupleMiddle':
      return withGrownChildAway(rng, couple(rng, between(rng, 44, 59)));
    case 'coupleElderly':
      return withGrownChildAway(rng, couple(rng, elderlyAge(rng, 60, 92)));
    case 'nuclear1':
      return withChildren(rng, couple(rng, between(rng, 27, 56)), 1);
    case 'nuclear2':
      return withChildren(rng, couple(rng, between(rng, 30, 52)), 2);
    case 'threeGenerations':
      return withParents(rng, withChildren(rng, couple(rng, between(rng, 30, 52)), rng.next() < 0.7 ? 1 : 2));
    case 'singleParent':
      return withChildren(rng, [single(rng, between(rng, 30, 52), 0.25)], rng.next() < 0.8 ? 1 : 2);
    case 'extended':
      return extended(rng);
    case 'skipGeneration':
      return skipGeneration(rng);
    case 'siblings':
      return siblings(rng);
    case 'roommates':
      return roommates(rng);
  }
}

/** Ages 60 and over, fewer the older (about 1 in 4 of them 80+). */
function elderlyAge(rng: SeededRandom, min: number, max: number): number {
  const u = rng.next();
  return Math.min(max, min + Math.floor(-Math.log(1 - u * 0.97) * 12));
}

function single(rng: SeededRandom, age: number, maleShare: number): MemberSpec {
  return { relation: 'HEAD', age, gender: rng.next() < maleShare ? 'MALE' : 'FEMALE', surname: pickSurname(rng) };
}

/** A head and their spouse: the husband heads 7 households in 10, and is 0–5 years older. */
function couple(rng: SeededRandom, headAge: number): MemberSpec[] {
  const husbandHeads = rng.next() < 0.7;
  const gap = Math.round(rng.next() * rng.next() * 6);
  const head: MemberSpec = { relation: 'HEAD', age: headAge, gender: husbandHeads ? 'MALE' : 'FEMALE', surname: pickSurname(rng) };
  const spouseAge = Math.max(20, husbandHeads ? headAge - gap : headAge + gap);
  return [head, { relation: 'SPOUSE', age: spouseAge, gender: husbandHeads ? 'FEMALE' : 'MALE', surname: pickSurname(rng) }];
}

/** A widow or widower: their late spouse stays in the record (DECEASED) one time in three. */
function widowed(rng: SeededRandom, head: MemberSpec): MemberSpec[] {
  if (rng.next() >= 0.35) return [head];
  const spouse: MemberSpec = { relation: 'SPOUSE', age: head.age + between(rng, -2, 5), gender: head.gender === 'MALE' ? 'FEMALE' : 'MALE', surname: pickSurname(rng), gone: 'DECEASED' };
  return [head, spouse];
}

/** An empty nest: the grown child who lived here moved away, kept in the record one time in six. */
function withGrownChildAway(rng: SeededRandom, members: MemberSpec[]): MemberSpec[] {
  if (rng.next() >= 0.16) return members;
  const childAge = mother(members).age - between(rng, 23, 32);
  if (childAge < 18) return members;
  return [...members, { relation: 'CHILD', age: childAge, gender: childGender(rng), surname: father(members).surname, gone: 'MOVED_OUT' }];
}

function mother(members: readonly MemberSpec[]): MemberSpec {
  return members.find((m) => (m.relation === 'HEAD' || m.relation === 'SPOUSE') && m.gender === 'FEMALE') ?? members[0];
}

function father(members: readonly MemberSpec[]): MemberSpec {
  return members.find((m) => (m.relation === 'HEAD' || m.relation === 'SPOUSE') && m.gender === 'MALE') ?? members[0];
}

/** Children born to the mother at 23–34, a second one 2–8 years after the first. */
function withChildren(rng: SeededRandom, parents: MemberSpec[], count: number): MemberSpec[] {
  const out = [...parents];
  const surname = rng.next() < 0.96 ? father(parents).surname : mother(parents).surname;
  let age = Math.max(0, mother(parents).age - between(rng, 23, 34));
  for (let i = 0; i < count; i++) {
    if (i > 0) age -= between(rng, 2, 8);
    if (age < 0) break;
    out.push({ relation: 'CHILD', age, gender: childGender(rng), surname });
  }
  return out;
}

/** One or two parents of the head (or of the spouse) living with the family. */
function withParents(rng: SeededRandom, family: MemberSpec[]): MemberSpec[] {
  const head = family[0];
  const spouse = family.find((m) => m.relation === 'SPOUSE');
  const ofSpouse = spouse !== undefined && rng.next() < 0.35;
  const child = ofSpouse ? spouse : head;
  const relation: Relation = ofSpouse ? 'PARENT_IN_LAW' : 'PARENT';
  const fatherAge = child.age + between(rng, 25, 34);
  const motherAge = fatherAge - Math.round(rng.next() * 4);
  const parents: MemberSpec[] = [];
  if (rng.next() < 0.5 && fatherAge <= 95) parents.push({ relation, age: fatherAge, gender: 'MALE', surname: child.surname });
  if (motherAge <= 97 && (parents.length === 0 || rng.next() < 0.6)) parents.push({ relation, age: motherAge, gender: 'FEMALE', surname: pickSurname(rng) });
  return [...family, ...parents];
}

/** An older couple with a married child, the child's spouse and one or two grandchildren. */
function extended(rng: SeededRandom): MemberSpec[] {
  const elders = couple(rng, between(rng, 55, 76));
  const childAge = mother(elders).age - between(rng, 23, 32);
  const son = rng.next() < 0.7;
  // The young couple composed as a family of its own, then placed under the elders' head.
  const child: MemberSpec = { relation: 'HEAD', age: childAge, gender: son ? 'MALE' : 'FEMALE', surname: father(elders).surname };
  const inLaw: MemberSpec = { relation: 'SPOUSE', age: Math.max(20, childAge + between(rng, -3, 3)), gender: son ? 'FEMALE' : 'MALE', surname: pickSurname(rng) };
  const young = withChildren(rng, [child, inLaw], rng.next() < 0.75 ? 1 : 2);
  const relations: Record<string, Relation> = { HEAD: 'CHILD', SPOUSE: 'CHILD_IN_LAW', CHILD: 'GRANDCHILD' };
  return [...elders, ...young.map((m) => ({ ...m, relation: relations[m.relation] }))];
}

/** Grandparents raising a grandchild while the parents work elsewhere (留守儿童). */
function skipGeneration(rng: SeededRandom): MemberSpec[] {
  const elders = rng.next() < 0.8 ? couple(rng, between(rng, 55, 74)) : [single(rng, between(rng, 55, 74), 0.3)];
  const surname = rng.next() < 0.75 ? father(elders).surname : pickSurname(rng);
  const first = between(rng, 3, 14);
  const kids: MemberSpec[] = [{ relation: 'GRANDCHILD', age: first, gender: childGender(rng), surname }];
  if (rng.next() < 0.25 && first > 4) kids.push({ relation: 'GRANDCHILD', age: first - between(rng, 2, 4), gender: childGender(rng), surname });
  return [...elders, ...kids];
}

function siblings(rng: SeededRandom): MemberSpec[] {
  const head = single(rng, between(rng, 20, 35), 0.6);
  return [head, { relation: 'SIBLING', age: Math.max(18, head.age + between(rng, -6, 6)), gender: childGender(rng), surname: head.surname }];
}

/** Two or three unrelated workers or students sharing a flat, one of them registered as head. */
function roommates(rng: SeededRandom): MemberSpec[] {
  const head = single(rng, between(rng, 19, 35), 0.55);
  const others = rng.next() < 0.6 ? 1 : 2;
  const out = [head];
  for (let i = 0; i < others; i++) {
    out.push({ relation: 'NON_RELATIVE', age: Math.max(18, head.age + between(rng, -5, 5)), gender: rng.next() < 0.8 ? head.gender : childGender(rng), surname: pickSurname(rng) });
  }
  return out;
}

/** 来本地事由: heads came to work or do business, spouses and parents to join them, children to go to school. */
export function arrivalReason(rng: SeededRandom, makeup: Makeup, m: MemberSpec): string {
  const r = rng.next();
  switch (m.relation) {
    case 'HEAD':
      if (makeup === 'student') return '就学';
      return r < 0.68 ? '务工' : r < 0.9 ? '经商' : '投靠亲友';
    case 'SPOUSE':
      return r < 0.55 ? '务工' : r < 0.7 ? '经商' : '投靠亲友';
    case 'CHILD':
    case 'GRANDCHILD':
      if (m.age >= 18) return r < 0.8 ? '务工' : '就学';
      return m.age >= 6 && r < 0.6 ? '就学' : '投靠亲友';
    case 'SIBLING':
    case 'NON_RELATIVE':
      return r < 0.85 ? '务工' : '经商';
    default:
      return '投靠亲友';
  }
}
