import { defineMessages } from '../message';

/** The messages of the payload failures every mutation shares (src/shared/payload.ts) and of grid conflicts. */
export const payloadMessages = defineMessages({
  'payload.validation': {
    en: (p: { count: number; listed: number; first: string }) =>
      `${p.count} problem${p.count === 1 ? '' : 's'} found${p.count > p.listed ? ` (the first ${p.listed} are listed)` : ''}; nothing was changed: ${p.first}${p.count > 1 ? ' …' : ''}`,
    'zh-CN': (p: { count: number; listed: number; first: string }) =>
      `发现 ${p.count} 个问题${p.count > p.listed ? `（列出前 ${p.listed} 个）` : ''}；没有做任何修改：${p.first}${p.count > 1 ? ' …' : ''}`,
  },
  'payload.notFound': {
    en: (p: { what: string; id: string }) => `no current ${p.what} has id ${p.id}`,
    'zh-CN': (p: { what: string; id: string }) => `没有 id 为 ${p.id} 的现有${p.what}`,
  },
  'payload.versionConflict': {
    en: (p: { what: string; version: number; expected: number }) =>
      `${p.what} is at version ${p.version}, not ${p.expected}: someone changed it meanwhile; reload it, reapply your change and send version ${p.version}`,
    'zh-CN': (p: { what: string; version: number; expected: number }) =>
      `${p.what} 当前是第 ${p.version} 版，不是第 ${p.expected} 版：期间已有人修改；请重新加载，重做修改，并发送版本 ${p.version}`,
  },
  'grid.retiredBy': {
    en: (p: { grid: string; by: string; at: string }) => `${p.grid} was retired by ${p.by} at ${p.at}`,
    'zh-CN': (p: { grid: string; by: string; at: string }) => `${p.grid} 已于 ${p.at} 被 ${p.by} 撤销`,
  },
  'grid.changedBy': {
    en: (p: { grid: string; version: number; expected: number; by: string; at: string }) =>
      `${p.grid} is at version ${p.version}, not ${p.expected}: ${p.by} changed it at ${p.at}; reload and reapply your change`,
    'zh-CN': (p: { grid: string; version: number; expected: number; by: string; at: string }) =>
      `${p.grid} 当前是第 ${p.version} 版，不是第 ${p.expected} 版：${p.by} 于 ${p.at} 修改了它；请重新加载并重做修改`,
  },
  'grid.codeRace': {
    en: (p: { code: string; holder: string }) => `code ${p.code} was taken by ${p.holder} while this edit ran; reload and try again`,
    'zh-CN': (p: { code: string; holder: string }) => `本次编辑期间编码 ${p.code} 已被 ${p.holder} 占用；请重新加载后再试`,
  },
  'list.comma': { en: () => ', ', 'zh-CN': () => '、' },
  'list.or': { en: () => ' or ', 'zh-CN': () => '或' },
  'someone': { en: () => 'someone', 'zh-CN': () => '某人' },
  'what.grid': { en: () => 'grid', 'zh-CN': () => '网格' },
  'what.gridCode': { en: (p: { code: string }) => `grid ${p.code}`, 'zh-CN': (p: { code: string }) => `网格 ${p.code}` },
  'what.building': { en: () => 'building', 'zh-CN': () => '楼栋' },
  'what.house': { en: () => 'house', 'zh-CN': () => '房屋' },
  'what.keyPlace': { en: () => 'key place', 'zh-CN': () => '重点场所' },
  'what.facility': { en: () => 'facility', 'zh-CN': () => '设施' },
  'what.gate': { en: () => 'gate', 'zh-CN': () => '门禁' },
  'what.incident': { en: () => 'incident', 'zh-CN': () => '事件' },
  'what.organisation': { en: () => 'organisation', 'zh-CN': () => '组织' },
  'what.person': { en: () => 'person', 'zh-CN': () => '人员' },
  'what.tenantRegistration': { en: () => 'tenant registration', 'zh-CN': () => '租户登记' },
  'what.apiKey': { en: () => 'API key', 'zh-CN': () => 'API 密钥' },
  'what.worker': { en: () => 'worker', 'zh-CN': () => '网格员' },
  'what.parentGrid': { en: () => 'parent grid', 'zh-CN': () => '上级网格' },
});
