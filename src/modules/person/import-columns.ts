import type { Gender, RelationToHead, ResidenceType } from '../../generated/graphql';
import { joined, LocalizedError, msg, type Msg } from '../../i18n';

/**
 * The columns of a people spreadsheet (实有人口登记表) and how their cells read: found by their Chinese headers
 * as 综治 staff write them (spaces, full-width parentheses, a note in brackets and a trailing * tolerated), by
 * the English field names, or by an explicit mapping (header → field). Unknown columns are ignored and listed.
 */
export const IMPORT_FIELDS = {
  name: ['姓名'],
  gender: ['性别'],
  birthDate: ['出生日期'],
  ethnicity: ['民族'],
  idNumber: ['公民身份号码', '身份证号码', '身份证号'],
  phone: ['联系方式', '联系电话', '手机号码', '手机号'],
  residenceType: ['人口类型'],
  registeredAddress: ['户籍地', '户籍地址', '户籍地详址'],
  buildingCode: ['楼栋编码'],
  unit: ['单元', '单元号'],
  room: ['房号', '房间号'],
  householdNumber: ['户号'],
  relationToHead: ['与户主关系'],
  movedInOn: ['入住日期'],
  arrivedOn: ['来本地日期'],
  arrivalReason: ['来本地事由'],
  permitNumber: ['居住证号', '居住证号码'],
  permitExpiresOn: ['居住证有效期至', '居住证有效期'],
} as const satisfies Record<string, readonly string[]>;

export type ImportField = keyof typeof IMPORT_FIELDS;
export const FIELD_NAMES = Object.keys(IMPORT_FIELDS) as ImportField[];

/** The header a field is known by (in messages about a column the file does not have). */
export const fieldHeader = (field: ImportField): string => IMPORT_FIELDS[field][0];

/** A problem with the file as a whole (no usable header, a required column missing, a bad mapping): nothing is read. */
export class ImportInputError extends LocalizedError {}

/**
 * A header as compared: Unicode-compatibility folded (full-width letters, digits and brackets made ASCII, the
 * ideographic space a space), whitespace removed, a bracketed note (`性别（男/女）`) and a required-mark `*`
 * dropped, English names lower-cased.
 */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[(\[【<][^)\]】>]*[)\]】>]/g, '')
    .replace(/^[*＊]+|[*＊:：]+$/g, '')
    .toLowerCase();
}

const KNOWN = new Map<string, ImportField>();
for (const field of FIELD_NAMES) {
  KNOWN.set(normaliseHeader(field), field);
  for (const header of IMPORT_FIELDS[field]) KNOWN.set(normaliseHeader(header), field);
}

/** Where each field is in the file. */
export interface ColumnMap {
  /** Field → column index (0-based) in the file. */
  index: Partial<Record<ImportField, number>>;
  /** Field → the header as the file writes it (what a report names). */
  header: Partial<Record<ImportField, string>>;
  /** Headers of the columns nobody reads. */
  ignored: string[];
}

/** The fields every file needs, each with an alternative where one can stand for it. */
const REQUIRED: readonly (readonly ImportField[])[] = [['name'], ['residenceType'], ['buildingCode'], ['room'], ['idNumber', 'birthDate'], ['idNumber', 'gender']];

/** A mapping as given (JSON `{"header": "field"}`): checked, headers normalised. */
export function parseMapping(value: unknown): Map<string, ImportField> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportInputError(msg('import.mappingShape'));
  }
  const mapping = new Map<string, ImportField>();
  const bad: string[] = [];
  for (const [header, field] of Object.entries(value)) {
    if (typeof field !== 'string' || !(FIELD_NAMES as string[]).includes(field)) bad.push(`"${header}": ${JSON.stringify(field)}`);
    else mapping.set(normaliseHeader(header), field as ImportField);
  }
  if (bad.length) throw new ImportInputError(msg('import.mappingFields', { bad: bad.join(', '), fields: FIELD_NAMES.join(', ') }));
  return mapping;
}

/** The field a header stands for (the mapping first), or null. */
export function fieldOf(header: string, mapping?: ReadonlyMap<string, ImportField>): ImportField | null {
  const key = normaliseHeader(header);
  return mapping?.get(key) ?? KNOWN.get(key) ?? null;
}

/** How many cells of a row are headers the import knows: a title row above the header has none or one. */
export function knownHeaders(cells: readonly string[], mapping?: ReadonlyMap<string, ImportField>): number {
  return cells.filter((c) => c && fieldOf(c, mapping) !== null).length;
}

/**
 * The columns of a header row. Throws `ImportInputError` naming every missing required column (or a column
 * given twice) before any row is read.
 */
export function mapColumns(headers: readonly string[], mapping?: ReadonlyMap<string, ImportField>): ColumnMap {
  const map: ColumnMap = { index: {}, header: {}, ignored: [] };
  const twice: Msg[] = [];
  headers.forEach((raw, i) => {
    const text = raw.trim();
    if (!text) return;
    const field = fieldOf(text, mapping);
    if (!field) map.ignored.push(text);
    else if (map.index[field] !== undefined) twice.push(msg('import.columnPair', { first: map.header[field] ?? '', second: text, field }));
    else {
      map.index[field] = i;
      map.header[field] = text;
    }
  });
  const missing = REQUIRED.filter((alternatives) => alternatives.every((f) => map.index[f] === undefined)).map((alternatives) =>
    alternatives.map(fieldHeader).join('|'),
  );
  const problems: Msg[] = [];
  if (missing.length) {
    const columns = [...new Set(missing)].map((alternatives) => joined(alternatives.split('|'), msg('list.or')));
    problems.push(msg('import.columnsMissing', { columns: joined(columns, msg('list.comma')) }));
  }
  if (twice.length) problems.push(msg('import.columnsTwice', { pairs: joined(twice) }));
  if (problems.length) {
    const seen = headers.map((h) => h.trim()).filter(Boolean).slice(0, 30).join(', ');
    throw new ImportInputError(msg('import.headerProblems', { problems: joined(problems), seen }));
  }
  return map;
}

/** 性别: 男/女 as written, GB/T 2261.1 codes 1/2, or the enum names. */
export function genderOf(text: string): Gender | null {
  return GENDERS[text.normalize('NFKC').trim().toUpperCase()] ?? null;
}
const GENDERS: Record<string, Gender> = { 男: 'MALE', 男性: 'MALE', '1': 'MALE', M: 'MALE', MALE: 'MALE', 女: 'FEMALE', 女性: 'FEMALE', '2': 'FEMALE', F: 'FEMALE', FEMALE: 'FEMALE' };

/** 人口类型: 户籍 / 流动 / 境外 / 未落户 (with or without 人口 / 人员), or the enum names. */
export function residenceTypeOf(text: string): ResidenceType | null {
  const t = text.normalize('NFKC').trim().toUpperCase().replace(/(人口|人员)$/, '');
  return RESIDENCE_TYPES[t] ?? null;
}
const RESIDENCE_TYPES: Record<string, ResidenceType> = {
  户籍: 'REGISTERED',
  常住: 'REGISTERED',
  REGISTERED: 'REGISTERED',
  流动: 'FLOATING',
  FLOATING: 'FLOATING',
  境外: 'OVERSEAS',
  OVERSEAS: 'OVERSEAS',
  未落户: 'UNSETTLED',
  UNSETTLED: 'UNSETTLED',
};

/** 与户主关系 as the household register writes it (GB/T 4761 terms), or the enum names. */
export function relationOf(text: string): RelationToHead | null {
  const t = text.normalize('NFKC').trim().toUpperCase();
  return RELATIONS.get(t) ?? null;
}
const RELATION_TERMS: Record<RelationToHead, string> = {
  HEAD: '户主 本人',
  SPOUSE: '配偶 夫 妻 丈夫 妻子',
  CHILD: '子 女 儿子 女儿 长子 次子 三子 独生子 长女 次女 三女 独生女 养子 养女 继子 继女 子女',
  CHILD_IN_LAW: '儿媳 女婿 媳妇',
  PARENT: '父母 父亲 母亲 父 母 继父 继母 养父 养母',
  PARENT_IN_LAW: '公公 婆婆 岳父 岳母',
  GRANDPARENT: '祖父母 祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆',
  GRANDCHILD: '孙子 孙女 外孙 外孙子 外孙女 孙子女 外孙子女',
  SIBLING: '兄弟姐妹 兄 弟 姐 妹 哥哥 弟弟 姐姐 妹妹',
  OTHER_RELATIVE: '其他亲属 其他 侄子 侄女 外甥 外甥女 叔 伯 姑 舅 姨',
  NON_RELATIVE: '非亲属 保姆 租客 同住人',
};
const RELATIONS = new Map<string, RelationToHead>();
for (const [relation, terms] of Object.entries(RELATION_TERMS) as [RelationToHead, string][]) {
  RELATIONS.set(relation, relation);
  for (const term of terms.split(' ')) RELATIONS.set(term, relation);
}

/** Examples for a message about a relation the import does not know. */
export const RELATION_EXAMPLES = '户主, 配偶, 子, 女, 父亲, 母亲, 儿媳, 女婿, 孙子, 孙女, 兄弟姐妹, 其他亲属, 非亲属';

/**
 * A date as spreadsheets write it, as YYYY-MM-DD: `2020-01-05`, `2020/1/5`, `2020.1.5`, `2020年1月5日`,
 * `20200105`, with a time after it ignored. Anything else is returned as given (trimmed), for the checks to
 * say what is wrong with it.
 */
export function dateText(text: string): string {
  const t = text.normalize('NFKC').trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : t;
}

/** An Excel serial day number (1900 date system, as exceljs hands over cells without a date format) as YYYY-MM-DD. */
export function excelSerialDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2_958_466) return null;
  // Day 0 is 1899-12-30 for every serial after Excel's phantom 1900-02-29 (serial 60).
  return new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

/** Fields holding long digit strings, which a spreadsheet stored as numbers rounds (ID numbers above all). */
const DIGIT_FIELDS: ReadonlySet<ImportField> = new Set(['idNumber', 'phone', 'buildingCode', 'permitNumber', 'householdNumber']);
const DATE_FIELDS: ReadonlySet<ImportField> = new Set(['birthDate', 'movedInOn', 'arrivedOn', 'permitExpiresOn']);

/** What a cell of `field` reads as when a spreadsheet stored it as a number. */
export function numberCellText(field: ImportField, n: number): string {
  if (DATE_FIELDS.has(field)) return excelSerialDate(n) ?? String(n);
  // Above 2^53 the digits are no longer the ones typed: said in the notation Excel shows, which the checks refuse.
  if (DIGIT_FIELDS.has(field) && !Number.isSafeInteger(n)) return n.toExponential().toUpperCase();
  return String(n);
}

/** A spreadsheet's scientific notation of a long number (`1.30105199E+17`): the digits after the first ones are lost. */
export const SCIENTIFIC = /^\d(?:\.\d+)?E\+?\d+$/i;

/** The message for a number a spreadsheet rounded. */
export function roundedNumberMessage(shown: string): Msg {
  return msg('import.rounded', { shown });
}

/** A date cell from the XLSX reader (a JS Date at UTC midnight) as YYYY-MM-DD. */
export function dateCellText(d: Date): string {
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 10);
}
