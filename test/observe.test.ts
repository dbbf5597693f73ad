import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import knexFactory from 'knex';
import { observeQueries, queryName } from '../src/db/observe';
import { createAuthenticator } from '../src/modules/auth/authenticate';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

afterAll(closeTestDb);

describe('slow-query log', () => {
  it('logs each statement over the threshold with its name and duration', async () => {
    const lines: any[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
    const knex = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 1 } });
    observeQueries(knex, pino({ level: 'info' }, sink), 50);
    try {
      await knex.raw('/* quickOne */ SELECT 1');
      await knex.raw('/* sleepyOne */ SELECT pg_sleep(0.08)');
    } finally {
      await knex.destroy();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'slow query', query: 'sleepyOne', failed: false });
    expect(lines[0].ms).toBeGreaterThanOrEqual(50);
  });

  it('names a statement by its leading comment, or by its first characters', () => {
    expect(queryName('/* gridsByIds */ SELECT 1')).toBe('gridsByIds');
    expect(queryName('select   *\n from grid')).toBe('select * from grid');
  });
});

describe('npm run token', () => {
  it('prints a token the API accepts, with the role and jurisdiction asked for', async () => {
    const root = path.resolve(__dirname, '..');
    const env = { ...process.env, JWT_SECRET: 'k'.repeat(32), NODE_ENV: 'development' };
    const token = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/modules/auth/token-cli.ts', '--role', 'ADMIN', '--grid', '130105001'], {
      cwd: root,
      env,
      encoding: 'utf8',
    }).trim();
    const viewer = await createAuthenticator(testConfig({ JWT_SECRET: 'k'.repeat(32) }).jwt, testDb(), silentLog).authenticate(`Bearer ${token}`);
    expect(viewer).toMatchObject({ kind: 'user', role: 'ADMIN', jurisdictionCode: '130105001' });
  });
});
