import type { Locale } from './locale';

/**
 * A message that is not text yet: a catalogue key and its parameters, rendered in the caller's language when the
 * answer is written (GraphQL errors by the localizing plugin, payload messages by their resolvers, plain routes
 * by http.ts). A parameter may itself be a message (a field name before a problem's text).
 */
export interface Msg {
  readonly key: string;
  readonly params: Readonly<Record<string, Param>>;
}

export type Param = string | number | Msg;

/** One catalogue entry: the text in each language, from the parameters (already rendered to text). */
export type Entry<P> = { readonly [L in Locale]: (params: P) => string };

/** A group of catalogue entries, each keeping the parameter type of its templates. */
export function defineMessages<T extends Record<string, Entry<never>>>(messages: T): T {
  return messages;
}

/** An entry without parameters: the same sentence in each language. */
export function fixed(en: string, zh: string): Entry<Record<string, never>> {
  return { en: () => en, 'zh-CN': () => zh };
}

export function isMsg(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null && 'key' in value && 'params' in value;
}
