import { english, msg, type Msg } from '../i18n';

/**
 * Names people give things (grids, workers, API keys): shown on every screen and map, so they must read as
 * what they are. Refused: nothing but blanks or invisible characters, control characters, and the
 * bidirectional overrides that make text display other than it is stored ("Trojan Source" spoofing).
 */
const CONTROL = /\p{Cc}/u;
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/u;
const VISIBLE = /[\p{L}\p{N}]/u;

/** Why `name` is not an acceptable name of at most `max` characters, or null when it is. */
export function nameProblem(name: string, max: number): string | null {
  const issue = nameIssue(name, max);
  return issue && english(issue);
}

/** `nameProblem` as a catalogue message. */
export function nameIssue(name: string, max: number): Msg | null {
  const trimmed = name.trim();
  if (!trimmed) return msg('name.empty');
  if (trimmed.length > max) return msg('name.tooLong', { length: trimmed.length, max });
  if (CONTROL.test(trimmed)) return msg('name.control');
  if (BIDI_OVERRIDE.test(trimmed)) return msg('name.bidi');
  if (!VISIBLE.test(trimmed)) return msg('name.noLetter');
  return null;
}
