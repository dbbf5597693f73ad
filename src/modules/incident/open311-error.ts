import { english, type Msg } from '../../i18n';

/**
 * A refusal of an Open311 request: answered with `status` and `[{ code: status, description }]`, one per problem,
 * each in the caller's language (Accept-Language) when it is a catalogue message.
 */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly descriptions: readonly (string | Msg)[],
  ) {
    super(descriptions.map((d) => (typeof d === 'string' ? d : english(d))).join('; '));
  }
}
