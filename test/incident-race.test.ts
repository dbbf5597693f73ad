import knexFactory, { type Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { incidentMutation } from './fixtures/incident';
import { testDatabaseUrl } from './support/env';
import { execute, ok, user } from './support/graphql';
import { removeIncidents } from './support/incidents';

/**
 * Two dispatchers (and then ten) assigning one incident at the same moment, each on a connection of its own and
 * committing for real, as on the server: exactly one assignment happens; the others get a VersionConflict naming
 * who got there first. The incidents are reported in the demo district (committed) under a category and title no
 * other test reads, and removed afterwards.
 */
const RACERS = 10;
let db: Knex;

beforeAll(async () => {
  db = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: RACERS + 2 } });
  db.setMaxListeners(RACERS + 10);
  // Open the connections up front so that the racers start together rather than staggered by connection set-up.
  await Promise.all(Array.from({ length: RACERS }, () => db.raw('SELECT pg_sleep(0.05)')));
  ok(await execute(db, '{ __typename }'));
});

/** The incidents this file committed, removed at the end. */
const committed: string[] = [];

afterAll(async () => {
  if (db) await removeIncidents(db, committed);
  await db?.destroy();
});

const STREET = '130105001';
const dispatcher = (n: number) => ({ ...user('DISPATCHER', STREET), subject: `race-dispatcher-${n}` });

async function workersOfStreet(count: number): Promise<string[]> {
  const { rows } = await db.raw(
    `SELECT w.id FROM grid_worker w JOIN grid_assignment a ON a.worker_id = w.id AND a.valid_to IS NULL JOIN grid g ON g.id = a.grid_id
     WHERE g.code LIKE ? AND g.level = 'GRID' AND w.status = 'ACTIVE' ORDER BY g.code LIMIT ?`,
    [`${STREET}%`, count],
  );
  return rows.map((r: { id: string }) => toGlobalId('GridWorker', r.id));
}

/** A hotline report in the street, accepted: waiting to be assigned. */
async function acceptedIncident(): Promise<{ id: string; version: number }> {
  const reported = await incidentMutation(db, 'reportIncident', {
    category: 'OTHER', title: `并发分派测试 ${Date.now()}`, channel: 'HOTLINE_12345', location: { lng: 114.44171, lat: 38.03005 },
  }, dispatcher(0), 'id version status');
  committed.push(reported.incident.id);
  const accepted = await incidentMutation(db, 'acceptIncident', { id: reported.incident.id, expectedVersion: reported.incident.version }, dispatcher(0), 'id version status');
  expect(accepted.incident.status).toBe('ACCEPTED');
  return accepted.incident;
}

async function race(racers: number): Promise<void> {
  const incident = await acceptedIncident();
  const workers = await workersOfStreet(racers);
  expect(workers).toHaveLength(racers);
  const results = await Promise.allSettled(
    workers.map((workerId, n) => incidentMutation(db, 'assignIncident', { id: incident.id, expectedVersion: incident.version, workerId }, dispatcher(n + 1), 'version assignee { id }')),
  );
  const payloads = results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const won = payloads.filter((p) => p.__typename === 'IncidentSuccess');
  const lost = payloads.filter((p) => p.__typename === 'VersionConflict');
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(racers - 1);
  const winner = payloads.indexOf(won[0]);
  for (const conflict of lost) expect(conflict).toMatchObject({ currentVersion: incident.version + 1, changedBy: `race-dispatcher-${winner + 1}` });
  const read = ok(await execute(db, `{ incident(id: "${incident.id}") { version assignee { id } timeline { action } } }`, {}, { viewer: dispatcher(0) })).incident;
  expect(read).toMatchObject({ version: incident.version + 1, assignee: { id: workers[winner] } });
  expect(read.timeline.filter((e: { action: string }) => e.action === 'ASSIGN')).toHaveLength(1);
}

it('lets one of two dispatchers assign an incident; the other gets a VersionConflict', async () => {
  // Two racers may happen not to overlap: five rounds make an unlocked check fail all but surely.
  for (let round = 0; round < 5; round++) await race(2);
});

it('lets one of ten racing dispatchers assign it', () => race(RACERS));
