import { defineMessages, fixed } from '../message';


/** Reading people (src/modules/person/service.ts) and reporting gate passages (gate-service.ts). */
export const personListMessages = defineMessages({
  'people.anonymous': fixed('anonymous callers may not read people', '匿名调用者不能查看人员'),
  'people.gridOnce': fixed('Grid.people lists that grid: leave filter.ancestorId and filter.gridCode out', 'Grid.people 已列出该网格：请去掉 filter.ancestorId 和 filter.gridCode'),
  'people.noJurisdiction': {
    en: (p: { code: string }) => `your jurisdiction (${p.code}) is no current grid: ask an administrator for a new token`,
    'zh-CN': (p: { code: string }) => `您的管辖范围（${p.code}）不是现有网格：请向管理员申请新的令牌`,
  },
  'people.nameContains': {
    en: (p: { max: number }) => `filter.nameContains is at most ${p.max} characters`,
    'zh-CN': (p: { max: number }) => `filter.nameContains 最多 ${p.max} 个字符`,
  },
  'people.filter': {
    en: (p: { field: string; detail: string }) => `${p.field}: ${p.detail}`,
    'zh-CN': (p: { field: string; detail: string }) => `${p.field}：${p.detail}`,
  },
  'people.age': {
    en: (p: { field: string; max: number; got: number }) => `${p.field} is a whole number of years, 0–${p.max} (got ${p.got})`,
    'zh-CN': (p: { field: string; max: number; got: number }) => `${p.field} 应为 0–${p.max} 的整岁数（实际为 ${p.got}）`,
  },
  'people.ageOrder': {
    en: (p: { from: number; to: number }) => `filter.ageFrom (${p.from}) is above filter.ageTo (${p.to})`,
    'zh-CN': (p: { from: number; to: number }) => `filter.ageFrom（${p.from}）大于 filter.ageTo（${p.to}）`,
  },
  'people.cursor': fixed('after is not a cursor of this list', 'after 不是此列表返回的游标'),
  'gate.future': {
    en: (p: { at: string; now: string }) => `at: ${p.at} is in the future (it is ${p.now} here); report passages that happened, or set the gate's clock`,
    'zh-CN': (p: { at: string; now: string }) => `at：${p.at} 是将来的时间（本机现在是 ${p.now}）；请上报已经发生的通行，或校准门禁的时钟`,
  },
  'gate.tooOld': {
    en: (p: { at: string; days: number }) => `at: ${p.at} is more than ${p.days} days ago; older passages are not accepted`,
    'zh-CN': (p: { at: string; days: number }) => `at：${p.at} 已超过 ${p.days} 天；不接受更早的通行记录`,
  },
  'gate.notGate': {
    en: (p: { name: string; kind: string }) => `gate: facility ${p.name} is not a gate (it is a ${p.kind})`,
    'zh-CN': (p: { name: string; kind: string }) => `门禁：设施 ${p.name} 不是门禁（它是 ${p.kind}）`,
  },
  'gate.noBuilding': {
    en: (p: { name: string }) => `gate: ${p.name} belongs to no building, so no tenant's access covers it; link it to its building (updateFacility buildingId)`,
    'zh-CN': (p: { name: string }) => `门禁：${p.name} 不属于任何楼栋，任何租户的通行权限都不涵盖它；请把它关联到所在楼栋（updateFacility buildingId）`,
  },
  'gate.who': fixed('who: give personId or idNumber, one of them', '通行人：personId 和 idNumber 必须且只能给出一个'),
  'gate.personId': {
    en: (p: { got: string }) => `personId: "${p.got}" is not a Person id`,
    'zh-CN': (p: { got: string }) => `personId："${p.got}" 不是 Person 的 id`,
  },
});
