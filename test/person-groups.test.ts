import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { todayInChina } from '../src/modules/person/checks';
import { addDays } from '../src/modules/person/group-checks';
import { insertPerson, type PersonWrite } from '../src/modules/person/repo';
import { cipherFor, SEALED } from '../src/modules/person/sealing';
import { at } from './fixtures/grid';
import { ADMIN, createPlaceFixture, dbId, mutatePlace, type PlaceFixture } from './fixtures/place';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig, user, type Result } from './support/graphql';

/**
 * Special and care groups (issue 10, part 2): tagging with a follow-up plan (special groups) or without
 * (care groups), untagging with the history kept, visits that move the plan on and keep the grid they were
 * logged in, late visits by grid and by worker, expiring residence permits, who may do and read what, and
 * special-group details that no read ever returns.
 */

afterAll(closeTestDb);

const pid = (id: string) => toGlobalId('Person', id);
const wid = (id: string) => toGlobalId('GridWorker', id);
const today = () => todayInChina();

const FAILURES = /* GraphQL */ `
  __typename
  ... on ValidationError { message problems { code field message } }
  ... on NotFoundError { message id }
`;
const PLAN = /* GraphQL */ `responsibleWorker { id name } attentionLevel visitIntervalDays lastVisitAt nextVisitDue daysOverdue`;
const TAGS = /* GraphQL */ `tags { tag group since hasDetails addedAt followUp { ${PLAN} } }`;
const VISIT = /* GraphQL */ `id tag visitedAt note location { lng lat } grid { code } worker { name } person { name } createdAt`;

const TAG = `mutation($input: TagPersonInput!) { tagPerson(input: $input) { ${FAILURES} ... on PersonSuccess { person { id name ${TAGS} } } } }`;
const UNTAG = `mutation($input: UntagPersonInput!) { untagPerson(input: $input) { ${FAILURES} ... on PersonSuccess { person { id ${TAGS} } } } }`;
const LOG = `mutation($input: LogVisitInput!) { logVisit(input: $input) { ${FAILURES} ... on VisitSuccess { visit { ${VISIT} } followUp { ${PLAN} } } } }`;
const OVERDUE = /* GraphQL */ `
  query($gridId: ID, $gridCode: String, $workerId: ID, $first: Int, $after: String) {
    overdueVisits(gridId: $gridId, gridCode: $gridCode, workerId: $workerId, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { person { name grid { code } } tag attentionLevel responsibleWorker { name } lastVisitAt nextVisitDue daysOverdue } }
    }
  }
`;
const EXPIRING = /* GraphQL */ `
  query($gridCode: String, $withinDays: Int, $first: Int, $after: String) {
    expiringPermits(gridCode: $gridCode, withinDays: $withinDays, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { name floating { permitExpiresOn permitDaysLeft } }
    }
  }
`;

async function run(db: Knex, query: string, input: object, viewer: Viewer = ADMIN): Promise<Result> {
  return execute(db, query, { input }, { viewer });
}
async function payload(db: Knex, query: string, input: object, viewer: Viewer = ADMIN): Promise<any> {
  const data = ok(await run(db, query, input, viewer));
  return Object.values(data as object)[0];
}
function errorCode(result: Result): string | undefined {
  expect(result.errors).toHaveLength(1);
  return result.errors![0].extensions?.code;
}
function problemsOf(p: any): [string, string][] {
  if (p.__typename !== 'ValidationError') throw new Error(`expected a ValidationError, got ${JSON.stringify(p)}`);
  return p.problems.map((x: any) => [x.field, x.message]);
}

/** A person inserted below the API (registerPerson has its own tests): the fields a test cares about. */
async function person(db: Knex, houseId: string, name: string, extra: Partial<PersonWrite> = {}): Promise<string> {
  const write: PersonWrite = {
    name,
    gender: 'MALE',
    birthDate: '1980-05-12',
    birthYear: 1980,
    ethnicity: null,
    idNumber: null,
    phone: null,
    residenceType: 'REGISTERED',
    registeredAddress: null,
    houseId,
    householdId: null,
    relationToHead: null,
    movedInOn: null,
    arrivedOn: null,
    arrivalReason: null,
    permitNumber: null,
    permitExpiresOn: null,
    ...extra,
  };
  return insertPerson(db, cipherFor(testConfig()), write, 'test');
}

interface World extends PlaceFixture {
  /** A house in BB (micro-grid MB1a, street B: no worker anywhere up its chain). */
  bbHouse: string;
  /** W1 (active, primary on GA1) signs in as this grid worker. */
  w1: Viewer;
}

async function world(db: Knex): Promise<World> {
  const f = await createPlaceFixture(db);
  const bb = await mutatePlace(db, 'createHouse', { buildingId: f.buildings.BB.id, room: '301', use: 'RENTED' });
  const w1 = user('GRID_WORKER', f.grids.GA1.code);
  if (w1.kind !== 'user') throw new Error('unreachable');
  await db('grid_worker').where({ id: f.workers.W1.id }).update({ account: w1.subject });
  return { ...f, bbHouse: dbId(bb.house.id), w1 };
}

const houseOf = (w: World, key: 'h101' | 'h102' | 'h201') => dbId(w.houses[key].id);

async function tagged(db: Knex, personId: string, input: object, viewer: Viewer = ADMIN) {
  const p = await payload(db, TAG, { personId: pid(personId), ...input }, viewer);
  if (p.__typename !== 'PersonSuccess') throw new Error(`tagPerson failed: ${JSON.stringify(p)}`);
  return p.person;
}

describe('tagPerson', () => {
  it('gives a special group a follow-up plan: the grid primary worker by default, the interval by attention level, due from since', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      const missing = await payload(trx, TAG, { personId: pid(zhang), tag: 'COMMUNITY_CORRECTION' });
      expect(problemsOf(missing)).toEqual([['input.followUp', expect.stringMatching(/COMMUNITY_CORRECTION is a special group.*attentionLevel/)]]);

      const since = addDays(today(), -10);
      const p = await tagged(trx, zhang, { tag: 'COMMUNITY_CORRECTION', since, details: '盗窃罪, 社区矫正一年', followUp: { attentionLevel: 'HIGH' } }, w.w1);
      expect(p.tags).toEqual([
        {
          tag: 'COMMUNITY_CORRECTION',
          group: 'SPECIAL',
          since,
          hasDetails: true,
          addedAt: expect.any(String),
          followUp: {
            responsibleWorker: { id: wid(w.workers.W1.id), name: w.workers.W1.name },
            attentionLevel: 'HIGH',
            visitIntervalDays: 7,
            lastVisitAt: null,
            nextVisitDue: addDays(since, 7),
            daysOverdue: 3,
          },
        },
      ]);

      // Without since, due from today; a given interval wins over the level's; nobody up the chain of street B.
      const li = await person(trx, w.bbHouse, '李强');
      const q = await tagged(trx, li, { tag: 'KEY_YOUTH', followUp: { attentionLevel: 'LOW', visitIntervalDays: 45 } });
      expect(q.tags[0].followUp).toMatchObject({ responsibleWorker: null, attentionLevel: 'LOW', visitIntervalDays: 45, nextVisitDue: addDays(today(), 45), daysOverdue: 0 });
      const medium = await tagged(trx, li, { tag: 'RELEASED_PRISONER', followUp: { attentionLevel: 'MEDIUM' } });
      expect(medium.tags.find((t: any) => t.tag === 'RELEASED_PRISONER').followUp.visitIntervalDays).toBe(30);
    }));

  it('checks the responsible worker given (ACTIVE, assigned within the jurisdiction) and the interval', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      const tagWith = (followUp: object, viewer: Viewer = ADMIN) => payload(trx, TAG, { personId: pid(zhang), tag: 'DRUG_REHABILITATION', followUp }, viewer);
      expect(problemsOf(await tagWith({ attentionLevel: 'HIGH', responsibleWorkerId: wid(w.workers.W2.id), visitIntervalDays: 0 }))).toEqual([
        ['input.followUp.visitIntervalDays', expect.stringMatching(/1–366 \(got 0\)/)],
        ['input.followUp.responsibleWorkerId', expect.stringMatching(/ON_LEAVE/)],
      ]);
      expect(problemsOf(await tagWith({ attentionLevel: 'HIGH', visitIntervalDays: 367 }))).toEqual([['input.followUp.visitIntervalDays', expect.stringMatching(/got 367/)]]);
      expect(problemsOf(await tagWith({ attentionLevel: 'HIGH', responsibleWorkerId: pid(zhang) }))).toEqual([['input.followUp.responsibleWorkerId', expect.stringMatching(/not a GridWorker id/)]]);
      // W3 works on community A1, above a GA1 worker's jurisdiction.
      expect(problemsOf(await tagWith({ attentionLevel: 'HIGH', responsibleWorkerId: wid(w.workers.W3.id) }, w.w1))).toEqual([
        ['input.followUp.responsibleWorkerId', expect.stringMatching(/outside your jurisdiction/)],
      ]);
      const ok3 = await tagWith({ attentionLevel: 'HIGH', responsibleWorkerId: wid(w.workers.W3.id) }, user('DISPATCHER', w.grids.A1.code));
      expect(ok3.person.tags[0].followUp.responsibleWorker.name).toBe(w.workers.W3.name);
    }));

  it('refuses a plan and details for a care group, and a tag the person already has, naming it', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const wang = await person(trx, houseOf(w, 'h102'), '王芳', { gender: 'FEMALE', birthDate: '1940-02-02', birthYear: 1940 });
      const refused = await payload(trx, TAG, { personId: pid(wang), tag: 'ELDERLY_LIVING_ALONE', details: '独居', followUp: { attentionLevel: 'LOW' } });
      expect(problemsOf(refused)).toEqual([
        ['input.followUp', expect.stringMatching(/care group.*no follow-up plan/)],
        ['input.details', expect.stringMatching(/care group.*special groups only/)],
      ]);
      const p = await tagged(trx, wang, { tag: 'ELDERLY_LIVING_ALONE', since: '2020-01-01' });
      expect(p.tags).toEqual([{ tag: 'ELDERLY_LIVING_ALONE', group: 'CARE', since: '2020-01-01', hasDetails: false, addedAt: expect.any(String), followUp: null }]);
      const again = await payload(trx, TAG, { personId: pid(wang), tag: 'ELDERLY_LIVING_ALONE' });
      expect(problemsOf(again)).toEqual([['input.tag', expect.stringMatching(/already tagged ELDERLY_LIVING_ALONE/)]]);
      const long = await payload(trx, TAG, { personId: pid(wang), tag: 'SEVERE_MENTAL_DISORDER', details: 'x'.repeat(2001), followUp: { attentionLevel: 'HIGH' } });
      expect(problemsOf(long)).toEqual([['input.details', expect.stringMatching(/2001 characters; at most 2000/)]]);
      const future = await payload(trx, TAG, { personId: pid(wang), tag: 'DISABLED', since: addDays(today(), 1) });
      expect(problemsOf(future)).toEqual([['input.since', expect.stringMatching(/in the future/)]]);
      const { rows } = await trx.raw('SELECT count(*)::int AS n FROM person_tag WHERE person_id = ?', [wang]);
      expect(rows[0].n).toBe(1);
    }));

  it('refuses people who moved out, died or were erased, and answers NotFound for an unknown id', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const gone = await person(trx, houseOf(w, 'h201'), '赵六', { status: 'MOVED_OUT' });
      const r = await payload(trx, TAG, { personId: pid(gone), tag: 'LOW_INCOME' });
      expect(problemsOf(r)).toEqual([['input.personId', expect.stringMatching(/MOVED_OUT.*only people living here/)]]);
      const erased = await person(trx, houseOf(w, 'h201'), '钱七');
      await trx.raw(`UPDATE person SET name = NULL, birth_date = NULL, erased_at = now() WHERE id = ?`, [erased]);
      expect(problemsOf(await payload(trx, TAG, { personId: pid(erased), tag: 'LOW_INCOME' }))).toEqual([['input.personId', expect.stringMatching(/erased/)]]);
      const nobody = pid('00000000-0000-4000-8000-000000000000');
      expect(await payload(trx, TAG, { personId: nobody, tag: 'LOW_INCOME' })).toMatchObject({ __typename: 'NotFoundError', id: nobody });
    }));
});

describe('untagPerson', () => {
  it('ends the tag and keeps its row (who, when, why); the tag can be given again', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      await tagged(trx, zhang, { tag: 'RELEASED_PRISONER', followUp: { attentionLevel: 'MEDIUM' } });
      await tagged(trx, zhang, { tag: 'LOW_INCOME' });
      expect(problemsOf(await payload(trx, UNTAG, { personId: pid(zhang), tag: 'RELEASED_PRISONER', reason: '  ' }))).toEqual([
        ['input.reason', expect.stringMatching(/say why/)],
      ]);
      expect(problemsOf(await payload(trx, UNTAG, { personId: pid(zhang), tag: 'KEY_YOUTH', reason: '误录' }))).toEqual([
        ['input.tag', 'tag: this person is not tagged KEY_YOUTH (their tags: RELEASED_PRISONER, LOW_INCOME)'],
      ]);
      const p = await payload(trx, UNTAG, { personId: pid(zhang), tag: 'RELEASED_PRISONER', reason: '帮教期满' }, w.w1);
      expect(p.person.tags.map((t: any) => t.tag)).toEqual(['LOW_INCOME']);
      const { rows } = await trx.raw(`SELECT removed_at, removed_by, removal_reason FROM person_tag WHERE person_id = ? AND tag = 'RELEASED_PRISONER'`, [zhang]);
      expect(rows).toEqual([{ removed_at: expect.any(Date), removed_by: 'test-grid_worker', removal_reason: '帮教期满' }]);
      await tagged(trx, zhang, { tag: 'RELEASED_PRISONER', followUp: { attentionLevel: 'LOW' } });
      const all = await trx.raw(`SELECT count(*)::int AS n FROM person_tag WHERE person_id = ? AND tag = 'RELEASED_PRISONER'`, [zhang]);
      expect(all.rows[0].n).toBe(2);
    }));
});

describe('logVisit', () => {
  it('logs a visit by the caller grid worker, keeps the grid its position resolved to, and moves the plan on', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      const since = addDays(today(), -20);
      await tagged(trx, zhang, { tag: 'COMMUNITY_CORRECTION', since, followUp: { attentionLevel: 'HIGH' } });
      // A visit three days ago, logged at a position in GA3 (next door): the visit keeps GA3.
      const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
      const r = await payload(trx, LOG, { personId: pid(zhang), visitedAt: threeDaysAgo.toISOString(), note: '谈话教育, 情绪稳定', location: at(1.2, 0.5) }, w.w1);
      expect(r.__typename).toBe('VisitSuccess');
      expect(r.visit).toMatchObject({
        tag: 'COMMUNITY_CORRECTION',
        visitedAt: threeDaysAgo.toISOString(),
        note: '谈话教育, 情绪稳定',
        location: at(1.2, 0.5),
        grid: { code: w.grids.GA3.code },
        worker: { name: w.workers.W1.name },
        person: { name: '张伟' },
      });
      const visitDay = todayInChina(threeDaysAgo.getTime());
      expect(r.followUp).toMatchObject({ lastVisitAt: threeDaysAgo.toISOString(), nextVisitDue: addDays(visitDay, 7), daysOverdue: 0 });

      // A visit logged late for an earlier day leaves the latest one as it was; no position, no grid; an ADMIN is no worker.
      const earlier = await payload(trx, LOG, { personId: pid(zhang), visitedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() });
      expect(earlier.visit).toMatchObject({ note: null, location: null, grid: null, worker: null });
      expect(earlier.followUp).toMatchObject({ lastVisitAt: threeDaysAgo.toISOString(), nextVisitDue: addDays(visitDay, 7) });

      // The note is sealed at rest; the visit reads through node(id), and the plan lists its visits newest first.
      const { rows } = await trx.raw('SELECT note_sealed FROM visit WHERE id = ?', [dbId(r.visit.id)]);
      expect(rows[0].note_sealed.toString('utf8')).not.toContain('谈话教育');
      expect(cipherFor(testConfig()).open(rows[0].note_sealed, SEALED.visitNote)).toBe('谈话教育, 情绪稳定');
      const node = ok(await execute(trx, `query($id: ID!) { node(id: $id) { ... on Visit { ${VISIT} } } }`, { id: r.visit.id }, { viewer: w.w1 })).node;
      expect(node).toEqual(r.visit);
      const page = async (after?: string) =>
        ok(
          await execute(
            trx,
            `query($id: ID!, $after: String) { person(id: $id) { tags { followUp { visits(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } } } }`,
            { id: pid(zhang), after },
            { viewer: w.w1 },
          ),
        ).person.tags[0].followUp.visits;
      const first = await page();
      expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ id: r.visit.id }] });
      const second = await page(first.pageInfo.endCursor);
      expect(second).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ id: earlier.visit.id }] });
    }));

  it('converts a GCJ-02 position before resolving its grid', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      await tagged(trx, zhang, { tag: 'KEY_YOUTH', followUp: { attentionLevel: 'LOW' } });
      // GCJ-02 shifts positions around here by some 500 m east and 300 m south at most: the middle of GA1 stays in GA1.
      const r = await payload(trx, LOG, { personId: pid(zhang), location: at(0.5, 0.5), crs: 'GCJ02' });
      expect(r.visit.grid.code).toBe(w.grids.GA1.code);
      expect(r.visit.location.lng).not.toBeCloseTo(at(0.5, 0.5).lng, 6);
    }));

  it('needs a special-group tag to follow up: the only one by default, named when there are several; not in the future', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      const none = await payload(trx, LOG, { personId: pid(zhang) });
      expect(problemsOf(none)).toEqual([['input.personId', expect.stringMatching(/no special group.*tagPerson/)]]);
      await tagged(trx, zhang, { tag: 'LOW_INCOME' });
      expect(problemsOf(await payload(trx, LOG, { personId: pid(zhang), tag: 'LOW_INCOME' }))).toEqual([['input.tag', expect.stringMatching(/care group/)]]);
      await tagged(trx, zhang, { tag: 'DRUG_REHABILITATION', followUp: { attentionLevel: 'HIGH' } });
      await tagged(trx, zhang, { tag: 'KEY_YOUTH', followUp: { attentionLevel: 'LOW' } });
      expect(problemsOf(await payload(trx, LOG, { personId: pid(zhang) }))).toEqual([
        ['input.tag', 'tag: this person has 2 special-group tags (DRUG_REHABILITATION, KEY_YOUTH); say which one the visit follows up'],
      ]);
      expect(problemsOf(await payload(trx, LOG, { personId: pid(zhang), tag: 'COMMUNITY_CORRECTION' }))).toEqual([
        ['input.tag', expect.stringMatching(/not tagged COMMUNITY_CORRECTION/)],
      ]);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const past = new Date(Date.now() - 400 * 86_400_000).toISOString();
      expect(problemsOf(await payload(trx, LOG, { personId: pid(zhang), tag: 'KEY_YOUTH', visitedAt: future, note: 'a\u0007', location: { lng: 500, lat: 30 } }))).toEqual([
        ['input.note', expect.stringMatching(/control character/)],
        ['input.visitedAt', expect.stringMatching(/in the future/)],
        ['input.location', expect.stringMatching(/lng/)],
      ]);
      expect(problemsOf(await payload(trx, LOG, { personId: pid(zhang), tag: 'KEY_YOUTH', visitedAt: past }))).toEqual([
        ['input.visitedAt', expect.stringMatching(/before the KEY_YOUTH follow-up began/)],
      ]);
      const ok1 = await payload(trx, LOG, { personId: pid(zhang), tag: 'KEY_YOUTH' });
      expect(ok1.visit.tag).toBe('KEY_YOUTH');
      const { rows } = await trx.raw('SELECT count(*)::int AS n FROM visit WHERE person_id = ?', [zhang]);
      expect(rows[0].n).toBe(1);
    }));
});

describe('overdueVisits', () => {
  /** Zhang (GA1, W1's, 8 days late), Li (BB, nobody's, 2 days late), Sun (GA1, due in 5 days), Zhou (moved out, late). */
  async function lateWorld(trx: Knex) {
    const w = await world(trx);
    const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
    const li = await person(trx, w.bbHouse, '李强');
    const sun = await person(trx, houseOf(w, 'h102'), '孙丽', { gender: 'FEMALE' });
    const zhou = await person(trx, houseOf(w, 'h201'), '周八');
    await tagged(trx, zhang, { tag: 'COMMUNITY_CORRECTION', since: addDays(today(), -15), followUp: { attentionLevel: 'HIGH' } });
    await tagged(trx, li, { tag: 'KEY_YOUTH', since: addDays(today(), -32), followUp: { attentionLevel: 'MEDIUM' } });
    await tagged(trx, sun, { tag: 'SEVERE_MENTAL_DISORDER', since: addDays(today(), -2), followUp: { attentionLevel: 'HIGH' } });
    await tagged(trx, sun, { tag: 'DISABLED' });
    await tagged(trx, zhou, { tag: 'RELEASED_PRISONER', since: addDays(today(), -100), followUp: { attentionLevel: 'LOW' } });
    await trx.raw(`UPDATE person SET status = 'MOVED_OUT', moved_out_on = ? WHERE id = ?`, [today(), zhou]);
    return { ...w, zhang, li, sun, zhou };
  }

  it('lists late plans of people living here in a subtree, most overdue first, a page at a time, or of one worker', () =>
    withRollback(async (trx) => {
      const w = await lateWorld(trx);
      const all = ok(await execute(trx, OVERDUE, { gridCode: w.districtCode }, { viewer: ADMIN })).overdueVisits;
      expect(all.totalCount).toBe(2);
      expect(all.edges.map((e: any) => e.node)).toEqual([
        {
          person: { name: '张伟', grid: { code: w.grids.GA1.code } },
          tag: 'COMMUNITY_CORRECTION',
          attentionLevel: 'HIGH',
          responsibleWorker: { name: w.workers.W1.name },
          lastVisitAt: null,
          nextVisitDue: addDays(today(), -8),
          daysOverdue: 8,
        },
        {
          person: { name: '李强', grid: { code: w.grids.MB1a.code } },
          tag: 'KEY_YOUTH',
          attentionLevel: 'MEDIUM',
          responsibleWorker: null,
          lastVisitAt: null,
          nextVisitDue: addDays(today(), -2),
          daysOverdue: 2,
        },
      ]);
      const first = ok(await execute(trx, OVERDUE, { gridId: toGlobalId('Grid', w.grids.D.id), first: 1 }, { viewer: ADMIN })).overdueVisits;
      expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { person: { name: '张伟' } } }] });
      const next = ok(await execute(trx, OVERDUE, { gridCode: w.districtCode, first: 1, after: first.pageInfo.endCursor }, { viewer: ADMIN })).overdueVisits;
      expect(next).toMatchObject({ pageInfo: { hasNextPage: false }, edges: [{ node: { person: { name: '李强' } } }] });

      const streetA = ok(await execute(trx, OVERDUE, { gridCode: w.grids.A.code }, { viewer: ADMIN })).overdueVisits;
      expect(streetA.edges.map((e: any) => e.node.person.name)).toEqual(['张伟']);
      const ofW1 = ok(await execute(trx, OVERDUE, { workerId: wid(w.workers.W1.id) }, { viewer: user('DISPATCHER', w.districtCode) })).overdueVisits;
      expect(ofW1.edges.map((e: any) => e.node.person.name)).toEqual(['张伟']);

      // A visit today takes Zhang off the list.
      await payload(trx, LOG, { personId: pid(w.zhang) }, w.w1);
      const after = ok(await execute(trx, OVERDUE, { gridCode: w.districtCode }, { viewer: ADMIN })).overdueVisits;
      expect(after.edges.map((e: any) => e.node.person.name)).toEqual(['李强']);

      const bad = await execute(trx, OVERDUE, { workerId: pid(w.zhang) }, { viewer: ADMIN });
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      expect(errorCode(await execute(trx, OVERDUE, { after: 'nonsense' }, { viewer: ADMIN }))).toBe('BAD_USER_INPUT');
    }));

  it("answers a grid worker's question: my grid's residents in a special group, and whose visits are late (README)", () =>
    withRollback(async (trx) => {
      const w = await lateWorld(trx);
      const query = /* GraphQL */ `
        query($grid: String!) {
          people(filter: { gridCode: $grid, tag: [COMMUNITY_CORRECTION, RELEASED_PRISONER, DRUG_REHABILITATION, SEVERE_MENTAL_DISORDER, KEY_YOUTH] }) {
            totalCount nodes { name idNumber tags { tag group followUp { nextVisitDue daysOverdue } } }
          }
          overdueVisits(gridCode: $grid) { totalCount nodes { person { name } tag daysOverdue responsibleWorker { name } } }
        }
      `;
      const r = ok(await execute(trx, query, { grid: w.grids.GA1.code }, { viewer: w.w1 }));
      expect(r.people.nodes.map((p: any) => p.name).sort()).toEqual(['孙丽', '张伟']);
      const sun = r.people.nodes.find((p: any) => p.name === '孙丽');
      expect(sun.tags.map((t: any) => [t.tag, t.group])).toEqual([['SEVERE_MENTAL_DISORDER', 'SPECIAL'], ['DISABLED', 'CARE']]);
      expect(r.overdueVisits).toEqual({ totalCount: 1, nodes: [{ person: { name: '张伟' }, tag: 'COMMUNITY_CORRECTION', daysOverdue: 8, responsibleWorker: { name: w.workers.W1.name } }] });
      // With no grid named: the caller's jurisdiction.
      const mine = ok(await execute(trx, `{ overdueVisits { totalCount } }`, {}, { viewer: w.w1 })).overdueVisits;
      expect(mine.totalCount).toBe(1);
      // Another grid is not theirs to read.
      expect(errorCode(await execute(trx, OVERDUE, { gridCode: w.grids.B.code }, { viewer: w.w1 }))).toBe('FORBIDDEN');
    }));
});

describe('expiringPermits', () => {
  it('lists floating residents whose permit expires within N days (expired included), soonest first', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const floating = (name: string, days: number, extra: Partial<PersonWrite> = {}) =>
        person(trx, houseOf(w, 'h102'), name, { residenceType: 'FLOATING', arrivedOn: '2024-01-01', permitNumber: `P-${name.length}${days}`, permitExpiresOn: addDays(today(), days), ...extra });
      await floating('十天', 10);
      await floating('过期', -5);
      await floating('六十天', 60);
      await floating('已迁出', 1, { status: 'MOVED_OUT' });
      await person(trx, w.bbHouse, '别处', { residenceType: 'FLOATING', arrivedOn: '2024-01-01', permitExpiresOn: addDays(today(), 3) });
      await person(trx, houseOf(w, 'h101'), '户籍');
      const list = async (vars: Record<string, unknown>, viewer: Viewer = ADMIN) => ok(await execute(trx, EXPIRING, vars, { viewer })).expiringPermits;
      const within30 = await list({ gridCode: w.grids.A.code });
      expect(within30.nodes).toEqual([
        { name: '过期', floating: { permitExpiresOn: addDays(today(), -5), permitDaysLeft: -5 } },
        { name: '十天', floating: { permitExpiresOn: addDays(today(), 10), permitDaysLeft: 10 } },
      ]);
      expect((await list({ gridCode: w.grids.A.code, withinDays: 90 })).nodes.map((n: any) => n.name)).toEqual(['过期', '十天', '六十天']);
      expect((await list({ gridCode: w.grids.A.code, withinDays: 0 })).nodes.map((n: any) => n.name)).toEqual(['过期']);
      const page1 = await list({ gridCode: w.districtCode, first: 2 });
      expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
      expect(page1.nodes.map((n: any) => n.name)).toEqual(['过期', '别处']);
      const page2 = await list({ gridCode: w.districtCode, first: 2, after: page1.pageInfo.endCursor });
      expect(page2.nodes.map((n: any) => n.name)).toEqual(['十天']);
      // A grid worker of GA1 by default: their own grid.
      expect((await list({}, w.w1)).nodes.map((n: any) => n.name)).toEqual(['过期', '十天']);
      expect(errorCode(await execute(trx, EXPIRING, { withinDays: 367 }, { viewer: ADMIN }))).toBe('BAD_USER_INPUT');
      expect(errorCode(await execute(trx, EXPIRING, { withinDays: -1 }, { viewer: ADMIN }))).toBe('BAD_USER_INPUT');
    }));
});

describe('who may', () => {
  it('refuses VIEWER, GIS_EDITOR and anonymous callers (FORBIDDEN) and staff outside the jurisdiction', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      await tagged(trx, zhang, { tag: 'COMMUNITY_CORRECTION', followUp: { attentionLevel: 'HIGH' } });
      const visit = await payload(trx, LOG, { personId: pid(zhang), note: '走访' });
      const outsiders: [string, Viewer][] = [
        ['anonymous', { kind: 'anonymous' }],
        ['VIEWER', user('VIEWER', w.districtCode)],
        ['GIS_EDITOR', user('GIS_EDITOR', w.districtCode)],
      ];
      const outside = user('GRID_WORKER', w.grids.GA3.code);
      for (const [who, viewer] of [...outsiders, ['GRID_WORKER of GA3', outside] as [string, Viewer]]) {
        const calls = {
          tagPerson: await run(trx, TAG, { personId: pid(zhang), tag: 'LOW_INCOME' }, viewer),
          untagPerson: await run(trx, UNTAG, { personId: pid(zhang), tag: 'COMMUNITY_CORRECTION', reason: '测试' }, viewer),
          logVisit: await run(trx, LOG, { personId: pid(zhang) }, viewer),
          visit: await execute(trx, `query($id: ID!) { node(id: $id) { id } }`, { id: visit.visit.id }, { viewer }),
        };
        const lists = {
          overdueVisits: await execute(trx, OVERDUE, { gridCode: w.grids.GA1.code }, { viewer }),
          expiringPermits: await execute(trx, EXPIRING, { gridCode: w.grids.GA1.code }, { viewer }),
        };
        for (const [name, result] of Object.entries({ ...calls, ...lists })) {
          expect({ who, name, code: errorCode(result) }).toEqual({ who, name, code: 'FORBIDDEN' });
        }
      }
      // The GA3 worker's own lists hold nobody of GA1.
      expect(ok(await execute(trx, OVERDUE, {}, { viewer: outside })).overdueVisits.totalCount).toBe(0);
      const { rows } = await trx.raw(
        'SELECT (SELECT count(*) FROM person_tag WHERE person_id = ?)::int AS tags, (SELECT count(*) FROM visit WHERE person_id = ?)::int AS visits',
        [zhang, zhang],
      );
      expect(rows[0]).toEqual({ tags: 1, visits: 1 });
    }));

  it('never returns special-group details on any read', () =>
    withRollback(async (trx) => {
      const w = await world(trx);
      const zhang = await person(trx, houseOf(w, 'h101'), '张伟');
      const secret = '贩毒前科-SECRET-4711';
      await tagged(trx, zhang, { tag: 'DRUG_REHABILITATION', since: addDays(today(), -30), details: secret, followUp: { attentionLevel: 'HIGH' } });
      await payload(trx, LOG, { personId: pid(zhang), note: '正常' }, w.w1);
      const reads = [
        await execute(trx, `query($id: ID!) { person(id: $id) { ${TAGS} } }`, { id: pid(zhang) }, { viewer: ADMIN }),
        await execute(trx, `{ people(filter: { tag: [DRUG_REHABILITATION] }) { nodes { name ${TAGS} } } }`, {}, { viewer: w.w1 }),
        await execute(trx, OVERDUE, {}, { viewer: ADMIN }),
        await execute(trx, `query($id: ID!) { person(id: $id) { tags { followUp { visits { nodes { ${VISIT} } } } } } }`, { id: pid(zhang) }, { viewer: w.w1 }),
        await run(trx, TAG, { personId: pid(zhang), tag: 'LOW_INCOME' }),
      ];
      for (const r of reads) {
        expect(r.errors).toBeUndefined();
        expect(JSON.stringify(r.data)).not.toContain('SECRET');
      }
      expect(ok(reads[0]).person.tags[0].hasDetails).toBe(true);
      const { rows } = await trx.raw(`SELECT details_sealed FROM person_tag WHERE person_id = ? AND tag = 'DRUG_REHABILITATION'`, [zhang]);
      expect(rows[0].details_sealed.toString('latin1')).not.toContain('SECRET');
      expect(cipherFor(testConfig()).open(rows[0].details_sealed, SEALED.tagDetails)).toBe(secret);
    }));
});
