/**
 * Prints a development token: `npm run token -- --role ADMIN --grid 130105001 --sub li.ming --name 李明 --expires 12h`.
 * Signed with JWT_SECRET (or the development key when it is unset), so it works against `npm start`.
 *
 * `--grid` must be the code of a current grid: it is looked up in DATABASE_URL, or in the embedded database
 * (asking the running `npm start` when it holds the data directory). `--expires` may not exceed
 * JWT_MAX_LIFETIME_HOURS, which the API enforces too.
 */
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config';
import { currentHolder } from '../../db/data-lock';
import { openDatabase } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import type { Role } from '../../generated/graphql';
import { createLogger } from '../../logger';
import { currentGridsByCodes } from '../grid/repo';
import { signToken } from './jwt';
import { GRID_CODE } from './policy';
import { ROLES } from './viewer';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Seconds in a jose time span such as "12h", "30m", "2d". */
function spanSeconds(span: string): number | null {
  const m = /^(\d+)\s*(s|sec|m|min|h|hr|d|day)s?$/i.exec(span.trim());
  if (!m) return null;
  const unit = m[2].toLowerCase()[0];
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[unit];
}

async function gridExists(config: Config, code: string): Promise<boolean> {
  const holder = config.databaseUrl ? null : currentHolder(config.dataDir);
  if (holder?.url) {
    // `npm start` holds the embedded database: ask it.
    const res = await fetch(holder.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($code: String) { grid(code: $code) { code } }', variables: { code } }),
    });
    const body = (await res.json()) as { data?: { grid: { code: string } | null } };
    return Boolean(body.data?.grid);
  }
  const db = await openDatabase(config, createLogger({ logLevel: 'warn' }, 2));
  try {
    await migrateLatest(db.knex);
    return (await currentGridsByCodes(db.knex, [code])).length > 0;
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'VIEWER' },
      grid: { type: 'string' },
      sub: { type: 'string', default: 'dev-user' },
      name: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const role = values.role!.toUpperCase() as Role;
  if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`);
  if (values.grid !== undefined && !GRID_CODE.test(values.grid)) {
    fail(`--grid must be a grid code: 6 digits, then 3 per level, e.g. 130105001 (got "${values.grid}")`);
  }
  const config = loadConfig();
  const seconds = spanSeconds(values.expires!);
  if (seconds === null || seconds <= 0) fail(`--expires must be a span such as 30m, 12h or 1d (got "${values.expires}")`);
  if (seconds > config.jwt.maxLifetimeSeconds) {
    fail(`--expires ${values.expires} is longer than the ${config.jwt.maxLifetimeSeconds / 3600} h the API accepts (JWT_MAX_LIFETIME_HOURS)`);
  }
  if (values.grid !== undefined && !(await gridExists(config, values.grid))) {
    fail(`--grid ${values.grid} is not the code of a current grid; the API would refuse the token`);
  }
  const token = await signToken(config.jwt, { subject: values.sub!, role, grid: values.grid, name: values.name }, `${seconds}s`);
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
