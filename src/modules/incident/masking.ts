/**
 * Masking names for what anyone holding a tracking code may read (the public notes of an incident): `张三` and
 * `张三丰` become `张*`, a compound surname keeps both characters (`欧阳娜娜` → `欧阳*`), a name joined by a middle
 * dot (`阿依古丽·买买提`) keeps its first character, and a Latin name keeps the initial of each word
 * (`John Smith` → `J* S*`). A one-character name is all given away by its character: it becomes `*`.
 */

/** 复姓 — compound surnames common enough to meet in a register (a three-character name starting so keeps two). */
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕',
  '令狐', '端木', '西门', '南宫', '独孤', '呼延', '澹台', '公冶', '濮阳', '淳于', '单于', '太叔', '申屠', '闻人',
  '万俟', '赫连', '百里', '东郭', '南门', '羊舌', '微生', '梁丘', '左丘', '第五', '钟离', '宗政', '司空', '鲜于',
]);

const HAN = /\p{Script=Han}/u;

export function maskName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '';
  const chars = [...trimmed];
  if (HAN.test(chars[0])) {
    if (chars.length === 1) return '*';
    const head = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? chars.slice(0, 2).join('') : chars[0];
    return `${head}*`;
  }
  // Latin (or any other script written in words): the initial of each word.
  return trimmed
    .split(/[\s.·・-]+/u)
    .filter((w) => w.length > 0)
    .map((w) => `${[...w][0]}*`)
    .join(' ');
}

/** Mainland mobiles (and landlines with an area code) inside free text, and 18-character ID numbers. */
const PHONE_IN_TEXT = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;
const LANDLINE_IN_TEXT = /(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)/g;
const ID_NUMBER_IN_TEXT = /(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])/g;

/**
 * `text` with every occurrence of the given names masked (longest first, so `欧阳娜娜` is not half-masked as
 * `欧*娜娜`), and phone and ID numbers masked as everywhere else (138****5678, 130105********1234). Names are those
 * the incident knows (its reporter, parties, workers, mediators): free text is not searched for names it does not
 * know, so staff write public notes without naming others (the README says so).
 */
export function maskNamesIn(text: string, names: readonly (string | null | undefined)[]): string {
  const known = [...new Set(names.map((n) => n?.trim() ?? '').filter((n) => [...n].length >= 2))].sort((a, b) => b.length - a.length);
  // One pass over the text: a masked name is never matched again by a shorter one (欧阳* by 欧阳).
  const pattern = known.length ? new RegExp(known.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu') : null;
  const out = pattern ? text.replace(pattern, (name) => maskName(name)) : text;
  return out
    .replace(ID_NUMBER_IN_TEXT, (_, head: string, tail: string) => `${head}********${tail.slice(-4)}`)
    .replace(PHONE_IN_TEXT, (_, a: string, _b: string, c: string) => `${a}****${c}`)
    .replace(LANDLINE_IN_TEXT, (_, area: string, _b: string, c: string) => `${area}-****${c}`);
}
