/**
 * The languages messages are written in. Chinese is what the people who use the registry read (grid workers,
 * dispatchers, GIS staff in the centres); English is for integrators and logs. Every Chinese variant asked for
 * (zh, zh-CN, zh-Hans, zh-TW) gets the simplified Chinese text: it is the only Chinese the catalogue holds.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * The locale of a command-line tool: POSIX's LC_ALL, else LC_MESSAGES, else LANG (the first one set), when it
 * names Chinese (`zh_CN.UTF-8`, `zh_TW`…) or English (`en_US.UTF-8`); `fallback` (DEFAULT_LOCALE) for `C`,
 * `POSIX`, `C.UTF-8` or nothing set, which say nothing about the reader.
 */
export function posixLocale(env: { LC_ALL?: string; LC_MESSAGES?: string; LANG?: string }, fallback: Locale): Locale {
  const name = (env.LC_ALL || env.LC_MESSAGES || env.LANG || '').toLowerCase();
  if (name === 'zh' || name.startsWith('zh_') || name.startsWith('zh-') || name.startsWith('zh.')) return 'zh-CN';
  if (name === 'en' || name.startsWith('en_') || name.startsWith('en-') || name.startsWith('en.')) return 'en';
  return fallback;
}

/** At most this many entries of an Accept-Language header are looked at (a hostile header can be long). */
const MAX_ENTRIES = 20;

/**
 * The locale for an `Accept-Language` header (RFC 9110 §12.5.4): the supported language with the highest
 * weight, the first named on a tie. `*` stands for every language the header does not name (`en;q=0, *` is
 * Chinese; `*` alone, `fallback`); `fallback` (DEFAULT_LOCALE) also when the header is absent or accepts none.
 */
export function negotiateLocale(header: string | string[] | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const text = Array.isArray(header) ? header.join(',') : header;
  const named = new Map<Locale, { weight: number; order: number }>();
  let star: number | null = null;
  text.split(',', MAX_ENTRIES).forEach((entry, order) => {
    const [range, ...params] = entry.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    if (!Number.isFinite(weight)) return;
    if (range === '*') star = Math.max(star ?? 0, weight);
    const locale = range === 'zh' || range.startsWith('zh-') ? 'zh-CN' : range === 'en' || range.startsWith('en-') ? 'en' : null;
    if (locale && weight > (named.get(locale)?.weight ?? -1)) named.set(locale, { weight, order: named.get(locale)?.order ?? order });
  });
  // Languages the header does not name take the weight of `*`, after the named ones (the fallback first).
  const candidates = LOCALES.map((locale) => {
    const given = named.get(locale);
    if (given) return { locale, ...given };
    return { locale, weight: star ?? 0, order: MAX_ENTRIES + (locale === fallback ? 0 : 1) };
  });
  const best = candidates.filter((c) => c.weight > 0).sort((a, b) => b.weight - a.weight || a.order - b.order)[0];
  return best?.locale ?? fallback;
}
