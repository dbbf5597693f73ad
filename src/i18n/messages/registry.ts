import { defineMessages, fixed } from '../message';

/** API keys, coverage, located-record lists and filters, incident subscriptions. */
export const registryMessages = defineMessages({
  'apikey.name': {
    en: (p: { issue: string }) => `name: ${p.issue} (say what the key is for)`,
    'zh-CN': (p: { issue: string }) => `name（名称）：${p.issue}（请说明此密钥的用途）`,
  },
  'apikey.operations': {
    en: (p: { operations: string }) => `operations: list at least one of ${p.operations}`,
    'zh-CN': (p: { operations: string }) => `operations：请至少列出 ${p.operations} 中的一项`,
  },
  'apikey.jurisdictionShape': {
    en: (p: { code: string }) => `jurisdictionCode: "${p.code}" is not a grid code (6 digits, then 3 per level)`,
    'zh-CN': (p: { code: string }) => `jurisdictionCode："${p.code}" 不是网格编码（6 位数字，之后每级 3 位）`,
  },
  'apikey.noGrid': {
    en: (p: { code: string }) => `jurisdictionCode: no current grid has the code ${p.code}`,
    'zh-CN': (p: { code: string }) => `jurisdictionCode：没有编码为 ${p.code} 的现有网格`,
  },
  'coverage.nothingBelow': {
    en: (p: { dedicated: number; level: string; name: string; code: string }) =>
      `coverage is measured against a lower level, and ${p.dedicated ? 'a DEDICATED overlay has no grids below it' : `nothing lies below ${p.level}`} (${p.name}, ${p.code}); ask it of a DISTRICT, STREET, COMMUNITY or GRID`,
    'zh-CN': (p: { dedicated: number; level: string; name: string; code: string }) =>
      `覆盖率是相对下一级网格计算的，而${p.dedicated ? '专属网格（DEDICATED）之下没有网格' : ` ${p.level} 之下没有任何网格`}（${p.name}，${p.code}）；请对 DISTRICT、STREET、COMMUNITY 或 GRID 查询`,
  },
  'coverage.childLevel': {
    en: (p: { level: string; below: string; got: string }) => `childLevel must be a regular level below ${p.level}: one of ${p.below} (got ${p.got})`,
    'zh-CN': (p: { level: string; below: string; got: string }) => `childLevel 必须是 ${p.level} 之下的常规层级：${p.below} 之一（实际为 ${p.got}）`,
  },
  'coverage.minArea': {
    en: (p: { got: number }) => `minAreaSqm must be a number of m², 0 or more (got ${p.got})`,
    'zh-CN': (p: { got: number }) => `minAreaSqm 必须是不小于 0 的平方米数（实际为 ${p.got}）`,
  },
  'coverage.currentOnly': {
    en: (p: { field: string; code: string }) => `${p.field} describes the current state only; ask it of ${p.code} read without asOf`,
    'zh-CN': (p: { field: string; code: string }) => `${p.field} 只描述当前状态；请对不带 asOf 读取的 ${p.code} 查询`,
  },
  'located.cursor': fixed('after is not a cursor of this list', 'after 不是此列表返回的游标'),
  'located.contains': {
    en: (p: { field: string; max: number }) => `${p.field} is at most ${p.max} characters`,
    'zh-CN': (p: { field: string; max: number }) => `${p.field} 最多 ${p.max} 个字符`,
  },
  'located.idOrCode': {
    en: (p: { idField: string; codeField: string }) => `give ${p.idField} or ${p.codeField}, not both`,
    'zh-CN': (p: { idField: string; codeField: string }) => `${p.idField} 和 ${p.codeField} 只能给出一个`,
  },
  'located.noGridId': {
    en: (p: { field: string; id: string }) => `${p.field}: no current grid has id ${p.id}`,
    'zh-CN': (p: { field: string; id: string }) => `${p.field}：没有 id 为 ${p.id} 的现有网格`,
  },
  'located.codeShape': {
    en: (p: { field: string; got: string }) => `${p.field} must be a grid code (6 digits + groups of 3; got "${p.got}")`,
    'zh-CN': (p: { field: string; got: string }) => `${p.field} 必须是网格编码（6 位数字加若干组 3 位数字；实际为 "${p.got}"）`,
  },
  'located.noGridCode': {
    en: (p: { field: string; code: string }) => `${p.field}: no current grid has code ${p.code}`,
    'zh-CN': (p: { field: string; code: string }) => `${p.field}：没有编码为 ${p.code} 的现有网格`,
  },
  'located.nearMeters': {
    en: (p: { field: string; max: number; got: number }) => `${p.field}.meters must be between 1 and ${p.max} (got ${p.got})`,
    'zh-CN': (p: { field: string; max: number; got: number }) => `${p.field}.meters 必须在 1 到 ${p.max} 之间（实际为 ${p.got}）`,
  },
  'subscription.signIn': fixed("sign in to watch a grid's incidents", '查看网格的事件动态需要先登录'),
  'subscription.workerSignIn': fixed('sign in as a grid worker to receive your assignments', '接收派单需要以网格员身份登录'),
  'subscription.noWorker': {
    en: (p: { account: string }) => `no grid worker record has the account ${p.account}`,
    'zh-CN': (p: { account: string }) => `没有账号为 ${p.account} 的网格员记录`,
  },
});
