/**
 * The import half of `npm run bench:gis`: 10,000 micro-grids imported from a GeoJSON file through the CLI
 * (`npm run import`, streaming the file), into a synthetic district generated for the purpose (code 990001,
 * away from the city), which is removed again afterwards so the benchmark can be rerun. Also times a dry run.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LOCATED_KINDS } from '../src/modules';
import { relocateWithin } from '../src/modules/location/repo';
import type { Knex } from 'knex';
import { insertGrids } from '../seeds/lib/load';
import { generateTiling, type Division } from '../seeds/lib/tiling';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const DISTRICT = '990001';
const MICRO_GRIDS = 10_000;

function syntheticDistrict(): Division {
  const streets = Array.from({ length: 5 }, (_, s) => ({
    code: `${DISTRICT}${String(s + 1).padStart(3, '0')}`,
    name: `基准街道${s + 1}`,
    level: 'STREET' as const,
    children: Array.from({ length: 4 }, (_, c) => ({
      code: `${DISTRICT}${String(s + 1).padStart(3, '0')}${String(c + 1).padStart(3, '0')}`,
      name: `基准社区${s + 1}-${c + 1}`,
      level: 'COMMUNITY' as const,
    })),
  }));
  return { code: DISTRICT, name: '基准测试区', level: 'DISTRICT', children: streets };
}

async function removeDistrict(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    // Located records the import re-resolved into the district go back to the grids left once it is gone.
    const { rows } = await trx.raw(`SELECT encode(ST_AsEWKB(boundary), 'hex') AS hex FROM grid WHERE code = ?`, [DISTRICT]);
    const points = LOCATED_KINDS.filter((k) => k.shape === 'point');
    for (const k of points) {
      await trx.raw(`UPDATE ${k.table} SET grid_id = NULL WHERE grid_id IN (SELECT id FROM grid WHERE code LIKE ?)`, [`${DISTRICT}%`]);
    }
    await trx.raw(`DELETE FROM grid_piece WHERE code LIKE ?`, [`${DISTRICT}%`]);
    await trx.raw(`DELETE FROM grid_version WHERE grid_id IN (SELECT id FROM grid WHERE code LIKE ?)`, [`${DISTRICT}%`]);
    for (const depth of [4, 3, 2, 1, 0]) await trx.raw(`DELETE FROM grid WHERE code LIKE ? AND depth = ?`, [`${DISTRICT}%`, depth]);
    await relocateWithin(trx, LOCATED_KINDS, rows.map((r: { hex: string }) => r.hex));
  });
}

export async function benchImport(knex: Knex, databaseUrl: string): Promise<void> {
  await removeDistrict(knex);
  const grids = generateTiling({
    districts: [syntheticDistrict()],
    center: [112.9, 34.3],
    areaKm2: 150,
    gridsTotal: 2000,
    microGridsTotal: MICRO_GRIDS,
    dedicatedPerStreet: 0,
    seed: 990001,
  });
  const byId = new Map(grids.map((g) => [g.id, g]));
  await insertGrids(knex, grids.filter((g) => g.level !== 'MICRO_GRID'), undefined, 'benchmark: import target');
  const micro = grids.filter((g) => g.level === 'MICRO_GRID');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-')), 'micro-grids.geojson');
  fs.writeFileSync(
    file,
    JSON.stringify({
      type: 'FeatureCollection',
      features: micro.map((g) => ({ type: 'Feature', properties: { code: g.code, name: g.name, parentCode: byId.get(g.parentId!)!.code }, geometry: g.boundary })),
    }),
  );
  const size = (fs.statSync(file).size / 1e6).toFixed(1);
  const cli = async (...flags: string[]) => {
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/modules/grid/import-cli.ts', file, '--level', 'MICRO_GRID', ...flags], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { seconds: (Date.now() - started) / 1000, summary: stdout.split('\n')[0] };
  };
  try {
    console.log(`\nimport: ${micro.length} micro-grids under ${grids.filter((g) => g.level === 'GRID').length} grids, file ${size} MB`);
    const dry = await cli('--dry-run');
    console.log(`  npm run import -- --dry-run   ${dry.seconds.toFixed(1)} s  (${dry.summary})`);
    const real = await cli();
    console.log(`  npm run import               ${real.seconds.toFixed(1)} s  (${real.summary})`);
    console.log(`  target: 10k import ≤ 30 s: ${real.seconds <= 30 ? 'MET' : 'NOT MET'}`);
  } finally {
    await removeDistrict(knex);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
