import fs from 'node:fs';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { SeededRandom } from '../../seeds/lib/random';
import { workerName } from '../../seeds/lib/workers';
import { makeIdNumber } from '../../src/modules/person/id-number';

/**
 * People as 综治 staff keep them in a spreadsheet, for `npm run import:people` tests and benchmarks: one row a
 * person, the Chinese headers the import reads, households of 1–5 filling the given houses in turn (a head,
 * a spouse, children, now and then a parent), about 80% registered (户籍), 17% floating (流动) with a
 * residence permit, 2% overseas (HK/Macao/Taiwan permits) and 1% unsettled. Deterministic for a seed; every ID
 * number valid and unique within a file (and across files of different `sequenceOffset`s), birth dates and
 * genders matching them.
 */
export const PEOPLE_HEADERS = [
  '姓名',
  '性别',
  '出生日期',
  '民族',
  '公民身份号码',
  '联系电话',
  '人口类型',
  '户籍地',
  '楼栋编码',
  '单元',
  '房号',
  '户号',
  '与户主关系',
  '入住日期',
  '来本地日期',
  '来本地事由',
  '居住证号',
  '居住证有效期至',
] as const;

export type PeopleRow = Record<(typeof PEOPLE_HEADERS)[number], string>;

/** A house people are put in: its building's 16-digit code, unit (null: none) and room. */
export interface HouseAddress {
  buildingCode: string;
  unit: number | null;
  room: string;
}

export interface PeopleFileOptions {
  /** How many people (data rows). */
  rows: number;
  /** The houses to fill, in turn (cycled when there are fewer households than rows need). */
  houses: readonly HouseAddress[] | ((i: number) => HouseAddress);
  /** How many houses `houses` holds, when it is a function. */
  houseCount?: number;
  seed?: number;
  /** Household numbers are `${householdPrefix}${n}`: give each file its own so two files never share a 户号. */
  householdPrefix?: string;
  /** Today (YYYY-MM-DD) for ages and dates; the default is a fixed day so files are the same on any day. */
  today?: string;
  /**
   * Where ID numbers were issued. The defaults are codes no demo or benchmark loader uses (unassigned codes of
   * real provinces, which the checks accept), so a generated file never collides with residents already loaded.
   */
  regions?: { registered: readonly string[]; floating: readonly string[]; overseas: readonly string[] };
  /** Sequence numbers start here (0–499) for every region and date: files with different offsets share no ID number. */
  sequenceOffset?: number;
}

const ETHNICITIES = ['汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '回族', '满族', '蒙古族', '壮族'];
const REASONS = ['务工', '经商', '求学', '投靠亲友', '随迁家属'];
const PROVINCES = ['河北省石家庄市长安区', '河北省保定市莲池区', '河南省郑州市金水区', '山东省济南市历下区', '山西省太原市小店区', '湖北省武汉市江岸区'];
const MOBILE = ['130', '131', '135', '136', '137', '138', '139', '150', '151', '158', '186', '187', '188', '189', '199'];
/** Region codes of ID numbers (where a number was issued), by residence type: unassigned codes of real provinces. */
const REGIONS = {
  registered: ['130191', '130192', '130193', '130194', '130195', '130196'],
  floating: ['130691', '410191', '370191', '140191', '420191', '130291'],
  overseas: ['810091', '820091', '830091'],
};
const DAY = 86_400_000;

/** The rows of a file, one at a time (a 1,000,000-row file is never held whole). */
export function* peopleRows(options: PeopleFileOptions): Generator<PeopleRow> {
  const rng = SeededRandom.forStage(options.seed ?? 1, 'people-csv');
  const today = options.today ?? '2026-06-30';
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const houseCount = Array.isArray(options.houses) ? options.houses.length : (options.houseCount ?? Number.MAX_SAFE_INTEGER);
  if (houseCount === 0) throw new Error('peopleRows: no houses to put people in');
  const houseAt = (i: number): HouseAddress => (Array.isArray(options.houses) ? options.houses[i % houseCount] : (options.houses as (i: number) => HouseAddress)(i % houseCount));
  // Sequence numbers used per (region, birth date): an ID number is region + date + sequence + check.
  const used = new Map<string, number>();
  const regions = options.regions ?? REGIONS;
  const offset = options.sequenceOffset ?? 0;
  const idNumber = (region: string, birthDate: string, gender: 'MALE' | 'FEMALE'): string => {
    const key = region + birthDate;
    const n = used.get(key) ?? 0;
    if (n >= 500) return '';
    used.set(key, n + 1);
    // Sequences of one (region, date) are handed out 2 apart, so the parity bit can be set for the gender.
    return makeIdNumber(region, birthDate, ((offset + n) % 500) * 2 + (gender === 'MALE' ? 1 : 0), gender);
  };
  const dateBefore = (latestMs: number, minYears: number, maxYears: number) =>
    new Date(latestMs - Math.floor((minYears + rng.next() * (maxYears - minYears)) * 365.25 * DAY)).toISOString().slice(0, 10);

  let produced = 0;
  for (let household = 0; produced < options.rows; household++) {
    const house = houseAt(household);
    const size = Math.min(options.rows - produced, 1 + rng.int(5));
    const type = pickType(rng.next());
    const number = `${options.householdPrefix ?? 'H'}${household + 1}`;
    const headAge = 25 + rng.int(50);
    const movedIn = dateBefore(todayMs, 0, 10);
    const arrived = type === 'FLOATING' ? dateBefore(todayMs, 0, 8) : '';
    const region = rng.pick(type === 'REGISTERED' ? regions.registered : type === 'OVERSEAS' ? regions.overseas : regions.floating);
    const surname = workerName(rng).slice(0, 1);
    const headGender: 'MALE' | 'FEMALE' = rng.next() < 0.7 ? 'MALE' : 'FEMALE';
    for (let m = 0; m < size; m++) {
      const relation = m === 0 ? '户主' : m === 1 ? '配偶' : m === 4 ? (rng.next() < 0.5 ? '父亲' : '母亲') : rng.next() < 0.5 ? '子' : '女';
      const g: 'MALE' | 'FEMALE' =
        relation === '户主' ? headGender : relation === '配偶' ? (headGender === 'MALE' ? 'FEMALE' : 'MALE') : relation === '子' || relation === '父亲' ? 'MALE' : 'FEMALE';
      const age = relation === '户主' ? headAge : relation === '配偶' ? Math.max(18, headAge + rng.int(7) - 3) : relation === '父亲' || relation === '母亲' ? headAge + 22 + rng.int(10) : rng.int(Math.max(1, headAge - 20));
      const birthDate = dateBefore(todayMs, age, age + 1);
      const id = idNumber(region, birthDate, g);
      const floating = type === 'FLOATING';
      const arrivedOn = floating ? (arrived < birthDate ? birthDate : arrived) : '';
      const given = workerName(rng).slice(1);
      yield {
        姓名: relation === '户主' || relation === '子' || relation === '女' ? surname + given : workerName(rng),
        性别: g === 'MALE' ? '男' : '女',
        出生日期: birthDate,
        民族: rng.pick(ETHNICITIES),
        公民身份号码: id,
        联系电话: age >= 16 && rng.next() < 0.8 ? rng.pick(MOBILE) + String(rng.int(100_000_000)).padStart(8, '0') : '',
        人口类型: TYPE_LABEL[type],
        户籍地: type === 'REGISTERED' ? '河北省石家庄市新华区' : type === 'OVERSEAS' ? '' : rng.pick(PROVINCES),
        楼栋编码: house.buildingCode,
        单元: house.unit === null ? '' : String(house.unit),
        房号: house.room,
        户号: number,
        与户主关系: relation,
        入住日期: movedIn < birthDate ? birthDate : movedIn,
        来本地日期: arrivedOn,
        来本地事由: floating ? rng.pick(REASONS) : '',
        居住证号: floating && rng.next() < 0.8 ? `${region}${String(rng.int(10_000_000_000)).padStart(10, '0')}` : '',
        居住证有效期至: floating ? new Date(Date.parse(`${arrivedOn}T00:00:00Z`) + (365 + rng.int(1000)) * DAY).toISOString().slice(0, 10) : '',
      };
      produced++;
    }
  }
}

type GeneratedType = 'REGISTERED' | 'FLOATING' | 'OVERSEAS' | 'UNSETTLED';
const TYPE_LABEL: Record<GeneratedType, string> = { REGISTERED: '户籍', FLOATING: '流动', OVERSEAS: '境外', UNSETTLED: '未落户' };

function pickType(x: number): GeneratedType {
  return x < 0.8 ? 'REGISTERED' : x < 0.97 ? 'FLOATING' : x < 0.99 ? 'OVERSEAS' : 'UNSETTLED';
}

/** One CSV line (RFC 4180 quoting where needed), without its line break. */
export function csvLine(values: readonly string[]): string {
  return values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

/** A row as the values of `headers`, in order. */
export function rowValues(row: PeopleRow, headers: readonly (keyof PeopleRow)[] = PEOPLE_HEADERS): string[] {
  return headers.map((h) => row[h]);
}

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'gbk';

/** A whole CSV in memory (small files for tests): header line, then the rows, CRLF line breaks as Excel writes them. */
export function peopleCsv(rows: Iterable<PeopleRow>, encoding: CsvEncoding = 'utf-8', headers: readonly (keyof PeopleRow)[] = PEOPLE_HEADERS): Buffer {
  const lines = [csvLine(headers)];
  for (const row of rows) lines.push(csvLine(rowValues(row, headers)));
  return encode(`${lines.join('\r\n')}\r\n`, encoding);
}

function encode(text: string, encoding: CsvEncoding): Buffer {
  if (encoding === 'gbk') return iconv.encode(text, 'gbk');
  const body = Buffer.from(text, 'utf8');
  return encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/** Writes a CSV of `options.rows` people to `file`, streamed; returns the rows and households written. */
export async function writePeopleCsv(file: string, options: PeopleFileOptions, encoding: CsvEncoding = 'utf-8'): Promise<{ rows: number; bytes: number }> {
  const out = fs.createWriteStream(file);
  let chunk: string[] = [csvLine(PEOPLE_HEADERS)];
  let rows = 0;
  let bytes = 0;
  const flush = async (last: boolean) => {
    const data = encode(`${chunk.join('\r\n')}\r\n`, encoding === 'utf-8-bom' && bytes > 0 ? 'utf-8' : encoding);
    chunk = [];
    bytes += data.length;
    if (!out.write(data)) await once(out, 'drain');
    if (last) {
      out.end();
      await once(out, 'finish');
    }
  };
  for (const row of peopleRows(options)) {
    chunk.push(csvLine(rowValues(row)));
    rows++;
    if (chunk.length >= 5000) await flush(false);
  }
  await flush(true);
  return { rows, bytes };
}
