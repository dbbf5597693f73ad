import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { createFixture, at, type Fixture } from './fixtures/grid';
import { closeTestDb, testDb, withRollback } from './support/db';
import { execute, ok, user, type Result } from './support/graphql';
import { mutate as gridMutate } from './support/edits';

/**
 * Grid workers: createWorker / updateWorker / assignWorker / unassignWorker / setWorkerStatus, who may call
 * them, who sees a worker's account and the authors of their status history, `me.worker`, the status history
 * as `resolveLocation(asOf:)` reads it, and two racing assignments on real connections.
 */

afterAll(closeTestDb);

const gid = (id: string) => toGlobalId('Grid', id);
const wid = (id: string) => toGlobalId('GridWorker', id);

const WORKER = /* GraphQL */ `
  id name account version phone phoneMasked role status
  statusHistory { status validFrom validTo changedBy changeReason }
  assignments { grid { code } isPrimary validFrom validTo }
  ended: assignments(includeEnded: true) { grid { code } isPrimary validFrom validTo }
`;

const FAILURES = /* GraphQL */ `
  __typename
  ... on ValidationError { message problemCount problems { code field message } }
  ... on NotFoundError { message id }
`;
const CONFLICT = /* GraphQL */ `... on WorkerConflictError { message currentVersion changedBy changedAt worker { version name } }`;

const SUCCESS: Record<string, string> = {
  createWorker: `... on CreateWorkerSuccess { worker { ${WORKER} } }`,
  updateWorker: `... on UpdateWorkerSuccess { worker { ${WORKER} } } ${CONFLICT}`,
  assignWorker: `... on AssignWorkerSuccess { worker { ${WORKER} } assignment { grid { code } isPrimary validFrom validTo } }`,
  unassignWorker: `... on UnassignWorkerSuccess { worker { ${WORKER} } assignment { grid { code } isPrimary validFrom validTo } }`,
  setWorkerStatus: `... on SetWorkerStatusSuccess { worker { ${WORKER} } } ${CONFLICT}`,
};

type WorkerMutation = 'createWorker' | 'updateWorker' | 'assignWorker' | 'unassignWorker' | 'setWorkerStatus';

function workerQuery(mutation: WorkerMutation): string {
  const input = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
  return `mutation($input: ${input}!) { ${mutation}(input: $input) { ${FAILURES} ${SUCCESS[mutation]} } }`;
}

/** Runs a worker mutation as it comes back (errors included). */
function run(db: Knex, mutation: WorkerMutation, input: object, viewer?: Viewer): Promise<Result> {
  return execute(db, workerQuery(mutation), { input }, { viewer });
}

/** Runs a worker mutation that must not raise GraphQL errors, and returns its payload. */
async function mutate(db: Knex, mutation: WorkerMutation, input: object, viewer: Viewer): Promise<any> {
  return ok(await run(db, mutation, input, viewer))[mutation];
}

/** The GraphQL error code of a result that must have failed with exactly one error. */
function errorCode(result: Result): string | undefined {
  expect(result.errors).toHaveLength(1);
  return result.errors![0].extensions?.code;
}

/** Everything about workers, their assignments and status history: a refused edit leaves it as it was. */
async function workerSnapshot(db: Knex): Promise<string> {
  const { rows } = await db.raw(`SELECT
    (SELECT count(*) FROM grid_worker) AS workers,
    (SELECT md5(string_agg(concat_ws('|', id, name, phone, role, status, account, version, updated_at, changed_by, change_reason), ',' ORDER BY id)) FROM grid_worker) AS worker_rows,
    (SELECT count(*) FROM grid_assignment) AS assignments,
    (SELECT md5(string_agg(concat_ws('|', id, worker_id, grid_id, is_primary, valid_from, valid_to, created_by, ended_by, end_reason), ',' ORDER BY id)) FROM grid_assignment) AS assignment_rows,
    (SELECT count(*) FROM grid_worker_status) AS statuses,
    (SELECT md5(string_agg(concat_ws('|', worker_id, status, valid_from, valid_to, changed_by, change_reason), ',' ORDER BY worker_id, valid_from)) FROM grid_worker_status) AS status_rows`);
  return JSON.stringify(rows[0]);
}

/** Makes the next clock_timestamp() at least `ms` later, so status periods are apart at millisecond precision. */
const pause = (db: Knex, ms = 20) => db.raw('SELECT pg_sleep(?)', [ms / 1000]);

/** An instant `ms` after (or before, if negative) an RFC 3339 instant, as the DateTime scalar reads it. */
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const dispatcherOf = (f: Fixture) => user('DISPATCHER', f.districtCode);

const RESOLVE = /* GraphQL */ `
  query($lng: Float!, $lat: Float!, $asOf: DateTime) {
    resolveLocation(lng: $lng, lat: $lat, asOf: $asOf) { grid { code } responsibleGrid { code } responsibleWorkers { id name } }
  }
`;

async function resolveAt(db: Knex, p: { lng: number; lat: number }, asOf?: string) {
  return ok(await execute(db, RESOLVE, { ...p, asOf })).resolveLocation as {
    grid: { code: string };
    responsibleGrid: { code: string } | null;
    responsibleWorkers: { id: string; name: string }[];
  };
}

async function workerAs(db: Knex, workerId: string, viewer?: Viewer, fields = 'account') {
  return ok(await execute(db, `query($id: ID!) { node(id: $id) { ... on GridWorker { ${fields} } } }`, { id: wid(workerId) }, { viewer })).node;
}

describe('createWorker', () => {
  it('creates a worker on a grid: phone normalised, account kept, primary assignment, one ACTIVE period', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = await mutate(
        trx,
        'createWorker',
        { name: ' 张三 ', phone: '+86 139-0000-0001', role: 'FULL_TIME', gridId: gid(f.grids.GA3.id), account: 'zhang.san', reason: '新聘' },
        dispatcherOf(f),
      );
      expect(r.__typename).toBe('CreateWorkerSuccess');
      const w = r.worker;
      expect(w).toMatchObject({ name: '张三', account: 'zhang.san', version: 1, phone: '13900000001', phoneMasked: false, role: 'FULL_TIME', status: 'ACTIVE' });
      const id = (await trx('grid_worker').where({ account: 'zhang.san' }).first()) as { id: string; phone: string; role: string; name: string };
      expect(w.id).toBe(wid(id.id));
      expect({ phone: id.phone, role: id.role, name: id.name }).toEqual({ phone: '13900000001', role: 'FULL_TIME', name: '张三' });

      expect(w.assignments).toEqual([{ grid: { code: f.grids.GA3.code }, isPrimary: true, validFrom: expect.any(String), validTo: null }]);
      const grid = ok(await execute(trx, `query($id: ID!) { grid(id: $id) { workers { id name } } }`, { id: gid(f.grids.GA3.id) }));
      expect(grid.grid.workers).toEqual([{ id: w.id, name: '张三' }]);

      expect(w.statusHistory).toEqual([{ status: 'ACTIVE', validFrom: expect.any(String), validTo: null, changedBy: 'test-dispatcher', changeReason: '新聘' }]);
    }));

  it('lists every problem of a bad input with its field, and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const taken = await mutate(trx, 'createWorker', { name: '李四', phone: '13900000002', role: 'PART_TIME', gridId: gid(f.grids.GA3.id), account: 'li.si' }, dispatcherOf(f));
      expect(taken.__typename).toBe('CreateWorkerSuccess');
      const before = await workerSnapshot(trx);
      const r = await mutate(
        trx,
        'createWorker',
        { name: '   ', phone: '010-12345678', role: 'FULL_TIME', gridId: gid(f.grids.GA4.id), account: 'li.si', reason: 'x' },
        dispatcherOf(f),
      );
      expect(r.__typename).toBe('ValidationError');
      expect(r.problemCount).toBe(3);
      expect(r.problems.map((p: any) => [p.code, p.field])).toEqual([
        ['BAD_NAME', 'input.name'],
        ['BAD_VALUE', 'input.phone'],
        ['BAD_VALUE', 'input.account'],
      ]);
      expect(r.problems[1].message).toMatch(/landline/);
      expect(r.problems[2].message).toMatch(/li\.si is already another worker's account/);
      expect(await workerSnapshot(trx)).toBe(before);
    }));
});

describe('authorization of worker management', () => {
  it('createWorker: anonymous UNAUTHENTICATED; VIEWER, GIS_EDITOR, GRID_WORKER and a DISPATCHER of another street FORBIDDEN; ADMIN may', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const input = { name: '王五', phone: '13900000003', role: 'FULL_TIME', gridId: gid(f.grids.GA3.id) };
      const before = await workerSnapshot(trx);
      expect(errorCode(await run(trx, 'createWorker', input))).toBe('UNAUTHENTICATED');
      for (const role of ['VIEWER', 'GIS_EDITOR', 'GRID_WORKER'] as const) {
        expect([role, errorCode(await run(trx, 'createWorker', input, user(role, f.districtCode)))]).toEqual([role, 'FORBIDDEN']);
      }
      const otherStreet = await run(trx, 'createWorker', input, user('DISPATCHER', f.grids.B.code));
      expect(errorCode(otherStreet)).toBe('FORBIDDEN');
      expect(otherStreet.errors![0].message).toMatch(/outside your jurisdiction/);
      expect(await workerSnapshot(trx)).toBe(before);

      const admin = await mutate(trx, 'createWorker', input, user('ADMIN'));
      expect(admin.__typename).toBe('CreateWorkerSuccess');
      expect(admin.worker.assignments).toEqual([expect.objectContaining({ grid: { code: f.grids.GA3.code }, isPrimary: true })]);
    }));

  it('assignWorker into a grid outside the jurisdiction, or of a worker outside it, is FORBIDDEN; ADMIN may', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const input = { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GB1.id), reason: '支援' };
      const before = await workerSnapshot(trx);
      expect(errorCode(await run(trx, 'assignWorker', input))).toBe('UNAUTHENTICATED');
      for (const role of ['VIEWER', 'GIS_EDITOR', 'GRID_WORKER'] as const) {
        expect([role, errorCode(await run(trx, 'assignWorker', input, user(role, f.districtCode)))]).toEqual([role, 'FORBIDDEN']);
      }
      // The worker (on GA1) lies in street A, the grid GB1 in street B: each dispatcher lacks one of them.
      expect(errorCode(await run(trx, 'assignWorker', input, user('DISPATCHER', f.grids.A.code)))).toBe('FORBIDDEN');
      expect(errorCode(await run(trx, 'assignWorker', input, user('DISPATCHER', f.grids.B.code)))).toBe('FORBIDDEN');
      expect(await workerSnapshot(trx)).toBe(before);

      const admin = await mutate(trx, 'assignWorker', input, user('ADMIN'));
      expect(admin.__typename).toBe('AssignWorkerSuccess');
      expect(admin.assignment).toMatchObject({ grid: { code: f.grids.GB1.code }, isPrimary: false, validTo: null });
    }));
});

describe('updateWorker', () => {
  it('bumps the version; a stale expectedVersion gets a WorkerConflictError and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const id = wid(f.workers.W1.id);
      const first = await mutate(trx, 'updateWorker', { id, expectedVersion: 1, name: '新名字', phone: '139 0000 0009', reason: '改名' }, { ...dispatcherOf(f), subject: 'li.ming' });
      expect(first.__typename).toBe('UpdateWorkerSuccess');
      expect(first.worker).toMatchObject({ name: '新名字', phone: '13900000009', version: 2 });

      const before = await workerSnapshot(trx);
      const stale = await mutate(trx, 'updateWorker', { id, expectedVersion: 1, name: '另一个名字', reason: '旧版本' }, dispatcherOf(f));
      expect(stale).toMatchObject({ __typename: 'WorkerConflictError', currentVersion: 2, changedBy: 'li.ming', worker: { version: 2, name: '新名字' } });
      expect(stale.message).toMatch(/version 2, not 1/);
      expect(await workerSnapshot(trx)).toBe(before);
    }));
});

describe('assignWorker and unassignWorker', () => {
  it('moves the primary grid, refuses a double assignment, ends an assignment with its reason, then lets the grid retire', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const dispatcher = dispatcherOf(f);
      const workerId = wid(f.workers.W1.id);

      const second = await mutate(trx, 'assignWorker', { workerId, gridId: gid(f.grids.GA3.id), primary: true, reason: '调岗' }, dispatcher);
      expect(second.__typename).toBe('AssignWorkerSuccess');
      expect(second.assignment).toMatchObject({ grid: { code: f.grids.GA3.code }, isPrimary: true, validTo: null });
      expect(second.worker.assignments.map((a: any) => [a.grid.code, a.isPrimary])).toEqual([
        [f.grids.GA3.code, true],
        [f.grids.GA1.code, false],
      ]);

      const before = await workerSnapshot(trx);
      const twice = await mutate(trx, 'assignWorker', { workerId, gridId: gid(f.grids.GA3.id) }, dispatcher);
      expect(twice.__typename).toBe('ValidationError');
      expect(twice.problems.map((p: any) => [p.code, p.field])).toEqual([['BAD_VALUE', 'input.gridId']]);
      expect(await workerSnapshot(trx)).toBe(before);

      // GA1 (no children) is still W1's: it cannot retire yet.
      const editor = user('GIS_EDITOR', f.districtCode);
      const version = (await trx('grid').where({ id: f.grids.GA1.id }).first()).version as number;
      const refused = await gridMutate(trx, 'retireGrid', { id: gid(f.grids.GA1.id), expectedVersion: version, reason: '撤销' }, editor);
      expect(refused.problems!.map((p) => p.code)).toEqual(['HAS_DEPENDANTS']);

      const un = await mutate(trx, 'unassignWorker', { workerId, gridId: gid(f.grids.GA1.id), reason: '网格撤销' }, dispatcher);
      expect(un.__typename).toBe('UnassignWorkerSuccess');
      expect(un.assignment).toMatchObject({ grid: { code: f.grids.GA1.code }, isPrimary: false });
      expect(un.assignment.validTo).not.toBeNull();
      expect(un.worker.assignments.map((a: any) => a.grid.code)).toEqual([f.grids.GA3.code]);
      expect(un.worker.ended.map((a: any) => [a.grid.code, a.validTo === null])).toEqual([
        [f.grids.GA3.code, true],
        [f.grids.GA1.code, false],
      ]);
      expect(un.worker.ended[1].validTo).toBe(un.assignment.validTo);
      const { rows } = await trx.raw('SELECT ended_by, end_reason FROM grid_assignment WHERE worker_id = ? AND grid_id = ?', [f.workers.W1.id, f.grids.GA1.id]);
      expect(rows).toEqual([{ ended_by: 'test-dispatcher', end_reason: '网格撤销' }]);

      const retired = await gridMutate(trx, 'retireGrid', { id: gid(f.grids.GA1.id), expectedVersion: version, reason: '撤销' }, editor, '... on RetireGridSuccess { grid { validTo } }');
      expect(retired.__typename).toBe('RetireGridSuccess');
      expect(retired.grid.validTo).not.toBeNull();
    }));
});

describe('setWorkerStatus', () => {
  it('keeps every status as a period, and resolveLocation(asOf:) answers with the status in force then', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const dispatcher = dispatcherOf(f);
      const id = wid(f.workers.W1.id);
      const inGA1 = at(0.5, 0.5);

      await pause(trx);
      const leave = await mutate(trx, 'setWorkerStatus', { id, status: 'ON_LEAVE', reason: '病假' }, dispatcher);
      expect(leave.__typename).toBe('SetWorkerStatusSuccess');
      expect(leave.worker).toMatchObject({ status: 'ON_LEAVE', version: 2 });
      // While on leave, GA1 falls back to its community A1 (W3).
      const nowOnLeave = await resolveAt(trx, inGA1);
      expect(nowOnLeave.responsibleGrid).toEqual({ code: f.grids.A1.code });
      expect(nowOnLeave.responsibleWorkers.map((w) => w.id)).toEqual([wid(f.workers.W3.id)]);

      await pause(trx);
      const back = await mutate(trx, 'setWorkerStatus', { id, status: 'ACTIVE', reason: '销假' }, dispatcher);
      expect(back.__typename).toBe('SetWorkerStatusSuccess');
      const h = back.worker.statusHistory;
      expect(h.map((p: any) => [p.status, p.changeReason])).toEqual([
        ['ACTIVE', '销假'],
        ['ON_LEAVE', '病假'],
        ['ACTIVE', null],
      ]);
      expect(h[0].validTo).toBeNull();
      expect(h[1].validTo).toBe(h[0].validFrom);
      expect(h[2].validTo).toBe(h[1].validFrom);
      expect(Date.parse(h[2].validFrom)).toBeLessThan(Date.parse(h[1].validFrom));
      expect(Date.parse(h[1].validFrom)).toBeLessThan(Date.parse(h[0].validFrom));

      // validFrom is shown to the millisecond (truncated): +10 ms lies inside the 20 ms leave, -5 ms before it.
      const whileOnLeave = await resolveAt(trx, inGA1, shift(h[1].validFrom, 10));
      expect(whileOnLeave.grid).toEqual({ code: f.grids.GA1.code });
      expect(whileOnLeave.responsibleGrid).toEqual({ code: f.grids.A1.code });
      expect(whileOnLeave.responsibleWorkers.map((w) => w.id)).not.toContain(id);
      expect(whileOnLeave.responsibleWorkers.map((w) => w.id)).toEqual([wid(f.workers.W3.id)]);

      const beforeLeave = await resolveAt(trx, inGA1, shift(h[1].validFrom, -5));
      expect(beforeLeave.responsibleGrid).toEqual({ code: f.grids.GA1.code });
      expect(beforeLeave.responsibleWorkers.map((w) => w.id)).toEqual([id]);

      const now = await resolveAt(trx, inGA1);
      expect(now.responsibleGrid).toEqual({ code: f.grids.GA1.code });
      expect(now.responsibleWorkers.map((w) => w.id)).toEqual([id]);
    }));

  it('LEFT ends every current assignment with the reason given', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const dispatcher = dispatcherOf(f);
      const id = wid(f.workers.W1.id);
      expect((await mutate(trx, 'assignWorker', { workerId: id, gridId: gid(f.grids.GA3.id) }, dispatcher)).__typename).toBe('AssignWorkerSuccess');
      const r = await mutate(trx, 'setWorkerStatus', { id, status: 'LEFT', reason: '辞职', expectedVersion: 1 }, dispatcher);
      expect(r.__typename).toBe('SetWorkerStatusSuccess');
      expect(r.worker.status).toBe('LEFT');
      expect(r.worker.assignments).toEqual([]);
      expect(r.worker.ended.map((a: any) => a.grid.code).sort()).toEqual([f.grids.GA1.code, f.grids.GA3.code].sort());
      expect(r.worker.ended.every((a: any) => a.validTo !== null)).toBe(true);
      const { rows } = await trx.raw('SELECT g.code, a.valid_to IS NOT NULL AS ended, a.ended_by, a.end_reason FROM grid_assignment a JOIN grid g ON g.id = a.grid_id WHERE a.worker_id = ? ORDER BY g.code', [f.workers.W1.id]);
      expect(rows).toEqual([
        { code: f.grids.GA1.code, ended: true, ended_by: 'test-dispatcher', end_reason: '辞职' },
        { code: f.grids.GA3.code, ended: true, ended_by: 'test-dispatcher', end_reason: '辞职' },
      ]);
      // The other workers' assignments are untouched.
      const { rows: others } = await trx.raw('SELECT count(*)::int AS n FROM grid_assignment WHERE worker_id = ANY(?::uuid[]) AND valid_to IS NULL', [[f.workers.W2.id, f.workers.W3.id]]);
      expect(others[0].n).toBe(2);
      const ga1 = ok(await execute(trx, `query($id: ID!) { grid(id: $id) { workers { id } } }`, { id: gid(f.grids.GA1.id) }));
      expect(ga1.grid.workers).toEqual([]);
    }));
});

describe('who sees what of a worker', () => {
  it('me.worker is the worker whose account is the caller\'s subject, and null for anyone else', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const set = await mutate(trx, 'updateWorker', { id: wid(f.workers.W1.id), expectedVersion: 1, account: 'w1.app' }, dispatcherOf(f));
      expect(set.__typename).toBe('UpdateWorkerSuccess');
      const me = (viewer: Viewer) => execute(trx, '{ me { subject worker { id name } } }', {}, { viewer });
      const mine = ok(await me({ ...user('VIEWER', f.grids.GA1.code), subject: 'w1.app' }));
      expect(mine.me).toEqual({ subject: 'w1.app', worker: { id: wid(f.workers.W1.id), name: f.workers.W1.name } });
      const other = ok(await me({ ...user('GRID_WORKER', f.grids.GA1.code), subject: 'someone.else' }));
      expect(other.me).toEqual({ subject: 'someone.else', worker: null });
    }));

  it('account: null for a VIEWER and a DISPATCHER of another street; shown to ADMIN and a DISPATCHER of the worker\'s area', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const set = await mutate(trx, 'updateWorker', { id: wid(f.workers.W1.id), expectedVersion: 1, account: 'w1.app' }, dispatcherOf(f));
      expect(set.worker.account).toBe('w1.app');
      const cases: [string, Viewer | undefined, string | null][] = [
        ['anonymous', undefined, null],
        ['VIEWER', user('VIEWER', f.districtCode), null],
        ['DISPATCHER of street B', user('DISPATCHER', f.grids.B.code), null],
        ['ADMIN', user('ADMIN'), 'w1.app'],
        ['DISPATCHER of street A', user('DISPATCHER', f.grids.A.code), 'w1.app'],
        ['DISPATCHER of GA1', user('DISPATCHER', f.grids.GA1.code), 'w1.app'],
      ];
      for (const [who, viewer, expected] of cases) {
        expect([who, (await workerAs(trx, f.workers.W1.id, viewer)).account]).toEqual([who, expected]);
      }
      // The same through the grid's list of workers.
      const viaGrid = async (viewer: Viewer) =>
        ok(await execute(trx, `query($id: ID!) { grid(id: $id) { workers { account } } }`, { id: gid(f.grids.GA1.id) }, { viewer })).grid.workers;
      expect(await viaGrid(user('DISPATCHER', f.grids.B.code))).toEqual([{ account: null }]);
      expect(await viaGrid(user('DISPATCHER', f.grids.A.code))).toEqual([{ account: 'w1.app' }]);
    }));

  it('statusHistory.changedBy and changeReason: null for anonymous callers and VIEWERs, shown to a DISPATCHER', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = await mutate(trx, 'setWorkerStatus', { id: wid(f.workers.W1.id), status: 'ON_LEAVE', reason: '产假' }, { ...dispatcherOf(f), subject: 'li.ming' });
      expect(r.__typename).toBe('SetWorkerStatusSuccess');
      const latest = async (viewer?: Viewer) => (await workerAs(trx, f.workers.W1.id, viewer, 'statusHistory { status changedBy changeReason }')).statusHistory[0];
      expect(await latest()).toEqual({ status: 'ON_LEAVE', changedBy: null, changeReason: null });
      expect(await latest(user('VIEWER', f.districtCode))).toEqual({ status: 'ON_LEAVE', changedBy: null, changeReason: null });
      expect(await latest(user('DISPATCHER', f.grids.A.code))).toEqual({ status: 'ON_LEAVE', changedBy: 'li.ming', changeReason: '产假' });
    }));
});

/** Polls `done` until it holds or a few seconds have passed (then the test goes on and its assertions decide). */
async function waitUntil(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('racing assignments', () => {
  it('lets exactly one of two concurrent assignWorker of the same worker to the same grid succeed; the other gets a ValidationError', async () => {
    // Real commits on separate connections, so everything written is removed by hand afterwards.
    const db = testDb();
    const f = await createFixture(db);
    try {
      const assign = (who: string) =>
        run(db, 'assignWorker', { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GA3.id), reason: who }, { ...dispatcherOf(f), subject: who });
      // A third connection holds the worker's row while both requests start, so both are in flight at once
      // (each waits for the row: to lock it, or for the foreign key check of its insert) before either runs on.
      const holder = await db.transaction();
      let results: Result[];
      try {
        const { rows: [{ pid }] } = await holder.raw('SELECT pg_backend_pid() AS pid');
        await holder.raw('SELECT 1 FROM grid_worker WHERE id = ? FOR UPDATE', [f.workers.W1.id]);
        const racing = Promise.all([assign('li'), assign('zhang')]);
        // Waiting on the holder, or queued behind a connection that is (a row's waiters queue up).
        const waiting = `WITH b AS (SELECT pid, pg_blocking_pids(pid) AS by FROM pg_stat_activity WHERE datname = current_database())
          SELECT count(*)::int AS n FROM b WHERE ?::int = ANY(by) OR by && ARRAY(SELECT pid FROM b WHERE ?::int = ANY(by))`;
        await waitUntil(async () => (await db.raw(waiting, [pid, pid])).rows[0].n >= 2);
        await holder.rollback();
        results = await racing;
      } finally {
        if (!holder.isCompleted()) await holder.rollback();
      }
      for (const r of results) expect(r.errors).toBeUndefined();
      const payloads = results.map((r) => r.data!.assignWorker);
      expect(payloads.map((p) => p.__typename).sort()).toEqual(['AssignWorkerSuccess', 'ValidationError']);
      const loser = payloads.find((p) => p.__typename === 'ValidationError');
      expect(loser.problems.map((p: any) => [p.code, p.field])).toEqual([['BAD_VALUE', 'input.gridId']]);
      const { rows } = await db.raw('SELECT count(*)::int AS n FROM grid_assignment WHERE worker_id = ? AND grid_id = ? AND valid_to IS NULL', [f.workers.W1.id, f.grids.GA3.id]);
      expect(rows[0].n).toBe(1);
    } finally {
      await removeFixture(db, f);
    }
  });
});

/** Removes a committed fixture: its workers (status history, assignments) and its grids, deepest first. */
async function removeFixture(db: Knex, f: Fixture): Promise<void> {
  const workerIds = Object.values(f.workers).map((w) => w.id);
  await db.raw('DELETE FROM grid_worker_status WHERE worker_id = ANY(?::uuid[])', [workerIds]);
  await db.raw(`DELETE FROM grid_assignment WHERE worker_id = ANY(?::uuid[]) OR grid_id IN (SELECT id FROM grid WHERE code LIKE ?)`, [workerIds, `${f.districtCode}%`]);
  await db.raw('DELETE FROM grid_worker WHERE id = ANY(?::uuid[])', [workerIds]);
  await db.raw(`DELETE FROM grid_version WHERE grid_id IN (SELECT id FROM grid WHERE code LIKE ?)`, [`${f.districtCode}%`]);
  for (const depth of [4, 3, 2, 1, 0]) await db.raw(`DELETE FROM grid WHERE code LIKE ? AND depth >= ?`, [`${f.districtCode}%`, depth]);
}

describe('what concerns the whole worker', () => {
  it('is refused to a DISPATCHER who holds only one of the streets the worker is on', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      // W1 (street A, on GA1) also helps on GB1 in street B.
      ok(await run(trx, 'assignWorker', { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GB1.id) }, user('ADMIN')));
      const before = await workerSnapshot(trx);
      const dispatcherOfA = user('DISPATCHER', f.grids.A.code);
      for (const [mutation, input] of [
        ['setWorkerStatus', { id: wid(f.workers.W1.id), status: 'LEFT', reason: '离职' }],
        ['setWorkerStatus', { id: wid(f.workers.W1.id), status: 'ON_LEAVE', reason: '休假' }],
        ['updateWorker', { id: wid(f.workers.W1.id), expectedVersion: 1, phone: '13900000009' }],
        ['assignWorker', { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GA3.id), primary: true }],
      ] as const) {
        const r = await run(trx, mutation, input, dispatcherOfA);
        expect([mutation, errorCode(r)]).toEqual([mutation, 'FORBIDDEN']);
        expect(r.errors![0].message).toMatch(new RegExp(`who is also on ${f.grids.GB1.code}, lies outside your jurisdiction`));
      }
      expect(await workerSnapshot(trx)).toBe(before);
      // Within their reach: ending the assignment in their own street.
      const mine = await mutate(trx, 'unassignWorker', { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GA1.id), reason: '调整' }, dispatcherOfA);
      expect(mine.__typename).toBe('UnassignWorkerSuccess');
    }));

  it('makes an assignment wait for an edit that holds the grid (a retire), instead of slipping under it', async () => {
    const db = testDb();
    const f = await createFixture(db);
    const holder = await db.transaction();
    try {
      // What retireGrid holds while it checks that no worker is left on GA3.
      await holder.raw(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [`grid:${f.grids.GA3.id}`]);
      let done = false;
      const assigning = run(db, 'assignWorker', { workerId: wid(f.workers.W1.id), gridId: gid(f.grids.GA3.id) }, user('ADMIN')).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await holder.commit();
      expect(ok(await assigning).assignWorker.__typename).toBe('AssignWorkerSuccess');
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
      await removeFixture(db, f);
    }
  });
});
