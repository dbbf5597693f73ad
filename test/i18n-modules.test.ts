import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Role } from '../src/generated/graphql';
import { isCatalogued, LOCALES, negotiateLocale } from '../src/i18n';
import { posixLocale } from '../src/i18n/locale';
import { signToken } from '../src/modules/auth/jwt';
import { makeIdNumber } from '../src/modules/person/id-number';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Each module's messages in zh-CN and en, asked through the API as a client does (Accept-Language): the date
 * scalars, people (ID numbers, phones, import rows), organisations, workers, places, facilities, incidents
 * (ILLEGAL_TRANSITION, Open311); the command-line import by LANG; and a catalogue whose every entry is
 * registered and written in both languages. Nothing here writes: every request is refused or a dry run.
 */
const SECRET = 's'.repeat(32);
const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
let app: App;
let base: string;

beforeAll(async () => {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, DEFAULT_LOCALE: 'zh-CN' });
  app = await startApp(config, silentLog, { onProgress: () => {} });
  base = app.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await app.stop();
  await closeTestDb();
});

const bearer = async (role: Role) => ({ authorization: `Bearer ${await signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `i18n-modules-${role.toLowerCase()}`, role })}` });

type Body = { data?: Record<string, { __typename: string; message?: string; problems?: { code: string; message: string; field: string }[] }>; errors?: { message: string; extensions: { code: string; field?: string } }[] };

async function graphql(query: string, variables: object, headers: Record<string, string>, language: string): Promise<Body> {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': language, ...headers }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as Body;
}

/** The same request in each language. */
async function both(query: string, variables: object = {}, headers: Record<string, string> = {}) {
  return { zh: await graphql(query, variables, headers, 'zh-CN'), en: await graphql(query, variables, headers, 'en') };
}

/** The problems of the payload `field` answered, by input field: message in each language, code once. */
function problemsOf(r: { zh: Body; en: Body }, field: string) {
  const zh = r.zh.data![field].problems ?? [];
  const en = r.en.data![field].problems ?? [];
  expect(zh.map((p) => [p.code, p.field])).toEqual(en.map((p) => [p.code, p.field]));
  return Object.fromEntries(en.map((p, i) => [p.field, { code: p.code, en: p.message, zh: zh[i].message }]));
}

const PROBLEMS = '... on ValidationError { message problems { code field message } }';

async function anyBuildingCode(): Promise<string> {
  const { rows } = await testDb().raw('SELECT code FROM building WHERE retired_at IS NULL ORDER BY code LIMIT 1');
  return rows[0].code;
}

describe('the date scalars', () => {
  it('a DateTime argument: inline and as a variable', async () => {
    const r = await both('{ grid(code: "130105", asOf: "2026-02-30T00:00:00Z") { code } }');
    expect(r.en.errors![0].message).toContain('DateTime "2026-02-30T00:00:00Z" 2026-02 has no day 30');
    expect(r.zh.errors![0].message).toContain('DateTime 值 "2026-02-30T00:00:00Z" 无效：2026-02 没有第 30 日');
    const v = await both('query($at: DateTime) { grid(code: "130105", asOf: $at) { code } }', { at: 'yesterday' });
    expect(v.en.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(v.en.errors![0].message).toBe('Variable "$at" got invalid value "yesterday"; DateTime "yesterday" must be an RFC 3339 date-time with a time zone, e.g. "2026-11-23T08:00:00Z" or "2026-11-23T16:00:00+08:00"');
    expect(v.zh.errors![0].message).toBe('变量 $at：DateTime 值 "yesterday" 无效：应为带时区的 RFC 3339 日期时间，例如 "2026-11-23T08:00:00Z" 或 "2026-11-23T16:00:00+08:00"');
  });
});

describe('people', () => {
  const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { __typename ${PROBLEMS} } }`;

  it('ID number (GB 11643) and phone problems of registerPerson', async () => {
    const valid = makeIdNumber('130105', '1990-03-04', 123);
    const wrong = valid.slice(0, 17) + (valid[17] === '3' ? '4' : '3');
    const input = { name: '测试人员', residenceType: 'REGISTERED', idNumber: wrong, phone: '0311-1', house: { buildingCode: await anyBuildingCode(), unit: 1, room: '101' } };
    const r = await both(REGISTER, { input }, await bearer('ADMIN'));
    const p = problemsOf(r, 'registerPerson');
    expect(p['input.idNumber']).toEqual({
      code: 'BAD_VALUE',
      en: `ID number: the check character should be ${valid[17]}, not ${wrong[17]}: one of the 18 characters is mistyped`,
      zh: `公民身份号码：校验码应为${valid[17]}，而不是${wrong[17]}：18位中有字符输错了`,
    });
    expect(p['input.phone'].en).toBe('phone: "0311-1" is not a valid phone number in mainland China (a landline needs its area code, e.g. 0311-86681234)');
    expect(p['input.phone'].zh).toBe('联系电话："0311-1" 不是有效的中国大陆电话号码（固定电话需带区号，例如 0311-86681234）');
    expect(r.zh.data!.registerPerson.message).toMatch(/^发现 2 个问题；没有做任何修改：公民身份号码：校验码应为/);
  });

  it('a house that does not exist (registerPerson), and a tenant registration without ID number or phone', async () => {
    const code = await anyBuildingCode();
    const input = { name: '测试人员', gender: 'FEMALE', birthDate: '1990-05-06', residenceType: 'FLOATING', floating: { arrivedOn: '2026-01-02' }, house: { buildingCode: code, unit: 9, room: '9909' } };
    const p = problemsOf(await both(REGISTER, { input }, await bearer('ADMIN')), 'registerPerson')['input.house.room'];
    expect(p.en).toMatch(new RegExp(`^house: building ${code} has no current house at unit 9, room 9909`));
    expect(p.zh).toMatch(new RegExp(`^房屋：楼栋 ${code} 没有 9 单元 9909 室这套现有房屋`));
    const tenant = await both(
      `mutation($input: RegisterTenantInput!) { registerTenant(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { buildingCode: code, room: '101', name: '租户甲', gender: 'MALE', idNumber: ' ', phone: '' } },
    );
    const t = problemsOf(tenant, 'registerTenant');
    expect(t['input.idNumber'].zh).toBe('公民身份号码：必须填写（公民身份号码，或港澳台居民居住证号码）');
    expect(t['input.phone'].en).toBe('phone: is required (a mobile number the grid worker can call)');
    expect(t['input.phone'].zh).toBe('联系电话：必须填写（网格员能拨通的手机号码）');
  });

  it('the rows of POST /import/people, in the language asked', async () => {
    const code = await anyBuildingCode();
    const id = makeIdNumber('130105', '1985-07-01', 42);
    const csv = `姓名,性别,公民身份号码,人口类型,联系电话,楼栋编码,单元,房号\n张三,男,${id.slice(0, 17)}Q,户籍,138,${code},1,101\n李四,未知,${id},外地,,${code},,\n`;
    const post = async (language: string) => {
      const res = await fetch(`${base}/import/people?dryRun=true`, { method: 'POST', headers: { 'content-type': 'text/csv', 'accept-language': language, ...(await bearer('ADMIN')) }, body: csv });
      expect(res.status).toBe(422);
      return ((await res.json()) as { problems: { row: number; column: string; message: string }[] }).problems;
    };
    const zh = await post('zh-CN');
    const en = await post('en');
    expect(zh.map((p) => [p.row, p.column])).toEqual(en.map((p) => [p.row, p.column]));
    const at = (list: typeof zh, row: number, column: string) => list.find((p) => p.row === row && p.column === column)?.message;
    expect(at(en, 2, '公民身份号码')).toBe('ID number: character 18 "Q" is not allowed: only digits, and X as the last character');
    expect(at(zh, 2, '公民身份号码')).toBe('公民身份号码：第18位的"Q"不允许出现：只能是数字，最后一位可以是 X');
    expect(at(zh, 2, '联系电话')).toBe('联系电话："138" 不是有效的中国大陆电话号码（固定电话需带区号，例如 0311-86681234）');
    expect(at(en, 3, '性别')).toBe('"未知" is not a gender: 男 or 女');
    expect(at(zh, 3, '性别')).toBe('"未知" 不是有效的性别：应为 男 或 女');
    expect(at(zh, 3, '人口类型')).toBe('"外地" 不是有效的人口类型：应为 户籍、流动、境外 或 未落户');
    expect(at(zh, 3, '房号')).toBe('为空：请按门牌填写房号，例如 1502');
    // Nothing of either answer is left in English.
    for (const p of zh) expect([p.message, /[a-z]{4,} [a-z]{4,}/.test(p.message.replace(/0311-86681234|X$/g, ''))]).toEqual([p.message, false]);
  });

  it('a file the import cannot read, and npm run import:people in the language of LANG', async () => {
    const res = await fetch(`${base}/import/people?dryRun=true`, { method: 'POST', headers: { 'content-type': 'text/csv', 'accept-language': 'zh', ...(await bearer('ADMIN')) }, body: '姓名,民族\n张三,汉\n' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^文件缺少列：人口类型、楼栋编码、房号、公民身份号码或出生日期、公民身份号码或性别（表头行：姓名, 民族）/);

    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'i18n-cli-'));
    const file = path.join(tmp, 'people.csv');
    fs.writeFileSync(file, `姓名,性别,出生日期,人口类型,楼栋编码,单元,房号\n王五,女,1990-02-30,户籍,${await anyBuildingCode()},1,101\n`);
    const cli = (lang: string) =>
      run('npx', ['tsx', 'src/modules/person/import-cli.ts', file, '--dry-run', '--threads', '0'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent', LANG: lang, LC_ALL: '', LC_MESSAGES: '', DEFAULT_LOCALE: 'en' },
      }).then(
        () => ({ stdout: '' }),
        (e: { stdout: string }) => ({ stdout: e.stdout }),
      );
    const zh = await cli('zh_CN.UTF-8');
    expect(zh.stdout).toMatch(/^已拒绝：未写入任何数据 — people\.csv \(csv, utf-8\)：共 1 行/);
    expect(zh.stdout).toContain('  第 2 行，"出生日期"列：出生日期："1990-02-30" 无效：1990-02 没有第 30 日');
    const en = await cli('en_US.UTF-8');
    expect(en.stdout).toContain('  row 2, column 出生日期: birth date: "1990-02-30" 1990-02 has no day 30');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

describe('organisations, workers, places, facilities', () => {
  const here = { lng: 114.44796, lat: 38.03086 };

  it('the unified social credit code (GB 32100) of createOrganization', async () => {
    const r = await both(
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { name: '测试物业公司', kind: 'ENTERPRISE', creditCode: '91130105MA0ABCDEFI', location: here } },
      await bearer('ADMIN'),
    );
    const p = problemsOf(r, 'createOrganization')['input.creditCode'];
    expect(p.en).toBe('creditCode: character 18 "I" is not allowed: only digits and capital letters except I, O, Z, S, V (the letters I, O, Z, S and V are never used: did you mean 1?)');
    expect(p.zh).toBe('creditCode：第18位的"I"不允许出现：只能是数字和除 I、O、Z、S、V 以外的大写字母（代码中从不使用 I、O、Z、S、V：是不是 1？）');
  });

  it('a worker phone that is a landline', async () => {
    const gridId = Buffer.from(`Grid:${(await testDb().raw("SELECT id FROM grid WHERE code = '130105001015001' AND valid_to IS NULL")).rows[0].id}`).toString('base64url');
    const r = await both(
      `mutation($input: CreateWorkerInput!) { createWorker(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { name: '测试网格员', phone: '0311-86681234', role: 'FULL_TIME', gridId } },
      await bearer('ADMIN'),
    );
    const p = problemsOf(r, 'createWorker')['input.phone'];
    expect(p.en).toBe('phone: "0311-86681234" is a landline; a mobile number is needed (11 digits starting with 1)');
    expect(p.zh).toBe('phone（手机号码）："0311-86681234" 是固定电话；需要手机号码（以 1 开头的 11 位数字）');
  });

  it('incidentStats windows that are not whole days in China', async () => {
    const r = await both(
      `query($from: DateTime!, $to: DateTime!) { grid(code: "130105001") { incidentStats(from: $from, to: $to) { total { reported } } } }`,
      { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00+08:00' },
      await bearer('ADMIN'),
    );
    expect([r.zh.errors?.[0]?.extensions?.field, r.en.errors?.[0]?.extensions?.field]).toEqual(['from', 'from']);
    expect(r.en.errors?.[0]?.message).toBe('from: statistics are kept by whole days in China: give a midnight at +08:00, e.g. "2026-10-01T00:00:00+08:00" (got 2026-10-01T00:00:00.000Z)');
    expect(r.zh.errors?.[0]?.message).toBe('from：统计按北京时间整日计算，请给出 +08:00 的零点，例如 "2026-10-01T00:00:00+08:00"（收到 2026-10-01T00:00:00.000Z）');
  });

  it('a building code that is no code, and a camera bearing out of range', async () => {
    const b = await both('{ building(code: "12") { name } }');
    expect(b.en.errors![0].message).toBe('code is a 16-digit building code (got "12")');
    expect(b.zh.errors![0].message).toBe('code 应为16位楼栋编码（实际为 "12"）');
    const f = await both(
      `mutation($input: CreateFacilityInput!) { createFacility(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { name: '测试摄像头', kind: 'CAMERA', location: here, camera: { bearing: 360, fieldOfView: 90, rangeMeters: 50, category: 'TRAFFIC' } } },
      await bearer('ADMIN'),
    );
    const p = problemsOf(f, 'createFacility')['input.camera.bearing'];
    expect(p.en).toBe('camera.bearing: degrees clockwise from north, 0 or more and less than 360 (got 360); due north is 0, not 360');
    expect(p.zh).toBe('camera.bearing：从正北顺时针量的度数，不小于 0 且小于 360（实际为 360）；正北是 0，不是 360');
    // A position out of range on a mutation's input (every located record's): the shared check, in each language.
    const off = await both(
      `mutation($input: CreateFacilityInput!) { createFacility(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { name: '测试门禁', kind: 'GATE', location: { lng: 200, lat: 38 } } },
      await bearer('ADMIN'),
    );
    const position = problemsOf(off, 'createFacility')['input.location'];
    expect(position.en).toBe('input.location.lng must be within -180..180 (got 200)');
    expect(position.zh).toBe('input.location.lng 必须在 -180..180 之间（收到 200）');
  });
});

describe('incidents', () => {
  it('ILLEGAL_TRANSITION: accepting a closed incident', async () => {
    const { rows } = await testDb().raw("SELECT id, version FROM incident WHERE status = 'CLOSED' ORDER BY id LIMIT 1");
    const id = Buffer.from(`Incident:${rows[0].id}`).toString('base64url');
    const r = await both(
      `mutation($input: AcceptIncidentInput!) { acceptIncident(input: $input) { __typename ${PROBLEMS} } }`,
      { input: { id, expectedVersion: rows[0].version } },
      await bearer('ADMIN'),
    );
    const p = problemsOf(r, 'acceptIncident')['input.id'];
    expect(p.code).toBe('ILLEGAL_TRANSITION');
    expect(p.en).toMatch(/^acceptIncident cannot be applied to an incident that is CLOSED/);
    expect(p.zh).toMatch(/^事件当前状态为 CLOSED，不能执行 acceptIncident/);
  });

  it("Open311's error descriptions follow Accept-Language", async () => {
    const ask = async (language: string) => {
      const res = await fetch(`${base}/open311/v2/requests.json?service_request_id=${Array.from({ length: 60 }, (_, i) => `X${i}`).join(',')}`, { headers: { 'accept-language': language } });
      expect(res.status).toBe(400);
      return ((await res.json()) as { code: number; description: string }[])[0].description;
    };
    expect(await ask('en')).toMatch(/^service_request_id: 60 given; at most \d+ at once$/);
    expect(await ask('zh-CN')).toMatch(/^service_request_id：给了 60 个；一次最多 \d+ 个$/);
  });
});

describe('the catalogue and the command line locale', () => {
  it('renders every entry of every messages/ file (each registered), non-empty in both languages', () => {
    const dir = path.resolve(__dirname, '../src/i18n/messages');
    let count = 0;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const exported = require(path.join(dir, file)) as Record<string, Record<string, Record<string, (p: Record<string, string>) => string>>>;
      for (const group of Object.values(exported)) {
        for (const [key, entry] of Object.entries(group)) {
          expect([key, isCatalogued(key)]).toEqual([key, true]);
          const params = new Proxy({}, { get: () => '1' }) as Record<string, string>;
          for (const locale of LOCALES) expect([key, locale, entry[locale](params).trim() === '']).toEqual([key, locale, false]);
          count += 1;
        }
      }
    }
    expect(count).toBeGreaterThan(500);
  });

  it('LC_ALL, then LC_MESSAGES, then LANG; C and POSIX fall back to DEFAULT_LOCALE', () => {
    expect(posixLocale({ LANG: 'zh_CN.UTF-8' }, 'en')).toBe('zh-CN');
    expect(posixLocale({ LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' }, 'zh-CN')).toBe('en');
    expect(posixLocale({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_TW' }, 'en')).toBe('zh-CN');
    expect(posixLocale({ LANG: 'C.UTF-8' }, 'zh-CN')).toBe('zh-CN');
    expect(posixLocale({}, 'en')).toBe('en');
    expect(negotiateLocale('zh-Hans-CN', 'en')).toBe('zh-CN');
  });
});
