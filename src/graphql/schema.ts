import fs from 'node:fs';
import path from 'node:path';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import type { Resolvers } from '../generated/graphql';
import { assertPermitted, SERVICE_READ_FIELDS } from '../modules/auth/policy';
import { MODULE_RESOLVERS } from '../modules';
import { nodeResolvers } from '../modules/node/resolvers';
import { mergeResolvers } from './merge';
import { payloadMessageResolvers } from './payload-messages';
import { DateScalar, DateTimeScalar, GeoJSONScalar } from './scalars';

/** The SDL files in schema/, the contract the resolvers are generated against. */
export const SCHEMA_DIR = path.resolve(__dirname, '../../schema');

export function loadTypeDefs(dir = SCHEMA_DIR): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

export function buildResolvers(): Resolvers {
  return guardServiceReads({
    ...mergeResolvers(nodeResolvers, ...MODULE_RESOLVERS, payloadMessageResolvers),
    GeoJSON: GeoJSONScalar,
    DateTime: DateTimeScalar,
    Date: DateScalar,
  });
}

type FieldResolver = (parent: Record<string, unknown>, args: unknown, ctx: Context, info: GraphQLResolveInfo) => unknown;

/** Puts the policy's READ_GRIDS check for API keys in front of the fields that read beyond what was asked. */
function guardServiceReads(resolvers: Resolvers): Resolvers {
  const types = resolvers as Record<string, Record<string, unknown>>;
  for (const [type, fields] of Object.entries(SERVICE_READ_FIELDS)) {
    const target = (types[type] ??= {});
    for (const field of fields) {
      const resolve = (target[field] as FieldResolver | undefined) ?? ((parent: Record<string, unknown>) => parent[field]);
      target[field] = ((parent, args, ctx, info) => {
        if (ctx.viewer.kind === 'service') assertPermitted(ctx.viewer, 'grid:read');
        return resolve(parent, args, ctx, info);
      }) satisfies FieldResolver;
    }
  }
  return resolvers;
}
