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
  const trimmed = name.trim();
  if (!trimmed) return 'the name is empty';
  if (trimmed.length > max) return `the name has ${trimmed.length} characters; at most ${max}`;
  if (CONTROL.test(trimmed)) return 'the name holds a control character';
  if (BIDI_OVERRIDE.test(trimmed)) return 'the name holds a bidirectional override character, which makes it display other than it reads';
  if (!VISIBLE.test(trimmed)) return 'the name has no letter or digit';
  return null;
}
