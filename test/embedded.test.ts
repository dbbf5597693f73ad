import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
