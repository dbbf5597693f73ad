/**
 * `npm run migrate` / `npm run seed`: the same migration runner and demo seed that `npm start` uses, for a
 * database given by DATABASE_URL (or the embedded one under DATA_DIR when it is unset).
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from './knex';
import { migrateLatest } from './migrate';
import { cipherFor } from '../modules/person/sealing';
import { seedDemoDistrict } from '../../seeds/demo';

async function main(command: string | undefined): Promise<void> {
  if (command !== 'migrate' && command !== 'seed') {
    throw new Error('usage: cli.ts migrate|seed');
  }
  const config = loadConfig();
  const log = createLogger(config);
  const db = await openDatabase(config, log);
  try {
    const applied = await migrateLatest(db.knex);
    console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
    if (command === 'seed') {
      const result = await seedDemoDistrict(db.knex, cipherFor(config), (line) => console.log(line));
      console.log(result === 'already-seeded' ? 'demo district already present; nothing to do' : `seeded: ${JSON.stringify(result)}`);
    }
  } finally {
    await db.close();
  }
}

main(process.argv[2]).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
