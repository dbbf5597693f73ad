import { defineMessages } from '../message';

/** A list in words: "a, b and c" / "a、b 和 c". */
const inWords = (items: string[], and: string, comma: string) => (items.length === 1 ? items[0] : `${items.slice(0, -1).join(comma)}${and}${items[items.length - 1]}`);
/** Characters refused in an ID number: `at` their positions (comma-separated), `chars` the characters, one each. */
type Strays = { at: string; chars: string; more: number; legacy: number };
const strays = (p: Strays) => p.at.split(',').map((at, i) => ({ at, c: Array.from(p.chars)[i] ?? '' }));
const birthDigits = (p: { legacy: number }) => (p.legacy ? { en: 'characters 7–12 should be the birth date (YYMMDD of a year 19YY)', zh: '第7–12位应为出生日期（19YY 年的 YYMMDD）' } : { en: 'characters 7–14 should be the birth date', zh: '第7–14位应为出生日期' });
const sexZh = (g: string) => (g === 'MALE' ? 'MALE（男）' : g === 'FEMALE' ? 'FEMALE（女）' : g);

/**
 * People (src/modules/person/): the ID number (GB 11643) and phone checks, the fields every way a person
 * enters the registry shares, and the people import's rows and file.
 */
export const personMessages = defineMessages({
  'person.field': {
    en: (p: { label: string; detail: string }) => `${p.label}: ${p.detail}`,
    'zh-CN': (p: { label: string; detail: string }) => `${p.label}：${p.detail}`,
  },
  'label.name': { en: () => 'name', 'zh-CN': () => '姓名' },
  'label.gender': { en: () => 'gender', 'zh-CN': () => '性别' },
  'label.idNumber': { en: () => 'ID number', 'zh-CN': () => '公民身份号码' },
  'label.birthDate': { en: () => 'birth date', 'zh-CN': () => '出生日期' },
  'label.ethnicity': { en: () => 'ethnicity', 'zh-CN': () => '民族' },
  'label.phone': { en: () => 'phone', 'zh-CN': () => '联系电话' },
  'label.residenceType': { en: () => 'residence type', 'zh-CN': () => '人口类型' },
  'label.registeredAddress': { en: () => 'registered address', 'zh-CN': () => '户籍地详址' },
  'label.movedInOn': { en: () => 'moved-in date', 'zh-CN': () => '入住日期' },
  'label.floating': { en: () => 'floating', 'zh-CN': () => '流动人口信息' },
  'label.arrivedOn': { en: () => 'arrival date', 'zh-CN': () => '来本地日期' },
  'label.reason': { en: () => 'reason', 'zh-CN': () => '来本地事由' },
  'label.permitNumber': { en: () => 'residence-permit number', 'zh-CN': () => '居住证号码' },
  'label.permitExpiresOn': { en: () => 'permit expiry', 'zh-CN': () => '居住证有效期' },

  // 公民身份号码 (GB 11643)
  'id.empty': { en: () => 'is empty: the 18-character number is needed', 'zh-CN': () => '为空：需要填写18位号码' },
  'id.stray': {
    en: (p: Strays) => {
      const named = strays(p).map(({ at, c }) => `${at} "${c}"`);
      const list = named.length === 1 ? `character ${named[0]} is` : `characters ${inWords(named, ' and ', ', ')} are`;
      return `${list} not allowed${p.more ? ` (and ${p.more} more)` : ''}: ${p.legacy ? 'a 15-digit number has digits only' : 'only digits, and X as the last character'}`;
    },
    'zh-CN': (p: Strays) => {
      const named = strays(p).map(({ at, c }) => `第${at}位的"${c}"`);
      return `${inWords(named, '和', '、')}${p.more ? `（另有 ${p.more} 处）` : ''}不允许出现：${p.legacy ? '15位号码只能是数字' : '只能是数字，最后一位可以是 X'}`;
    },
  },
  'id.length': {
    en: (p: { got: number }) => `must be 18 characters (got ${p.got})`,
    'zh-CN': (p: { got: number }) => `应为18位（实际为 ${p.got} 位）`,
  },
  'id.province': {
    en: (p: { province: string; ranges: string }) => `characters 1–2 should be a province code (${p.ranges}): ${p.province} is not one`,
    'zh-CN': (p: { province: string; ranges: string }) => `第1–2位应为省级行政区划代码（${p.ranges}）：${p.province} 不是`,
  },
  'id.noSuchDay': { en: () => 'no such day', 'zh-CN': () => '没有这一天' },
  'id.birthNotDate': {
    en: (p: { legacy: number; digits: string; problem: string }) => `${birthDigits(p).en}: ${p.digits} is not a date (${p.problem})`,
    'zh-CN': (p: { legacy: number; digits: string; problem: string }) => `${birthDigits(p).zh}，但 ${p.digits} 不是有效日期（${p.problem}）`,
  },
  'id.birthBefore': {
    en: (p: { legacy: number; digits: string; date: string; earliest: string }) => `${birthDigits(p).en}: ${p.digits} is ${p.date}, before ${p.earliest}`,
    'zh-CN': (p: { legacy: number; digits: string; date: string; earliest: string }) => `${birthDigits(p).zh}，但 ${p.digits} 即 ${p.date}，早于 ${p.earliest}`,
  },
  'id.birthAfter': {
    en: (p: { legacy: number; digits: string; date: string; today: string }) => `${birthDigits(p).en}: ${p.digits} is ${p.date}, after today (${p.today})`,
    'zh-CN': (p: { legacy: number; digits: string; date: string; today: string }) => `${birthDigits(p).zh}，但 ${p.digits} 即 ${p.date}，晚于今天（${p.today}）`,
  },
  'id.birthMismatch': {
    en: (p: { date: string; expected: string }) => `the birth date ${p.date} does not match birthDate ${p.expected}`,
    'zh-CN': (p: { date: string; expected: string }) => `号码中的出生日期 ${p.date} 与填写的出生日期 ${p.expected} 不一致`,
  },
  'id.genderMismatch': {
    en: (p: { legacy: number; male: number; gender: string }) =>
      `the ${p.legacy ? '15th' : '17th'} digit is ${p.male ? 'odd, which means male' : 'even, which means female'}, but gender is ${p.gender}`,
    'zh-CN': (p: { legacy: number; male: number; gender: string }) =>
      `第${p.legacy ? '15' : '17'}位是${p.male ? '奇数，表示男性' : '偶数，表示女性'}，但性别填的是 ${sexZh(p.gender)}`,
  },
  'id.checkCharacter': {
    en: (p: { expected: string; got: string }) => `the check character should be ${p.expected}, not ${p.got}: one of the 18 characters is mistyped`,
    'zh-CN': (p: { expected: string; got: string }) => `校验码应为${p.expected}，而不是${p.got}：18位中有字符输错了`,
  },

  // Phones
  'phone.empty': { en: () => 'is empty', 'zh-CN': () => '为空' },
  'phone.invalidMobile': {
    en: (p: { text: string }) => `"${p.text}" is not a valid phone number in mainland China`,
    'zh-CN': (p: { text: string }) => `"${p.text}" 不是有效的中国大陆电话号码`,
  },
  'phone.invalid': {
    en: (p: { text: string }) => `"${p.text}" is not a valid phone number in mainland China (a landline needs its area code, e.g. 0311-86681234)`,
    'zh-CN': (p: { text: string }) => `"${p.text}" 不是有效的中国大陆电话号码（固定电话需带区号，例如 0311-86681234）`,
  },
  'phone.foreignMobile': {
    en: (p: { text: string; country: string }) => `"${p.text}" is a ${p.country || 'foreign'} number; a mainland China mobile number is needed`,
    'zh-CN': (p: { text: string; country: string }) => `"${p.text}" 是${p.country ? ` ${p.country} ` : '境外'}号码；需要中国大陆手机号码`,
  },
  'phone.foreign': {
    en: (p: { text: string; country: string }) => `"${p.text}" is a ${p.country || 'foreign'} number; a mainland China number is needed`,
    'zh-CN': (p: { text: string; country: string }) => `"${p.text}" 是${p.country ? ` ${p.country} ` : '境外'}号码；需要中国大陆号码`,
  },
  'phone.landline': {
    en: (p: { text: string }) => `"${p.text}" is a landline; a mobile number is needed (11 digits starting with 1)`,
    'zh-CN': (p: { text: string }) => `"${p.text}" 是固定电话；需要手机号码（以 1 开头的 11 位数字）`,
  },
  'phone.extension': {
    en: (p: { text: string }) => `"${p.text}" has an extension; give the direct number (extensions are not kept)`,
    'zh-CN': (p: { text: string }) => `"${p.text}" 带有分机号；请填写直拨号码（分机号不保存）`,
  },
  'phone.service': {
    en: (p: { text: string; type: string }) => `"${p.text}" is a service number (${p.type}); give a mobile or a landline with its area code`,
    'zh-CN': (p: { text: string; type: string }) => `"${p.text}" 是服务号码（${p.type}）；请填写手机号码或带区号的固定电话`,
  },

  // The fields of a person (registerPerson, updatePerson, a tenant's registration, an import row)
  'person.required': { en: () => 'is required', 'zh-CN': () => '必须填写' },
  'person.genderRequired': {
    en: () => 'is required (MALE or FEMALE) when no ID number is given',
    'zh-CN': () => '没有公民身份号码时必须填写（MALE 或 FEMALE）',
  },
  'person.residenceTypeRequired': {
    en: () => 'is required (REGISTERED, FLOATING, OVERSEAS or UNSETTLED)',
    'zh-CN': () => '必须填写（REGISTERED 户籍、FLOATING 流动、OVERSEAS 境外或 UNSETTLED 未落户）',
  },
  'person.idEmpty': { en: () => 'is empty: leave it out when the number is not known', 'zh-CN': () => '为空：号码不详时请不要填写此项' },
  'person.birthRequired': { en: () => 'is required when no ID number is given', 'zh-CN': () => '没有公民身份号码时必须填写' },
  'person.phoneEmpty': { en: () => 'is empty: leave it out when there is none', 'zh-CN': () => '为空：没有电话时请不要填写此项' },
  'person.floatingOnly': {
    en: (p: { type: string }) => `only floating residents (residenceType FLOATING) have a residence permit; this person is ${p.type || 'not floating'}`,
    'zh-CN': (p: { type: string }) => `只有流动人口（residenceType FLOATING）才有居住证信息；此人是 ${p.type || '非流动人口'}`,
  },
  'person.floatingNeeded': {
    en: () => 'floating residents need their arrival date at least: floating { arrivedOn }',
    'zh-CN': () => '流动人口至少需要填写来本地日期：floating { arrivedOn }',
  },
  'person.permitShape': {
    en: (p: { length: number }) => `4–40 letters, digits or hyphens as printed on the permit (got ${p.length} characters)`,
    'zh-CN': (p: { length: number }) => `应为居住证上印的 4–40 位字母、数字或连字符（实际 ${p.length} 个字符）`,
  },
  'person.permitBeforeArrival': {
    en: (p: { expires: string; arrived: string }) => `${p.expires} is before the arrival date ${p.arrived}`,
    'zh-CN': (p: { expires: string; arrived: string }) => `${p.expires} 早于来本地日期 ${p.arrived}`,
  },
  'text.tooLong': {
    en: (p: { length: number; max: number }) => `${p.length} characters; at most ${p.max}`,
    'zh-CN': (p: { length: number; max: number }) => `有 ${p.length} 个字符；最多 ${p.max} 个`,
  },
  'text.control': { en: () => 'holds a control character', 'zh-CN': () => '含有控制字符' },
});
