/**
 * Prints a development token: `npm run token -- --role ADMIN --grid 130105001 [--sub alice] [--name 张三] [--expires 12h]`.
 * Signed with JWT_SECRET (or the development key when it is unset), so it works against `npm start`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { signToken } from './jwt';
import { ROLES } from './viewer';
import type { Role } from '../../generated/graphql';

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
  if (!ROLES.includes(role)) {
    console.error(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`);
    process.exit(2);
  }
  if (values.grid !== undefined && !/^[0-9]{6,21}$/.test(values.grid)) {
    console.error(`--grid must be a grid code such as 130105001 (got "${values.grid}")`);
    process.exit(2);
  }
  const config = loadConfig();
  const token = await signToken(config.jwt, { subject: values.sub!, role, grid: values.grid, name: values.name }, values.expires);
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
