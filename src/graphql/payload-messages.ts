import type { Resolvers } from '../generated/graphql';
import { localizedMessage } from '../shared/payload';

/**
 * The `message` of every payload failure and problem, in the caller's language (ctx.locale): from its
 * catalogue entry when it has one, else its English text (behind the Chinese name of its code for zh-CN).
 */
export const payloadMessageResolvers: Resolvers = {
  Problem: { message: (p, _, ctx) => localizedMessage(p, ctx.locale, p.code) },
  ValidationError: { message: (s, _, ctx) => localizedMessage(s, ctx.locale) },
  NotFoundError: { message: (s, _, ctx) => localizedMessage(s, ctx.locale) },
  ConflictError: { message: (s, _, ctx) => localizedMessage(s, ctx.locale) },
  VersionConflict: { message: (s, _, ctx) => localizedMessage(s, ctx.locale) },
  WorkerConflictError: { message: (s, _, ctx) => localizedMessage(s, ctx.locale) },
};
