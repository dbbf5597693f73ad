import { defineMessages } from '../message';

/** Organisations (src/modules/organization/): the unified social credit code (GB 32100) and the other fields. */
export const organizationMessages = defineMessages({
  'credit.registrationNumber': {
    en: () =>
      '15 digits is a business registration number (工商注册号) from before the 2015 reform, not a unified social credit code; give the 18-character code printed on the current business licence',
    'zh-CN': () => '15位数字是2015年改革前的工商注册号，不是统一社会信用代码；请填写现行营业执照上的18位代码',
  },
  'credit.length': {
    en: (p: { got: number }) => `must be 18 characters (got ${p.got})`,
    'zh-CN': (p: { got: number }) => `应为18位（实际为 ${p.got} 位）`,
  },
  'credit.character': {
    en: (p: { at: number; char: string; meant: string }) =>
      `character ${p.at} "${p.char}" is not allowed: only digits and capital letters except I, O, Z, S, V${p.meant ? ` (the letters I, O, Z, S and V are never used: did you mean ${p.meant}?)` : ''}`,
    'zh-CN': (p: { at: number; char: string; meant: string }) =>
      `第${p.at}位的"${p.char}"不允许出现：只能是数字和除 I、O、Z、S、V 以外的大写字母${p.meant ? `（代码中从不使用 I、O、Z、S、V：是不是 ${p.meant}？）` : ''}`,
  },
  'credit.region': {
    en: (p: { got: string }) => `characters 3–8 must be the 6-digit region code of the registering authority (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `第3–8位应为登记管理机关的6位行政区划代码（实际为 "${p.got}"）`,
  },
  'credit.checkCharacter': {
    en: (p: { expected: string; got: string }) => `the check character (the 18th) should be ${p.expected}, not ${p.got}: a character is mistyped`,
    'zh-CN': (p: { expected: string; got: string }) => `校验码（第18位）应为${p.expected}，而不是${p.got}：有字符输错了`,
  },
  'organization.name': {
    en: (p: { issue: string }) => `name: ${p.issue} (give the name as registered)`,
    'zh-CN': (p: { issue: string }) => `name（名称）：${p.issue}（请按登记的名称填写）`,
  },
  'organization.field': {
    en: (p: { field: string; detail: string }) => `${p.field}: ${p.detail}`,
    'zh-CN': (p: { field: string; detail: string }) => `${p.field}：${p.detail}`,
  },
  'organization.unseen': {
    en: () => 'holds a control or bidirectional override character',
    'zh-CN': () => '含有控制字符或双向文本控制字符',
  },
  'organization.employees': {
    en: (p: { n: number; max: string }) => `employeeCount: ${p.n} is not a head count (0 to ${p.max})`,
    'zh-CN': (p: { n: number; max: string }) => `employeeCount（从业人数）：${p.n} 不是有效人数（0 到 ${p.max}）`,
  },
  'organization.tooMany': {
    en: (p: { field: string; count: number; max: number }) => `${p.field}: ${p.count} given; at most ${p.max}`,
    'zh-CN': (p: { field: string; count: number; max: number }) => `${p.field}：给了 ${p.count} 个；最多 ${p.max} 个`,
  },
  'organization.notAnId': {
    en: (p: { field: string; got: string; type: string }) => `${p.field}: "${p.got}" is not a ${p.type} id`,
    'zh-CN': (p: { field: string; got: string; type: string }) => `${p.field}："${p.got}" 不是 ${p.type} 的 id`,
  },
  'organization.nothingToChange': {
    en: () => 'nothing to change: give at least one field to change',
    'zh-CN': () => '没有要修改的内容：请至少给出一个要修改的字段',
  },
  'organization.keyPlaces': {
    en: (p: { name: string; count: number; places: string }) =>
      `organisation ${p.name} is still responsible for ${p.count} key place${p.count === 1 ? '' : 's'} (${p.places}); give them another organisation first`,
    'zh-CN': (p: { name: string; count: number; places: string }) => `组织 ${p.name} 仍负责 ${p.count} 个重点场所（${p.places}）；请先为它们指定其他组织`,
  },
  'organization.noGrid': {
    en: (p: { id: string }) => `managedGridIds: no current grid has id ${p.id}`,
    'zh-CN': (p: { id: string }) => `managedGridIds：没有 id 为 ${p.id} 的现有网格`,
  },
  'organization.noBuilding': {
    en: (p: { id: string }) => `managedBuildingIds: no current building has id ${p.id}`,
    'zh-CN': (p: { id: string }) => `managedBuildingIds：没有 id 为 ${p.id} 的现有楼栋`,
  },
  'organization.creditTaken': {
    en: (p: { code: string; holder: string; retired: number }) => `creditCode: ${p.code} is already the code of ${p.holder}${p.retired ? ' (retired)' : ''}; one code belongs to one organisation`,
    'zh-CN': (p: { code: string; holder: string; retired: number }) => `creditCode：${p.code} 已是 ${p.holder}${p.retired ? '（已注销）' : ''} 的代码；一个代码只属于一个组织`,
  },
  'organization.gridOnce': {
    en: () => 'give the grid once: Grid.organizations already lists that grid and everything below it; leave out filter.gridId and filter.gridCode',
    'zh-CN': () => '网格只需给出一次：Grid.organizations 已列出该网格及其下级的全部组织；请去掉 filter.gridId 和 filter.gridCode',
  },
});
