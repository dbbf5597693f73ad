import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { signToken } from '../src/modules/auth/jwt';

/**
 * The `npm start` path on the embedded PostgreSQL + PostGIS (PGlite): a real process on a fresh DATA_DIR
 * migrates, seeds the demo district with progress, serves a resolve, stops cleanly on SIGTERM, and on the
 * next start finds its data on disk instead of seeding again.
 */
jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-registry-embedded-'));

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startEmbedded(): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" line within 200 s:\n${out}`)), 200_000);
    child.stdout!.on('data', () => {
      const m = /Grid registry ready: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}`));
    });
  });
}

function stop(running: Running): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.on('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

async function graphql(url: string, query: string, variables: object = {}, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return ((await res.json()) as any).data;
}

async function resolveAt(url: string, lng: number, lat: number) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { grid { code level } chain { name } } }',
      variables: { lng, lat },
    }),
  });
  return ((await res.json()) as any).data.resolveLocation;
}

it('starts on a fresh data directory, seeds, resolves, stops, and restarts on the same data', async () => {
  const first = await startEmbedded();
  try {
    expect(first.output()).toMatch(/seeding/i);
    expect(first.output()).toMatch(/demo district seeded/);
    // Xinhua district's centre lies in the demo district.
    const r = await resolveAt(first.url, 114.46, 38.05);
    expect(r.grid.code).toMatch(/^130105\d{12}$/);
    expect(r.chain[0].name).toBe('新华区');

    // The editing path on the embedded PostGIS too: a school overlay drawn a little sloppily, snapped and
    // clipped into its community, then a bow-tie refused.
    const token = await signToken(loadConfig({}).jwt, { subject: 'gis', role: 'GIS_EDITOR', grid: '130105' });
    const community = await graphql(first.url, '{ grid(code: "130105001015") { id micro: children(first: 1) { nodes { children(first: 1) { nodes { centroid { lng lat } } } } } } }');
    const c = community.grid.micro.nodes[0].children.nodes[0].centroid;
    const d = 0.0003;
    const school = [[c.lng - d, c.lat - d], [c.lng + d, c.lat - d], [c.lng + d, c.lat + d], [c.lng - d, c.lat + d], [c.lng - d, c.lat - d]];
    const create = `mutation($input: CreateGridInput!) { createGrid(input: $input) {
      __typename ... on CreateGridSuccess { grid { code level version } } ... on ValidationError { problems { code location { lng lat } } } } }`;
    const input = { name: '示范学校专属网格', level: 'DEDICATED', parentId: community.grid.id, boundary: { type: 'Polygon', coordinates: [school] } };
    const made = await graphql(first.url, create, { input: { ...input, options: { clipToParent: true, snapToleranceMeters: 2 } } }, token);
    expect(made.createGrid).toEqual({ __typename: 'CreateGridSuccess', grid: { code: expect.stringMatching(/^1301050010159\d\d$/), level: 'DEDICATED', version: 1 } });
    const bowTie = [school[0], school[2], school[1], school[3], school[0]];
    const refused = await graphql(first.url, create, { input: { ...input, boundary: { type: 'Polygon', coordinates: [bowTie] } } }, token);
    expect(refused.createGrid.problems.map((p: any) => p.code)).toEqual(['SELF_INTERSECTION']);
  } finally {
    expect(await stop(first)).toBe(0);
  }

  const second = await startEmbedded();
  try {
    expect(second.output()).not.toMatch(/demo district seeded/);
    const r = await resolveAt(second.url, 114.46, 38.05);
    expect(r.grid.code).toMatch(/^130105/);
  } finally {
    expect(await stop(second)).toBe(0);
  }
});
