/**
 * The languages messages are written in. Chinese is what the people who use the registry read (grid workers,
 * dispatchers, GIS staff in the centres); English is for integrators and logs. Every Chinese variant asked for
 * (zh, zh-CN, zh-Hans, zh-TW) gets the simplified Chinese text: it is the only Chinese the catalogue holds.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** At most this many entries of an Accept-Language header are looked at (a hostile header can be long). */
const MAX_ENTRIES = 20;

/**
 * The locale for an `Accept-Language` header (RFC 9110 §12.5.4): the supported language with the highest
 * weight; `fallback` (DEFAULT_LOCALE) when the header is absent, names none of them, or only `*`.
 */
export function negotiateLocale(header: string | string[] | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  const text = Array.isArray(header) ? header.join(',') : header;
  let best: Locale | null = null;
  let bestWeight = 0;
  for (const entry of text.split(',', MAX_ENTRIES)) {
    const [range, ...params] = entry.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    if (!(weight > 0) || weight <= bestWeight) continue;
    const locale = range === '*' ? fallback : range === 'zh' || range.startsWith('zh-') ? 'zh-CN' : range === 'en' || range.startsWith('en-') ? 'en' : null;
    if (locale) {
      best = locale;
      bestWeight = weight;
    }
  }
  return best ?? fallback;
}
