import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { csvLine, PEOPLE_HEADERS, peopleCsv, peopleRows, type HouseAddress, type PeopleFileOptions, type PeopleRow } from '../bench/lib/people-csv';
import { signToken } from '../src/modules/auth/jwt';
import type { Viewer } from '../src/modules/auth/viewer';
import { ImportInputError, parseMapping } from '../src/modules/person/import-columns';
import type { PeopleImportReport } from '../src/modules/person/import-report';
import { importPeople, type PeopleImportOptions } from '../src/modules/person/import-service';
import { startApp, type App } from '../src/server';
import { ADMIN, createPlaceFixture, dbId, createRaceCommunity, removeRaceCommunity, type PlaceFixture } from './fixtures/place';
import { closeTestDb, testDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig, user } from './support/graphql';

/**
 * Importing people from spreadsheets (npm run import:people, POST /import/people): all or nothing, every
 * refused row named with its column; UTF-8 and GBK CSV, XLSX; duplicates within the file and against the
 * registry; households by 户号; jurisdiction; the audit row of a written import.
 */
afterAll(closeTestDb);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
let sequence = 0;

/** Rows for the fixture's houses, with a household prefix and ID sequences no other test of this file uses. */
function rowsFor(houses: HouseAddress[], count: number, extra: Partial<PeopleFileOptions> = {}): PeopleRow[] {
  sequence += 1;
  return [...peopleRows({ rows: count, houses, householdPrefix: `T${sequence}X${Date.now() % 100000}H`, sequenceOffset: (sequence * 37) % 500, seed: sequence, ...extra })];
}

/** The same people, in no household (for tests about other columns: a refused head would leave its household headless). */
const alone = (rows: PeopleRow[]): PeopleRow[] => rows.map((r) => ({ ...r, 户号: '', 与户主关系: '' }));

function housesOf(f: PlaceFixture): HouseAddress[] {
  const code = f.buildings.BA1.code;
  return [
    { buildingCode: code, unit: 1, room: '101' },
    { buildingCode: code, unit: 1, room: '102' },
    { buildingCode: code, unit: 2, room: '201' },
  ];
}

async function importFile(db: Knex, file: Buffer, options: Partial<PeopleImportOptions> = {}, viewer: Viewer = ADMIN, requestId = 'test-import'): Promise<PeopleImportReport> {
  return importPeople({ db, config: testConfig(), viewer, requestId }, Readable.from([file]), { fileName: 'people.csv', dryRun: false, threads: 0, ...options });
}

async function peopleIn(db: Knex, f: PlaceFixture): Promise<number> {
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM person p JOIN house h ON h.id = p.house_id WHERE h.building_id = ?`, [dbId(f.buildings.BA1.id)]);
  return rows[0].n;
}

describe('a CSV import', () => {
  it('with one bad row among 1,000 writes nothing and names the row and column; fixed, it writes all 1,000 and one audit row', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const rows = rowsFor(housesOf(f), 1000);
      const good = rows[499].公民身份号码;
      const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      rows[499] = { ...rows[499], 公民身份号码: bad };
      const refused = await importFile(trx, peopleCsv(rows));
      expect(refused).toMatchObject({ written: false, rows: 1000, accepted: 999, refusedRows: 1, problemCount: 1 });
      // Row 1 is the header: the 500th person is on row 501.
      expect(refused.problems).toEqual([{ row: 501, column: '公民身份号码', message: expect.stringMatching(/check character should be/) }]);
      expect(await peopleIn(trx, f)).toBe(0);

      rows[499] = { ...rows[499], 公民身份号码: good };
      const written = await importFile(trx, peopleCsv(rows), { fileName: '幸福小区.csv', reason: '2026 年人口普查' }, ADMIN, 'test-import-written');
      expect(written).toMatchObject({ written: true, rows: 1000, accepted: 1000, refusedRows: 0, problems: [], format: 'csv', encoding: 'utf-8' });
      expect(written.householdsCreated).toBe(new Set(rows.map((r) => r.户号)).size);
      expect(await peopleIn(trx, f)).toBe(1000);
      // The import brings each person's building (no trigger lookup): the house's, every one.
      const { rows: buildings } = await trx.raw(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE p.building_id IS DISTINCT FROM h.building_id)::int AS wrong
         FROM person p JOIN house h ON h.id = p.house_id JOIN household hh ON hh.id = p.household_id WHERE hh.number = ANY(?)`,
        [[...new Set(rows.map((r) => r.户号))]],
      );
      expect(buildings[0]).toEqual({ n: 1000, wrong: 0 });
      const { rows: audit } = await trx.raw(`SELECT actor, role, action, reason, detail FROM audit_log WHERE request_id = 'test-import-written'`);
      expect(audit).toEqual([
        {
          actor: 'test-admin',
          role: 'ADMIN',
          action: 'IMPORT',
          reason: '2026 年人口普查',
          detail: { file: '幸福小区.csv', format: 'csv', rows: 1000, householdsCreated: written.householdsCreated },
        },
      ]);
      // Stored as registerPerson stores: sealed and masked, the relation mapped, the household's head set.
      const { rows: stored } = await trx.raw(
        `SELECT p.name, p.id_number_masked, p.id_number_sealed IS NOT NULL AS sealed, encode(p.id_number_sealed, 'escape') LIKE ? AS clear,
                p.relation_to_head, hh.number, p.residence_type, p.arrived_on::text, p.permit_masked
         FROM person p JOIN household hh ON hh.id = p.household_id WHERE hh.number = ? ORDER BY p.created_at`,
        [`%${rows[0].公民身份号码}%`, rows[0].户号],
      );
      expect(stored[0]).toMatchObject({ name: rows[0].姓名, id_number_masked: `${rows[0].公民身份号码.slice(0, 6)}********${rows[0].公民身份号码.slice(-4)}`, sealed: true, clear: false, relation_to_head: 'HEAD' });
      expect(stored.slice(1).map((s: { relation_to_head: string }) => s.relation_to_head)).toEqual(
        rows.filter((r) => r.户号 === rows[0].户号).slice(1).map((r) => ({ 配偶: 'SPOUSE', 子: 'CHILD', 女: 'CHILD', 父亲: 'PARENT', 母亲: 'PARENT' })[r.与户主关系]),
      );
      const floating = rows.findIndex((r) => r.人口类型 === '流动' && r.居住证号);
      const { rows: permit } = await trx.raw(`SELECT arrived_on::text, arrival_reason, permit_masked, permit_expires_on::text FROM person WHERE id_number_masked = ? AND name = ?`, [
        `${rows[floating].公民身份号码.slice(0, 6)}********${rows[floating].公民身份号码.slice(-4)}`,
        rows[floating].姓名,
      ]);
      expect(permit[0]).toMatchObject({ arrived_on: rows[floating].来本地日期, arrival_reason: rows[floating].来本地事由, permit_expires_on: rows[floating].居住证有效期至 });
      expect(permit[0].permit_masked).toMatch(/^\d{4}\*+\d{4}$/);
    }));

  it('reads GBK (as Excel in China saves CSV) and UTF-8 with a BOM alike', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const gbkRows = rowsFor(housesOf(f), 40);
      const gbk = peopleCsv(gbkRows, 'gbk');
      expect(gbk.toString('utf8')).not.toContain(gbkRows[0].姓名);
      const report = await importFile(trx, gbk);
      expect(report).toMatchObject({ written: true, accepted: 40, encoding: 'gb18030' });
      const bomRows = rowsFor(housesOf(f), 20);
      expect(await importFile(trx, peopleCsv(bomRows, 'utf-8-bom'))).toMatchObject({ written: true, accepted: 20, encoding: 'utf-8' });
      const { rows } = await trx.raw(`SELECT name, registered_address, arrival_reason FROM person p JOIN house h ON h.id = p.house_id WHERE h.building_id = ? ORDER BY p.created_at`, [dbId(f.buildings.BA1.id)]);
      expect(rows.map((r: { name: string }) => r.name)).toEqual([...gbkRows, ...bomRows].map((r) => r.姓名));
      expect(rows.map((r: { registered_address: string | null }) => r.registered_address)).toEqual([...gbkRows, ...bomRows].map((r) => r.户籍地 || null));
      // The encoding can be given too.
      expect(await importFile(trx, peopleCsv(rowsFor(housesOf(f), 5), 'gbk'), { encoding: 'gb18030', dryRun: true })).toMatchObject({ refusedRows: 0, encoding: 'gb18030' });
    }));

  it('dry run checks everything and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const rows = rowsFor(housesOf(f), 200);
      const report = await importFile(trx, peopleCsv(rows), { dryRun: true });
      expect(report).toMatchObject({ dryRun: true, written: false, rows: 200, accepted: 200, refusedRows: 0 });
      expect(report.householdsCreated).toBeGreaterThan(0);
      expect(await peopleIn(trx, f)).toBe(0);
      const { rows: households } = await trx.raw(`SELECT count(*)::int AS n FROM household WHERE number = ?`, [rows[0].户号]);
      expect(households[0].n).toBe(0);
    }));

  it('names both rows of an ID number given twice, and a row whose person is registered already', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const first = rowsFor(housesOf(f), 30);
      expect(await importFile(trx, peopleCsv(first))).toMatchObject({ written: true, accepted: 30 });
      const [registered] = (await trx.raw(`SELECT id FROM person WHERE name = ? AND id_number_masked LIKE ?`, [first[7].姓名, `%${first[7].公民身份号码.slice(-4)}`])).rows;

      const next = alone(rowsFor(housesOf(f), 20));
      next[9] = { ...next[9], 公民身份号码: next[2].公民身份号码, 性别: next[2].性别, 出生日期: next[2].出生日期 };
      next[12] = { ...first[7], 户号: '', 与户主关系: '' };
      const report = await importFile(trx, peopleCsv(next));
      expect(report).toMatchObject({ written: false, refusedRows: 3 });
      expect(report.problems).toEqual([
        { row: 4, column: '公民身份号码', message: 'the same ID number as row 11: one person, one row' },
        { row: 11, column: '公民身份号码', message: 'the same ID number as row 4: one person, one row' },
        {
          row: 14,
          column: '公民身份号码',
          message: `already registered (Person ${Buffer.from(`Person:${registered.id}`).toString('base64url')}): an import adds new residents; change or move this one with updatePerson or movePerson`,
        },
      ]);
    }));

  it('keeps a household to one house and one head, and refuses cells it cannot read, each in its column', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const base = rowsFor(housesOf(f), 12);
      expect(await importFile(trx, peopleCsv(base))).toMatchObject({ written: true });
      const rows = alone(rowsFor(housesOf(f), 14));
      const prefix = base[0].户号.replace(/H\d+$/, '');
      const other = housesOf(f).find((h) => h.room !== base[0].房号)!;
      const at = (h: { buildingCode: string; unit: number | null; room: string }) => ({ 楼栋编码: h.buildingCode, 单元: String(h.unit ?? ''), 房号: h.room });
      rows[0] = { ...rows[0], 户号: base[0].户号, 与户主关系: '子', ...at(other) };
      rows[1] = { ...rows[1], 户号: base[0].户号, 与户主关系: '户主', 楼栋编码: base[0].楼栋编码, 单元: base[0].单元, 房号: base[0].房号 };
      rows[2] = { ...rows[2], 性别: '未知', 人口类型: '常驻人口?', 与户主关系: '邻居' };
      rows[3] = { ...rows[3], 出生日期: '1990年13月1日', 联系电话: '1234' };
      rows[4] = { ...rows[4], 楼栋编码: '1.30105E+15', 房号: '' };
      rows[5] = { ...rows[5], 楼栋编码: '9999999999999999' };
      rows[6] = { ...rows[6], 房号: '9999' };
      rows[7] = { ...rows[7], 公民身份号码: '1.30105199E+17' };
      rows[8] = { ...rows[8], 人口类型: '户籍', 来本地日期: '2020-01-01', 来本地事由: '', 居住证号: '', 居住证有效期至: '' };
      // A new household with no head, and one with two.
      rows[9] = { ...rows[9], 户号: `${prefix}N1`, 与户主关系: '配偶' };
      rows[10] = { ...rows[10], 户号: `${prefix}N2`, 与户主关系: '户主', ...at(other) };
      rows[11] = { ...rows[11], 户号: `${prefix}N2`, 与户主关系: '本人', ...at(other) };
      const report = await importFile(trx, peopleCsv(rows));
      const byRow = (row: number) => report.problems.filter((p) => p.row === row).map((p) => [p.column, p.message]);
      expect(byRow(2)).toEqual([['户号', expect.stringMatching(new RegExp(`^户号 ${base[0].户号} is a household of another house \\(building ${f.buildings.BA1.code}, unit \\d, room \\d+\\)`))]]);
      expect(byRow(3)).toEqual([['与户主关系', expect.stringMatching(/already has a head/)]]);
      expect(byRow(4)).toEqual([
        ['性别', '"未知" is not a gender: 男 or 女'],
        ['人口类型', '"常驻人口?" is not a residence type: 户籍, 流动, 境外 or 未落户'],
        ['与户主关系', expect.stringMatching(/^"邻居" is not a relation the import knows \(户主, 配偶/)],
      ]);
      expect(byRow(5)).toEqual([
        ['出生日期', expect.stringMatching(/^birth date: "1990-13-01"/)],
        ['联系电话', expect.stringMatching(/^phone: "1234" is not a valid phone number/)],
      ]);
      expect(byRow(6)).toEqual([
        ['楼栋编码', '"1.30105E+15" was stored as a number and lost its last digits: format the column as text (文本) and type the numbers again'],
        ['房号', 'is empty: the room as written on the door, e.g. 1502'],
      ]);
      expect(byRow(7)).toEqual([['楼栋编码', 'no current building has code 9999999999999999']]);
      expect(byRow(8)).toEqual([['房号', expect.stringMatching(new RegExp(`^building ${f.buildings.BA1.code} has no current house at unit \\d, room 9999$`))]]);
      expect(byRow(9)).toEqual([['公民身份号码', expect.stringMatching(/^"1.30105199E\+17" was stored as a number and lost its last digits: format the column as text/)]]);
      expect(byRow(10)).toEqual([['来本地日期', 'only floating residents (人口类型 流动) have this; this row is 户籍: leave it empty']]);
      expect(byRow(11)).toEqual([['与户主关系', `户号 ${prefix}N1 is a new household and no row of it is its head (户主): one member's 与户主关系 must be 户主`]]);
      expect(byRow(12)).toEqual([]);
      expect(byRow(13)).toEqual([['与户主关系', `户号 ${prefix}N2 already has its head (户主) on row 12: one head per household`]]);
      expect(report.refusedRows).toBe(11);
      expect(await peopleIn(trx, f)).toBe(12);
    }));

  it('refuses a file without a required column before reading a row; ignores unknown columns; reads headers by variant or mapping', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const rows = rowsFor(housesOf(f), 5);
      const without = PEOPLE_HEADERS.filter((h) => h !== '楼栋编码' && h !== '人口类型');
      await expect(importFile(trx, peopleCsv(rows, 'utf-8', without))).rejects.toBeInstanceOf(ImportInputError);
      await expect(importFile(trx, peopleCsv(rows, 'utf-8', without))).rejects.toThrow(/^the file has no column 人口类型, 楼栋编码 \(its header row: 姓名, 性别/);

      // A title row, headers with spaces, full-width brackets and notes, an unknown column, and English names.
      const headers = ['序号', ' 姓 名 ', '性别（男/女）', 'birthDate', '公民身份号码*', '手机号码', '人口类型', '户籍地址', '楼栋编码', '单元', '房号', '户号', '与户主关系', '备注'];
      const lines = ['幸福小区实有人口登记表,,,', csvLine(headers)];
      rows.forEach((r, i) => lines.push(csvLine([String(i + 1), r.姓名, r.性别, r.出生日期, r.公民身份号码, r.联系电话, r.人口类型 === '流动' ? '户籍' : r.人口类型, r.户籍地, r.楼栋编码, r.单元, r.房号, r.户号, r.与户主关系, '无'])));
      const report = await importFile(trx, Buffer.from(lines.join('\n')));
      expect(report).toMatchObject({ written: true, accepted: 5, ignoredColumns: ['序号', '备注'] });
      expect(report.columns).toMatchObject({ name: '姓 名', gender: '性别（男/女）', birthDate: 'birthDate', idNumber: '公民身份号码*', phone: '手机号码' });
      // Headers nobody would guess, through a mapping (as --mapping mapping.json gives it).
      const mapped = rowsFor(housesOf(f), 3);
      const odd = ['名字', '证件号', '类别', '楼号', '室'];
      const body = [csvLine(odd), ...mapped.map((r) => csvLine([r.姓名, r.公民身份号码, '户籍', r.楼栋编码, r.房号]))].join('\n');
      const mapping = parseMapping({ 名字: 'name', 证件号: 'idNumber', 类别: 'residenceType', 楼号: 'buildingCode', 室: 'room' });
      // Without units these rooms are not found (the fixture's houses have units): the mapping itself worked.
      const byMapping = await importFile(trx, Buffer.from(body), { mapping, dryRun: true });
      expect(byMapping.problems.map((p) => p.column)).toEqual(['室', '室', '室']);
      expect(() => parseMapping({ 名字: 'fullName' })).toThrow(/the mapping names no such field for "名字": "fullName"; the fields are name, gender/);
    }));
});

describe('an XLSX import', () => {
  async function workbook(rows: PeopleRow[], decorate?: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('实有人口');
    book.addWorksheet('说明').addRow(['填表说明']);
    sheet.addRow(['幸福小区实有人口登记表']);
    sheet.addRow([...PEOPLE_HEADERS]);
    for (const r of rows) {
      // As people type into Excel: dates as dates, unit and room as numbers, ID numbers as text.
      sheet.addRow(
        PEOPLE_HEADERS.map((h) => {
          const v = r[h];
          if (v === '') return null;
          if (/日期|有效期/.test(h)) return new Date(`${v}T00:00:00Z`);
          if ((h === '单元' || h === '房号') && /^\d+$/.test(v) && !v.startsWith('0')) return Number(v);
          return v;
        }),
      );
    }
    decorate?.(sheet);
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  it('imports the first worksheet, below its title row, with dates as Excel dates', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const rows = rowsFor(housesOf(f), 25);
      const report = await importFile(trx, await workbook(rows), { fileName: 'people.xlsx' });
      expect(report).toMatchObject({ format: 'xlsx', encoding: null, written: true, rows: 25, accepted: 25, refusedRows: 0 });
      const { rows: stored } = await trx.raw(`SELECT name, birth_date::text, moved_in_on::text FROM person p JOIN house h ON h.id = p.house_id WHERE h.building_id = ? ORDER BY p.created_at`, [dbId(f.buildings.BA1.id)]);
      expect(stored).toEqual(rows.map((r) => ({ name: r.姓名, birth_date: r.出生日期, moved_in_on: r.入住日期 })));
    }));

  it('says to format the column as text when ID numbers were stored as numbers, and reads serial-number dates', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const rows = alone(rowsFor(housesOf(f), 4));
      const file = await workbook(rows, (sheet) => {
        // Row 3 is the first person (a title row, then the header).
        sheet.getCell('E4').value = Number(rows[1].公民身份号码.replace('X', '0'));
        const birth = rows[2].出生日期;
        sheet.getCell('C5').value = (Date.parse(`${birth}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;
      });
      const report = await importFile(trx, file, { fileName: 'people.xlsx', dryRun: true });
      expect(report.problems).toEqual([{ row: 4, column: '公民身份号码', message: expect.stringMatching(/^"\d\.\d+E\+17" was stored as a number and lost its last digits: format the column as text \(文本\)/) }]);
      expect(report).toMatchObject({ rows: 4, accepted: 3, refusedRows: 1 });
    }));
});

describe('who may import', () => {
  it('ADMIN or DISPATCHER, each row within their jurisdiction; nobody else', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const { rows: bb } = await trx.raw(`INSERT INTO house (building_id, unit, room, use) VALUES (?, 1, '301', 'RENTED') RETURNING id`, [dbId(f.buildings.BB.id)]);
      expect(bb).toHaveLength(1);
      const rows = rowsFor([...housesOf(f), { buildingCode: f.buildings.BB.code, unit: 1, room: '301' }], 8);
      const outside = rows.flatMap((r, i) => (r.楼栋编码 === f.buildings.BB.code ? [i + 2] : []));
      expect(outside.length).toBeGreaterThan(0);
      const dispatcher = user('DISPATCHER', f.grids.A.code);
      const report = await importFile(trx, peopleCsv(rows), { dryRun: true }, dispatcher);
      expect(report.problems).toEqual(outside.map((row) => ({ row, column: '楼栋编码', message: `building ${f.buildings.BB.code} lies outside your jurisdiction (${f.grids.A.code})` })));
      expect((await importFile(trx, peopleCsv(rows), { dryRun: true }, user('DISPATCHER', f.districtCode))).refusedRows).toBe(0);
      for (const viewer of [user('VIEWER'), user('GRID_WORKER', f.grids.GA1.code), user('GIS_EDITOR'), { kind: 'anonymous' } as Viewer]) {
        await expect(importFile(trx, peopleCsv(rows), { dryRun: true }, viewer)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      }
    }));
});

/**
 * Over HTTP and through the CLI, which use their own connections: a committed community of its own (removed
 * after), with one building of 8 houses.
 */
describe('POST /import/people and npm run import:people', () => {
  const SECRET = 'i'.repeat(32);
  let app: App;
  let base: string;
  let community: Awaited<ReturnType<typeof createRaceCommunity>>;
  let houses: HouseAddress[];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'people-import-'));
  const token = (role: 'ADMIN' | 'VIEWER' | 'DISPATCHER') => signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `import-${role.toLowerCase()}`, role });

  beforeAll(async () => {
    community = await createRaceCommunity(testDb());
    const code = `${community.grids.C.code.slice(0, 6)}${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    const p = community.at(0.5, 0.5);
    const { rows } = await testDb().raw(
      `INSERT INTO building (code, name, kind, units, community_id, location) VALUES (?, '导入测试楼', 'RESIDENTIAL', 2, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) RETURNING id`,
      [code, community.grids.C.id, p.lng, p.lat],
    );
    await testDb().raw(`INSERT INTO house (building_id, unit, room, use) SELECT ?, u, r::text, 'OWNER_OCCUPIED' FROM generate_series(1, 2) u, generate_series(101, 104) r`, [rows[0].id]);
    houses = [1, 2].flatMap((unit) => [101, 102, 103, 104].map((room) => ({ buildingCode: code, unit, room: String(room) })));
    app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, IMPORT_MAX_BYTES: '100000' }), silentLog);
    base = app.url.replace('/graphql', '');
  });

  afterAll(async () => {
    await app?.stop();
    const ids = Object.values(community.grids).map((g) => g.id);
    const buildings = `SELECT id FROM building WHERE community_id = ANY(?::uuid[])`;
    const people = `SELECT p.id FROM person p JOIN house h ON h.id = p.house_id WHERE h.building_id IN (${buildings})`;
    await testDb().raw(`DELETE FROM person_residence WHERE person_id IN (${people})`, [ids]);
    await testDb().raw(`DELETE FROM person WHERE id IN (${people})`, [ids]);
    await testDb().raw(`DELETE FROM household WHERE house_id IN (SELECT id FROM house WHERE building_id IN (${buildings}))`, [ids]);
    await removeRaceCommunity(testDb(), community.grids);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function post(query: string, body: Buffer | string, headers: Record<string, string>) {
    const res = await fetch(`${base}/import/people${query}`, { method: 'POST', body, headers });
    // A report (200, 422), or a refusal `{ error, code }` (400, 401, 403, 405, 413, 415).
    return { status: res.status, body: (await res.json()) as PeopleImportReport & { error?: string; code?: string } };
  }

  const csv = { 'content-type': 'text/csv' };

  it('imports for ADMIN (dry run first), refuses VIEWER and anonymous callers, bad bodies and other methods', async () => {
    const rows = rowsFor(houses, 30);
    const file = peopleCsv(rows, 'gbk');
    const admin = { ...csv, authorization: `Bearer ${await token('ADMIN')}` };
    const dry = await post('?dryRun=true&fileName=%E5%B9%B8%E7%A6%8F.csv', file, admin);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ file: '幸福.csv', dryRun: true, written: false, rows: 30, accepted: 30, refusedRows: 0, encoding: 'gb18030' });
    const count = async () => (await testDb().raw(`SELECT count(*)::int AS n FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id WHERE b.code = ?`, [houses[0].buildingCode])).rows[0].n;
    expect(await count()).toBe(0);

    for (const [headers, status] of [
      [csv, 403],
      [{ ...csv, authorization: `Bearer ${await token('VIEWER')}` }, 403],
      [{ ...csv, authorization: 'Bearer not.a.token' }, 401],
    ] as const) {
      expect((await post('', file, headers)).status).toBe(status);
    }
    expect(await post('', file, { ...admin, 'content-type': 'application/json' })).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await post('', Buffer.from('姓名,性别\n张三,男\n'), admin)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^the file has no column/), code: 'BAD_USER_INPUT' } });
    expect(await post('?dryRun=maybe', file, admin)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/dryRun must be true or false/) } });
    const large = peopleCsv(rowsFor(houses, 1000));
    expect(await post('', large, admin)).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', error: expect.stringMatching(/^request body of \d+ bytes exceeds 100000 bytes \(IMPORT_MAX_BYTES\)/) } });
    // Sent in chunks, with no length declared: cut once past the limit, and still answered.
    const chunked = await fetch(`${base}/import/people`, { method: 'POST', headers: admin, body: Readable.toWeb(Readable.from([large.subarray(0, 60000), large.subarray(60000)])) as ReadableStream, duplex: 'half' } as RequestInit);
    expect({ status: chunked.status, body: await chunked.json() }).toMatchObject({ status: 413, body: { error: 'request body exceeds 100000 bytes (IMPORT_MAX_BYTES)' } });
    const get = await fetch(`${base}/import/people`, { headers: admin });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await count()).toBe(0);

    const written = await post('?reason=%E5%85%A5%E6%88%B7%E6%A0%B8%E6%9F%A5', file, admin);
    expect(written).toMatchObject({ status: 200, body: { written: true, accepted: 30, file: 'upload.csv' } });
    expect(await count()).toBe(30);
    const again = await post('', file, admin);
    expect(again.status).toBe(422);
    // Every row: already registered (and every head: its household has one already).
    expect(again.body).toMatchObject({ written: false, refusedRows: 30 });
    const registered = again.body.problems.filter((p) => p.column === '公民身份号码' && p.message.startsWith('already registered (Person '));
    expect(registered.map((p: { row: number }) => p.row)).toEqual(rows.map((_, i) => i + 2));
  });

  it('the CLI: exit 0 for a clean dry run, 1 with refused rows listed, 2 with one line for a file it cannot read', async () => {
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent' };
    const cli = (...args: string[]) =>
      run('npx', ['tsx', 'src/modules/person/import-cli.ts', ...args], { cwd: ROOT, env }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const rows = alone(rowsFor(houses, 60));
    const good = path.join(tmp, 'good.csv');
    fs.writeFileSync(good, peopleCsv(rows));
    const clean = await cli(good, '--dry-run', '--threads', '2');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^dry run: nothing written — good\.csv \(csv, utf-8\): 60 rows in [\d.]+ s \(\d+ rows\/s\): 60 accepted, 0 refused; 0 new households/);

    rows[10] = { ...rows[10], 出生日期: '1890-01-01' };
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, iconv.encode(peopleCsv(rows).toString('utf8'), 'gbk'));
    const refused = await cli(bad, '--dry-run');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^refused: nothing written — bad\.csv \(csv, gb18030\): 60 rows/);
    expect(refused.stdout).toMatch(/\n {2}row 12, column 出生日期: birth date: 1890-01-01 is before 1900-01-01\n/);

    const headerless = path.join(tmp, 'headerless.csv');
    fs.writeFileSync(headerless, '张三,男,1990-01-01\n');
    const unreadable = await cli(headerless);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^the file has no column 姓名, 人口类型, 楼栋编码, 房号/)]);
  });
});
