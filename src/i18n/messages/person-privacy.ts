import { defineMessages, fixed } from '../message';

/** Reveals, erasure and the audit log of people (privacy-service.ts); the population figures (population-service.ts). */
export const personPrivacyMessages = defineMessages({
  'privacy.anonymousAudit': fixed('anonymous callers may not read the audit log', '匿名调用者不能查看审计日志'),
  'privacy.actor': {
    en: (p: { max: number }) => `filter.actor is an account name of 1–${p.max} characters; leave it out for every actor`,
    'zh-CN': (p: { max: number }) => `filter.actor 应为 1–${p.max} 个字符的账号名；不填则查看所有操作人`,
  },
  'privacy.fromAfterTo': {
    en: (p: { from: string; to: string }) => `filter.from (${p.from}) is after filter.to (${p.to})`,
    'zh-CN': (p: { from: string; to: string }) => `filter.from（${p.from}）晚于 filter.to（${p.to}）`,
  },
  'privacy.reasonShort': {
    en: (p: { min: number; got: number }) => `reason: say why (it is kept in the audit log), in at least ${p.min} characters; got ${p.got}`,
    'zh-CN': (p: { min: number; got: number }) => `reason：请说明原因（会记入审计日志），至少 ${p.min} 个字符；实际 ${p.got} 个`,
  },
  'privacy.reasonLong': {
    en: (p: { max: number; got: number }) => `reason: at most ${p.max} characters; got ${p.got}`,
    'zh-CN': (p: { max: number; got: number }) => `reason：最多 ${p.max} 个字符；实际 ${p.got} 个`,
  },
  'privacy.noFields': fixed(
    'fields: name at least one value to reveal (ID_NUMBER, PHONE, BIRTH_DATE, PERMIT_NUMBER, GROUP_DETAILS)',
    'fields：请至少指定一项要查看的信息（ID_NUMBER、PHONE、BIRTH_DATE、PERMIT_NUMBER、GROUP_DETAILS）',
  ),
  'privacy.fieldsTwice': {
    en: (p: { fields: string }) => `fields: ${p.fields} given more than once; name each field once`,
    'zh-CN': (p: { fields: string }) => `fields：${p.fields} 重复出现；每项只需指定一次`,
  },
  'privacy.erasedReveal': fixed('this person was erased (only an anonymous stub is kept): nothing to reveal', '此人的个人信息已删除（只保留匿名记录）：没有可查看的信息'),
  'privacy.erasedAgain': fixed('this person was erased (only an anonymous stub is kept): already erased', '此人的个人信息已删除（只保留匿名记录）：已经删除过了'),
  'privacy.subjectId': {
    en: (p: { got: string }) => `filter.subjectId is not the id of a Person, Visit or TenantRegistration (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `filter.subjectId 不是 Person、Visit 或 TenantRegistration 的 id（实际为 "${p.got}"）`,
  },
  'privacy.cursor': fixed('after is not a cursor of the audit log', 'after 不是审计日志返回的游标'),
  'population.bound': {
    en: (p: { name: string; max: number; got: number }) => `${p.name} is a number of households, 0–${p.max} (got ${p.got})`,
    'zh-CN': (p: { name: string; max: number; got: number }) => `${p.name} 应为 0–${p.max} 的户数（实际为 ${p.got}）`,
  },
  'population.order': {
    en: (p: { min: number; max: number }) => `min (${p.min}) is above max (${p.max}): give min ≤ max`,
    'zh-CN': (p: { min: number; max: number }) => `min（${p.min}）大于 max（${p.max}）：请使 min ≤ max`,
  },
});
