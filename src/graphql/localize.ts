import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Context } from '../context';
import { localizeError, msg, render, type Locale } from '../i18n';

/** graphql-js's refusal of a document past MAX_QUERY_TOKENS (its text, which says "more that"). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * Every error of a GraphQL answer in the caller's language (ctx.locale: Accept-Language, else DEFAULT_LOCALE):
 * errors built from a catalogue message are rendered from it; the rest keep their English text, behind the
 * Chinese name of their code for a zh-CN caller. Runs last, on the formatted errors, so it sees every error
 * whatever raised it (execution, validation, the limits, parsing).
 */
export const localizePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart({ contextValue }) {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (!errors?.length) return;
        response.body.singleResult = { ...response.body.singleResult, errors: errors.map((e) => localized(e, contextValue.locale)) };
      },
    };
  },
};

function localized(error: GraphQLFormattedError, locale: Locale): GraphQLFormattedError {
  // graphql-js's own English stays as it is for English callers.
  const tokens = locale !== 'en' && error.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? TOO_MANY_TOKENS.exec(error.message) : null;
  if (tokens) return { ...error, message: render(msg('limit.tokens', { max: Number(tokens[1]) }), locale) };
  return localizeError(error, locale);
}
