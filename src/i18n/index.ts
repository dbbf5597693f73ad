import type { GraphQLFormattedError } from 'graphql';
import type { Locale } from './locale';
import { isMsg, type Entry, type Msg, type Param } from './message';
import { actionMessages } from './messages/actions';
import { authMessages } from './messages/auth';
import { cliMessages } from './messages/cli';
import { facilityMessages } from './messages/facility';
import { geometryMessages } from './messages/geometry';
import { gridMessages } from './messages/grid';
import { gridImportMessages } from './messages/grid-import';
import { incidentMessages } from './messages/incident';
import { incidentMoreMessages } from './messages/incident-more';
import { inputMessages } from './messages/input';
import { limitMessages } from './messages/limits';
import { mapMessages } from './messages/map';
import { organizationMessages } from './messages/organization';
import { payloadMessages } from './messages/payload';
import { personMessages } from './messages/person';
import { placeMessages } from './messages/place';
import { registryMessages } from './messages/registry';
import { personEditMessages } from './messages/person-edit';
import { personGroupMessages } from './messages/person-group';
import { personImportMessages } from './messages/person-import';
import { personListMessages } from './messages/person-list';
import { personPrivacyMessages } from './messages/person-privacy';
import { personTenantMessages } from './messages/person-tenant';
import { timeMessages } from './messages/time';
import { workerMessages } from './messages/worker';
import { ERROR_TITLES_ZH, PROBLEM_TITLES_ZH } from './titles';

export { LOCALES, negotiateLocale, type Locale } from './locale';
export { isMsg, type Msg } from './message';

/**
 * The message catalogue: every message the API localizes, by key, in each locale (src/i18n/messages/ by area).
 * Code that refuses something builds `msg(key, params)`; the text is chosen when the answer is written, in the
 * language the request asked for (Accept-Language, else DEFAULT_LOCALE).
 */
const CATALOGUE = {
  ...actionMessages,
  ...authMessages,
  ...limitMessages,
  ...inputMessages,
  ...geometryMessages,
  ...gridMessages,
  ...payloadMessages,
  ...mapMessages,
  ...timeMessages,
  ...personMessages,
  ...personImportMessages,
  ...cliMessages,
  ...incidentMessages,
  ...workerMessages,
  ...organizationMessages,
  ...placeMessages,
  ...facilityMessages,
  ...gridImportMessages,
  ...personEditMessages,
  ...personListMessages,
  ...personGroupMessages,
  ...personPrivacyMessages,
  ...personTenantMessages,
  ...incidentMoreMessages,
  ...registryMessages,
};

export type MessageKey = keyof typeof CATALOGUE;
type ParamsOf<K extends MessageKey> = Parameters<(typeof CATALOGUE)[K]['en']> extends [infer P, ...unknown[]] ? P : Record<string, never>;
/** A parameter may be given as a message of its own, rendered in the same language. */
type MsgParams<P> = { [N in keyof P]: P[N] | Msg };

export function msg<K extends MessageKey>(key: K, ...params: Record<string, never> extends ParamsOf<K> ? [MsgParams<ParamsOf<K>>?] : [MsgParams<ParamsOf<K>>]): Msg {
  return { key, params: (params[0] ?? {}) as Record<string, Param> };
}

const entries: Readonly<Record<string, Entry<Record<string, string | number>>>> = CATALOGUE as unknown as Record<string, Entry<Record<string, string | number>>>;

/** Whether `key` is an entry of the catalogue (every messages/ file is registered above). */
export function isCatalogued(key: string): boolean {
  return key in entries;
}

/** Messages one after the other, separated by "; " (or by `separator`, itself a message: `msg('list.comma')`). */
const LIST = '*list';
const SEPARATOR = '*separator';

export function joined(messages: readonly (Msg | string)[], separator?: Msg): Msg {
  return { key: LIST, params: { ...Object.fromEntries(messages.map((m, i) => [String(i), m])), ...(separator ? { [SEPARATOR]: separator } : {}) } };
}

export function render(message: Msg, locale: Locale): string {
  if (message.key === LIST) {
    const { [SEPARATOR]: separator, ...items } = message.params;
    const between = separator && isMsg(separator) ? render(separator, locale) : locale === 'zh-CN' ? '；' : '; ';
    return Object.values(items).map((m) => (isMsg(m) ? render(m, locale) : String(m))).join(between);
  }
  const entry = entries[message.key];
  if (!entry) return message.key;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.params)) params[name] = isMsg(value) ? render(value, locale) : value;
  return entry[locale](params);
}

/** English, for the `message` fields and logs that predate localization (and command-line tools). */
export function english(message: Msg): string {
  return render(message, 'en');
}

/** A problem's or payload's text: English in `message`, the catalogue entry in `msg`. */
export function said(message: Msg): { message: string; msg: Msg } {
  return { message: english(message), msg: message };
}

/** A message in `locale`; plain text (not yet in the catalogue) stays as it is. */
export function text(value: string | Msg, locale: Locale): string {
  return typeof value === 'string' ? value : render(value, locale);
}

/** An error whose message is a catalogue entry: `message` is English, `localized` answers in the caller's language. */
export class LocalizedError extends Error {
  readonly localized?: Msg;
  constructor(message: string | Msg) {
    super(typeof message === 'string' ? message : english(message));
    if (typeof message !== 'string') this.localized = message;
  }
}

/**
 * Where a GraphQL error keeps the message it was built from. A symbol: it travels with `extensions` through
 * graphql-js and Apollo (which copy them with spreads) but never into the JSON a client receives.
 */
export const MESSAGE = Symbol('message');

export function messageOf(extensions: unknown): Msg | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const found: unknown = Reflect.get(extensions, MESSAGE);
  return isMsg(found) ? found : undefined;
}

/**
 * A plain-text message in `locale`, for one whose catalogue entry is missing: English as it is, or for zh-CN the
 * Chinese name of its code in front ("输入有误：lng must be ...").
 */
export function untranslated(message: string, code: string | undefined, locale: Locale): string {
  if (locale === 'en' || !code) return message;
  const title = ERROR_TITLES_ZH[code] ?? (PROBLEM_TITLES_ZH as Record<string, string>)[code];
  return title ? `${title}：${message}` : message;
}

/** A formatted GraphQL error's message in `locale`: from its catalogue message, else `untranslated`. */
export function localizeError(error: GraphQLFormattedError, locale: Locale): GraphQLFormattedError {
  const message = messageOf(error.extensions);
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const localized = message ? withinVariable(error.message, message, locale) : untranslated(error.message, code, locale);
  return localized === error.message ? error : { ...error, message: localized };
}

/** graphql-js's words in front of a variable's refusal by its scalar: `Variable "$at" got invalid value "x"; `. */
const VARIABLE_PREFIX = /^Variable "\$([^"]+)" got invalid value (.*?)(?: at "([^"]+)")?; $/s;

/**
 * A catalogue message that graphql-js put behind the name of the variable it refused (a DateTime or Date
 * scalar's refusal): the variable is named in the caller's language too.
 */
function withinVariable(text: string, message: Msg, locale: Locale): string {
  const rendered = render(message, locale);
  const english_ = english(message);
  if (text === english_ || !text.endsWith(english_)) return rendered;
  const prefix = VARIABLE_PREFIX.exec(text.slice(0, text.length - english_.length));
  if (!prefix) return rendered;
  if (locale === 'en') return text;
  return render({ key: 'input.variable', params: { name: prefix[3] ?? prefix[1], detail: message } }, locale);
}
