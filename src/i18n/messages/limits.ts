import { defineMessages } from '../message';

/** Rate limits, query limits and the database's own failures, as the client is told them. */
export const limitMessages = defineMessages({
  'limit.rate': {
    en: (p: { perMinute: number; retry: number }) => `too many requests: the limit is ${p.perMinute} a minute per client (RATE_LIMIT_PER_MINUTE); retry in ${p.retry} s`,
    'zh-CN': (p: { perMinute: number; retry: number }) => `请求过于频繁：每个客户端每分钟最多 ${p.perMinute} 次（RATE_LIMIT_PER_MINUTE）；请在 ${p.retry} 秒后重试`,
  },
  'limit.subscriptions': {
    en: (p: { max: number }) => `at most ${p.max} subscriptions run on one connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one first, or open another connection`,
    'zh-CN': (p: { max: number }) => `每个连接最多同时运行 ${p.max} 个订阅（WS_MAX_SUBSCRIPTIONS_PER_CONNECTION）：请先结束一个订阅，或另开连接`,
  },
  'limit.expensiveMine': {
    en: (p: { mine: number; kind: string }) =>
      `you already have ${p.mine} expensive requests (coverage, intersects, export, import) running (EXPENSIVE_MAX_PER_CLIENT); wait for them before asking for ${p.kind}`,
    'zh-CN': (p: { mine: number; kind: string }) => `您已有 ${p.mine} 个高开销请求（覆盖率、相交查询、导出、导入）正在运行（EXPENSIVE_MAX_PER_CLIENT）；请等它们完成后再请求 ${p.kind}`,
  },
  'limit.expensiveAll': {
    en: (p: { running: number; kind: string }) => `${p.running} expensive requests (coverage, intersects, export, import) are running (EXPENSIVE_MAX_CONCURRENT); retry ${p.kind} shortly`,
    'zh-CN': (p: { running: number; kind: string }) => `当前有 ${p.running} 个高开销请求（覆盖率、相交查询、导出、导入）正在运行（EXPENSIVE_MAX_CONCURRENT）；请稍后重试 ${p.kind}`,
  },
  'limit.cost': {
    en: (p: { cost: number; max: number; page: number }) =>
      `the query's cost is ${p.cost}; the limit is ${p.max} (MAX_QUERY_COST). Every page multiplies what it holds by its \`first\` (${p.page} when not given): ask for smaller pages, fewer nested levels, or fewer boundaries.`,
    'zh-CN': (p: { cost: number; max: number; page: number }) =>
      `查询开销为 ${p.cost}，上限为 ${p.max}（MAX_QUERY_COST）。每一页的开销要乘以它的 \`first\`（未给出时为 ${p.page}）：请减小分页、减少嵌套层级或少取边界。`,
  },
  'limit.characters': {
    en: (p: { length: number; max: number }) => `the query has ${p.length} characters; the limit is ${p.max} (MAX_QUERY_CHARACTERS). Send large values as variables.`,
    'zh-CN': (p: { length: number; max: number }) => `查询有 ${p.length} 个字符，上限为 ${p.max}（MAX_QUERY_CHARACTERS）。大的值请用变量传递。`,
  },
  'limit.depth': {
    en: (p: { max: number; found: number }) => `Query depth limit of ${p.max} exceeded, found ${p.found} (MAX_QUERY_DEPTH).`,
    'zh-CN': (p: { max: number; found: number }) => `查询嵌套深度为 ${p.found} 层，上限为 ${p.max}（MAX_QUERY_DEPTH）`,
  },
  'limit.aliases': {
    en: (p: { max: number; found: number }) => `Aliases limit of ${p.max} exceeded, found ${p.found} (MAX_QUERY_ALIASES).`,
    'zh-CN': (p: { max: number; found: number }) => `查询使用了 ${p.found} 个别名，上限为 ${p.max}（MAX_QUERY_ALIASES）`,
  },
  'limit.directives': {
    en: (p: { max: number; found: number }) => `Directives limit of ${p.max} exceeded, found ${p.found} (MAX_QUERY_DIRECTIVES).`,
    'zh-CN': (p: { max: number; found: number }) => `查询使用了 ${p.found} 个指令，上限为 ${p.max}（MAX_QUERY_DIRECTIVES）`,
  },
  'limit.tokens': {
    en: (p: { max: number }) => `the query has more than ${p.max} tokens (MAX_QUERY_TOKENS); ask for fewer fields`,
    'zh-CN': (p: { max: number }) => `查询超过 ${p.max} 个词法单元（MAX_QUERY_TOKENS）；请少取一些字段`,
  },
  'limit.responseTooLarge': {
    en: (p: { mb: number }) =>
      `the response would exceed ${p.mb} MB (MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages (first), simplify boundaries (boundary(simplifyMeters: …)), or use GET /export/grids.geojson for bulk geometry`,
    'zh-CN': (p: { mb: number }) =>
      `响应将超过 ${p.mb} MB（MAX_RESPONSE_BYTES）：请少取字段或减小分页（first），简化边界（boundary(simplifyMeters: …)），或用 GET /export/grids.geojson 批量导出几何`,
  },
  'limit.variablesTooMany': {
    en: (p: { max: number }) => `the variables hold more than ${p.max} values; send less at once`,
    'zh-CN': (p: { max: number }) => `变量中的值超过 ${p.max} 个；请分批发送`,
  },
  'limit.variablesTooDeep': {
    en: (p: { path: string; max: number }) => `${p.path} is nested deeper than ${p.max} levels`,
    'zh-CN': (p: { path: string; max: number }) => `${p.path} 的嵌套超过 ${p.max} 层`,
  },
  'limit.nul': {
    en: (p: { path: string }) => `${p.path} contains a NUL character (U+0000), which text fields cannot hold; remove it`,
    'zh-CN': (p: { path: string }) => `${p.path} 含有 NUL 字符（U+0000），文本字段不能保存它；请删除`,
  },
  'limit.deadline': {
    en: (p: { ms: number }) => `the request ran longer than ${p.ms} ms (REQUEST_TIMEOUT_MS) and was stopped; ask for less (fewer fields, smaller pages) or narrow the area`,
    'zh-CN': (p: { ms: number }) => `请求运行超过 ${p.ms} 毫秒（REQUEST_TIMEOUT_MS），已被终止；请少取一些（更少字段、更小分页）或缩小范围`,
  },
  'limit.statementDeadline': {
    en: () => 'a database statement ran past the request deadline and was cancelled; ask for less or narrow the area',
    'zh-CN': () => '数据库语句超过了请求时限，已被取消；请少取一些或缩小范围',
  },
  'limit.statementTimeout': {
    en: () =>
      'a database statement ran past its statement timeout (DB_STATEMENT_TIMEOUT_MS; DB_LONG_STATEMENT_TIMEOUT_MS for coverage and imports) and was cancelled: ask for less or narrow the area, or retry if other edits were holding the same grids',
    'zh-CN': () =>
      '数据库语句超过了语句超时（DB_STATEMENT_TIMEOUT_MS；覆盖率和导入为 DB_LONG_STATEMENT_TIMEOUT_MS），已被取消：请少取一些或缩小范围；若有其他编辑正占用相同网格，请重试',
  },
  'db.busy': { en: () => 'every database connection is busy; retry shortly', 'zh-CN': () => '数据库连接全部繁忙；请稍后重试' },
  'db.unavailable': { en: () => 'the database is unavailable; retry shortly', 'zh-CN': () => '数据库暂不可用；请稍后重试' },
  'db.collision': { en: () => 'the change collided with another one at the same time; retry it', 'zh-CN': () => '该修改与同时进行的另一修改冲突；请重试' },
  'db.badValue': {
    en: (p: { detail: string }) => `a value in the request is not valid: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `请求中有一个值无效：${p.detail}`,
  },
  'db.22P02': { en: () => 'it is not of the expected type (a malformed id or number?)', 'zh-CN': () => '类型不符（id 或数字格式有误？）' },
  'db.22007': { en: () => 'a date or time is malformed', 'zh-CN': () => '日期或时间格式有误' },
  'db.22008': { en: () => 'a date or time is out of range', 'zh-CN': () => '日期或时间超出范围' },
  'db.22009': { en: () => 'a time-zone offset is out of range', 'zh-CN': () => '时区偏移超出范围' },
  'db.22003': { en: () => 'a number is out of range', 'zh-CN': () => '数字超出范围' },
  'db.22021': { en: () => 'a text holds a character the database cannot store (a NUL?)', 'zh-CN': () => '文本含有数据库无法保存的字符（NUL？）' },
  'db.22023': { en: () => 'a parameter is out of range', 'zh-CN': () => '参数超出范围' },
  'db.22001': { en: () => 'a text is too long', 'zh-CN': () => '文本过长' },
  'db.other': { en: () => 'the database cannot store it', 'zh-CN': () => '数据库无法保存它' },
});
