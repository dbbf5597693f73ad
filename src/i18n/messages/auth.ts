import { defineMessages } from '../message';

/** Authentication (UNAUTHENTICATED) and authorisation (FORBIDDEN): src/modules/auth/. */
export const authMessages = defineMessages({
  'auth.apiKeyOnly': {
    en: (p: { operation: string; what: string }) => `only an API key with operation ${p.operation} may ${p.what} (Authorization: ApiKey <key>)`,
    'zh-CN': (p: { operation: string; what: string }) => `只有具备 ${p.operation} 权限的 API 密钥才能${p.what}（Authorization: ApiKey <密钥>）`,
  },
  'auth.anonymousForbidden': {
    en: (p: { what: string; roles: string }) => `anonymous callers may not ${p.what}: sign in with a bearer token (role ${p.roles})`,
    'zh-CN': (p: { what: string; roles: string }) => `未登录的调用者不能${p.what}：请携带令牌登录（角色 ${p.roles}）`,
  },
  'auth.tokenNeeded': {
    en: (p: { what: string; roles: string }) => `to ${p.what} you need a bearer token (role ${p.roles})`,
    'zh-CN': (p: { what: string; roles: string }) => `${p.what}需要登录令牌（角色 ${p.roles}）`,
  },
  'auth.tokenNeededPlain': {
    en: (p: { what: string }) => `to ${p.what} you need a bearer token`,
    'zh-CN': (p: { what: string }) => `${p.what}需要登录令牌`,
  },
  'auth.keyMayNot': {
    en: (p: { name: string; what: string; operations: string }) => `this API key (${p.name}) may not ${p.what}: its operations are ${p.operations || 'none'}`,
    'zh-CN': (p: { name: string; what: string; operations: string }) => `此 API 密钥（${p.name}）不能${p.what}：它的权限为 ${p.operations || '无'}`,
  },
  'auth.roleNeeded': {
    en: (p: { what: string; roles: string; role: string }) => `to ${p.what} you need role ${p.roles}; yours is ${p.role}`,
    'zh-CN': (p: { what: string; roles: string; role: string }) => `${p.what}需要角色 ${p.roles}；您的角色是 ${p.role}`,
  },
  'auth.aboveJurisdiction': {
    en: (p: { subject: string; root: string; what: string }) => `${p.subject} lies above your jurisdiction (${p.root}); only someone with the whole deployment may ${p.what} there`,
    'zh-CN': (p: { subject: string; root: string; what: string }) => `${p.subject}在您的管辖范围（${p.root}）之上；只有管辖全部范围的人才能在那里${p.what}`,
  },
  'auth.jurisdictionRoot': {
    en: (p: { subject: string; root: string; what: string }) => `${p.subject} is the root of your jurisdiction (${p.root}): only someone above it may ${p.what}`,
    'zh-CN': (p: { subject: string; root: string; what: string }) => `${p.subject}是您管辖范围（${p.root}）的根：只有上级才能${p.what}`,
  },
  'auth.outsideJurisdiction': {
    en: (p: { subject: string; root: string }) => `${p.subject} lies outside your jurisdiction (${p.root})`,
    'zh-CN': (p: { subject: string; root: string }) => `${p.subject}不在您的管辖范围（${p.root}）内`,
  },
  'auth.that': { en: () => 'that', 'zh-CN': () => '该对象' },
  /** Roles as `A|B` (`*`: any role). */
  'auth.roles': {
    en: (p: { roles: string }) => (p.roles === '*' ? 'any' : p.roles.split('|').join(' or ')),
    'zh-CN': (p: { roles: string }) => (p.roles === '*' ? '任意' : p.roles.split('|').join(' 或 ')),
  },
  'auth.changeIt': { en: () => 'change it', 'zh-CN': () => '修改它' },
  'auth.badHeader': {
    en: () => 'the Authorization header must be "Bearer <token>" or "ApiKey <key>"',
    'zh-CN': () => 'Authorization 请求头必须是 "Bearer <令牌>" 或 "ApiKey <密钥>"',
  },
  'auth.notJwt': { en: () => 'the bearer token is not a JWT', 'zh-CN': () => '令牌不是 JWT' },
  'auth.algorithm': {
    en: (p: { alg: string; accepted: string }) => `tokens signed with ${p.alg} are not accepted here (accepted: ${p.accepted})`,
    'zh-CN': (p: { alg: string; accepted: string }) => `不接受用 ${p.alg} 签名的令牌（接受：${p.accepted}）`,
  },
  'auth.expired': { en: () => 'token has expired', 'zh-CN': () => '令牌已过期' },
  'auth.claim': {
    en: (p: { claim: string; missing: string }) => `token rejected: claim "${p.claim}" ${p.missing === 'yes' ? 'is missing' : 'is not accepted'}`,
    'zh-CN': (p: { claim: string; missing: string }) => `令牌被拒绝：声明 "${p.claim}" ${p.missing === 'yes' ? '缺失' : '不被接受'}`,
  },
  'auth.rejected': {
    en: (p: { reason: string }) => `token rejected: ${p.reason}`,
    'zh-CN': (p: { reason: string }) => `令牌被拒绝：${p.reason}`,
  },
  'auth.lifetime': {
    en: (p: { hours: number; max: number }) => `token is valid for ${p.hours} h; the most this API accepts is ${p.max} h (JWT_MAX_LIFETIME_HOURS)`,
    'zh-CN': (p: { hours: number; max: number }) => `令牌有效期为 ${p.hours} 小时；本接口最多接受 ${p.max} 小时（JWT_MAX_LIFETIME_HOURS）`,
  },
  'auth.gridClaim': {
    en: (p: { grid: string }) => `token rejected: claim "grid" names ${p.grid}, which is not a current grid`,
    'zh-CN': (p: { grid: string }) => `令牌被拒绝：声明 "grid" 指定的 ${p.grid} 不是现有网格`,
  },
  'auth.keyMalformed': {
    en: () => 'the API key is malformed (expected grk_<10 hex>_<43 characters>)',
    'zh-CN': () => 'API 密钥格式不正确（应为 grk_<10 位十六进制>_<43 个字符>）',
  },
  'auth.keyUnknown': { en: () => 'unknown API key', 'zh-CN': () => '未知的 API 密钥' },
  'auth.keyRevoked': {
    en: (p: { prefix: string; at: string }) => `API key ${p.prefix} was revoked at ${p.at}`,
    'zh-CN': (p: { prefix: string; at: string }) => `API 密钥 ${p.prefix} 已于 ${p.at} 吊销`,
  },
  'auth.idpUnreachable': {
    en: (p: { detail: string }) => `the identity provider's key set (JWT_JWKS_URL) is unreachable: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `无法访问身份提供方的密钥集（JWT_JWKS_URL）：${p.detail}`,
  },
});
