import { defineMessages } from '../message';

/** Grid workers (src/modules/worker/): their fields, assignments and statuses. */
export const workerMessages = defineMessages({
  'worker.notDistrict': {
    en: (p: { grid: string }) => `gridId: workers are assigned to streets and below, not to a district (${p.grid})`,
    'zh-CN': (p: { grid: string }) => `gridId：网格员只能分配到街道及以下的网格，不能分配到区县（${p.grid}）`,
  },
  'worker.nothingToChange': {
    en: () => 'nothing to change: give a new name, phone, role or account',
    'zh-CN': () => '没有要修改的内容：请给出新的姓名、电话、角色或账号',
  },
  'worker.alreadyAssigned': {
    en: (p: { name: string; grid: string }) => `gridId: ${p.name} is already assigned to ${p.grid}`,
    'zh-CN': (p: { name: string; grid: string }) => `gridId：${p.name} 已经分配到 ${p.grid}`,
  },
  'worker.left': {
    en: (p: { name: string }) => `workerId: ${p.name} has LEFT; set their status to ACTIVE first`,
    'zh-CN': (p: { name: string }) => `workerId：${p.name} 已离岗（LEFT）；请先把状态改为在岗（ACTIVE）`,
  },
  'worker.endReason': {
    en: () => 'reason: say why the assignment ends (it is kept with it)',
    'zh-CN': () => 'reason：请说明结束分配的原因（会随分配记录保存）',
  },
  'worker.notAssigned': {
    en: (p: { name: string; grid: string }) => `gridId: ${p.name} is not currently assigned to ${p.grid}`,
    'zh-CN': (p: { name: string; grid: string }) => `gridId：${p.name} 目前没有分配到 ${p.grid}`,
  },
  'worker.statusReason': {
    en: () => 'reason: say why (it is kept in the status history)',
    'zh-CN': () => 'reason：请说明原因（会保存在状态历史中）',
  },
  'worker.accountShape': {
    en: () => "account: 1–200 letters, digits or . _ @ : - (the `sub` of the worker's token)",
    'zh-CN': () => 'account：应为 1–200 个字母、数字或 . _ @ : -（即网格员令牌中的 `sub`）',
  },
  'worker.accountTaken': {
    en: (p: { account: string }) => `account: ${p.account} is already another worker's account`,
    'zh-CN': (p: { account: string }) => `account：${p.account} 已是另一名网格员的账号`,
  },
  'worker.accountRace': {
    en: (p: { account: string }) => `account: ${p.account} was just given to another worker`,
    'zh-CN': (p: { account: string }) => `account：${p.account} 刚刚被分给了另一名网格员`,
  },
  'worker.name': {
    en: (p: { issue: string }) => `name: ${p.issue} (give the worker's name as on their ID card)`,
    'zh-CN': (p: { issue: string }) => `name（姓名）：${p.issue}（请按身份证填写网格员姓名）`,
  },
  'worker.phone': {
    en: (p: { issue: string }) => `phone: ${p.issue}`,
    'zh-CN': (p: { issue: string }) => `phone（手机号码）：${p.issue}`,
  },
  'assignee.inactive': {
    en: (p: { field: string; name: string; status: string }) => `${p.field}: ${p.name} is ${p.status}; choose an ACTIVE worker`,
    'zh-CN': (p: { field: string; name: string; status: string }) => `${p.field}：${p.name} 的状态是 ${p.status}；请选择在岗（ACTIVE）的网格员`,
  },
  'assignee.noGrid': {
    en: (p: { field: string; name: string }) => `${p.field}: ${p.name} is assigned to no grid`,
    'zh-CN': (p: { field: string; name: string }) => `${p.field}：${p.name} 没有分配到任何网格`,
  },
  'assignee.outside': {
    en: (p: { field: string; name: string; codes: string }) => `${p.field}: ${p.name} works outside your jurisdiction (on ${p.codes})`,
    'zh-CN': (p: { field: string; name: string; codes: string }) => `${p.field}：${p.name} 在您的管辖范围之外工作（负责 ${p.codes}）`,
  },
  'worker.conflict': {
    en: (p: { name: string; version: number; expected: number; by: string }) =>
      `${p.name} is at version ${p.version}, not ${p.expected}: ${p.by} changed them since you read them; reload and reapply your change`,
    'zh-CN': (p: { name: string; version: number; expected: number; by: string }) =>
      `${p.name} 当前是第 ${p.version} 版，不是第 ${p.expected} 版：在您读取之后 ${p.by} 修改了其信息；请重新加载并重做修改`,
  },
});
