import { defineMessages, fixed } from '../message';

/** Incident categories, mediation, photo uploads, staff reports and lists (src/modules/incident/). */
export const incidentMoreMessages = defineMessages({
  'category.code': {
    en: (p: { got: string }) => `code: "${p.got}" must be capital letters, digits and _ (2–64, a letter first), e.g. SAFETY_HAZARD_GAS`,
    'zh-CN': (p: { got: string }) => `code："${p.got}" 只能由大写字母、数字和 _ 组成（2–64 个字符，以字母开头），例如 SAFETY_HAZARD_GAS`,
  },
  'category.name': {
    en: (p: { issue: string }) => `name: ${p.issue} (e.g. "燃气安全隐患")`,
    'zh-CN': (p: { issue: string }) => `name（名称）：${p.issue}（例如"燃气安全隐患"）`,
  },
  'category.deadline': {
    en: (p: { field: string; value: string; minutes: number }) => `${p.field}: ${p.value} gives ${p.minutes} minutes; a deadline is 1 minute to 366 days`,
    'zh-CN': (p: { field: string; value: string; minutes: number }) => `${p.field}：${p.value} 折合 ${p.minutes} 分钟；时限应在 1 分钟到 366 天之间`,
  },
  'category.sort': {
    en: (p: { sort: number }) => `sort: ${p.sort}; a whole number within ±1,000,000`,
    'zh-CN': (p: { sort: number }) => `sort：${p.sort}；应为 ±1,000,000 以内的整数`,
  },
  'category.noParent': {
    en: (p: { code: string }) => `parentCode: no category has code "${p.code}"`,
    'zh-CN': (p: { code: string }) => `parentCode：没有编码为 "${p.code}" 的类别`,
  },
  'category.cycle': {
    en: (p: { parent: string; code: string }) => `parentCode: ${p.parent} lies below ${p.code}; a category cannot be its own ancestor`,
    'zh-CN': (p: { parent: string; code: string }) => `parentCode：${p.parent} 位于 ${p.code} 之下；类别不能是自己的上级`,
  },
  'mediation.noSession': {
    en: (p: { incident: string }) => `${p.incident} has no mediation session yet: record one (recordMediationSession) first`,
    'zh-CN': (p: { incident: string }) => `${p.incident} 还没有调解记录：请先记录一次调解（recordMediationSession）`,
  },
  'mediation.ended': {
    en: (p: { incident: string; outcome: string }) => `outcome: ${p.incident}'s mediation already ended ${p.outcome}`,
    'zh-CN': (p: { incident: string; outcome: string }) => `outcome：${p.incident} 的调解已经以 ${p.outcome} 结束`,
  },
  'mediation.termsNeeded': fixed("agreementTerms: an agreement's terms are required with AGREEMENT_REACHED", 'agreementTerms：达成协议（AGREEMENT_REACHED）时必须填写协议内容'),
  'mediation.referralOnlyFailed': fixed('referral: only a FAILED mediation is referred', 'referral：只有调解不成（FAILED）才需要引导'),
  'mediation.referralNeeded': fixed(
    'referral: a FAILED mediation is referred to LITIGATION or ARBITRATION (引导依法解决)',
    'referral：调解不成（FAILED）须引导至诉讼（LITIGATION）或仲裁（ARBITRATION）（引导依法解决）',
  ),
  'mediation.noTermsOnFailure': fixed('agreementTerms: a FAILED mediation has no agreement', 'agreementTerms：调解不成（FAILED）没有协议'),
  'mediation.notDispute': {
    en: (p: { incident: string; category: string }) => `${p.incident} is ${p.category}, not a dispute: only disputes are mediated`,
    'zh-CN': (p: { incident: string; category: string }) => `${p.incident} 的类别是 ${p.category}，不是矛盾纠纷：只有矛盾纠纷才进行调解`,
  },
  'upload.type': {
    en: (p: { types: string; got: string }) => `send one image as the request body: ${p.types} (got "${p.got}")`,
    'zh-CN': (p: { types: string; got: string }) => `请把一张图片作为请求体发送：${p.types}（实际为 "${p.got}"）`,
  },
  'upload.empty': fixed('the request body is empty: send the image itself', '请求体为空：请发送图片本身'),
  'upload.notImage': {
    en: (p: { types: string }) => `the file is not a ${p.types} image (its first bytes say otherwise)`,
    'zh-CN': (p: { types: string }) => `文件不是 ${p.types} 图片（文件开头的字节表明不是）`,
  },
  'upload.mismatch': {
    en: (p: { declared: string; type: string }) => `Content-Type says ${p.declared} but the file is ${p.type}`,
    'zh-CN': (p: { declared: string; type: string }) => `Content-Type 声明为 ${p.declared}，但文件实际是 ${p.type}`,
  },
  'upload.notFound': {
    en: (p: { id: string }) => `no upload has id ${p.id}`,
    'zh-CN': (p: { id: string }) => `没有 id 为 ${p.id} 的上传文件`,
  },
  'upload.outside': fixed('the incident this photo belongs to lies outside your jurisdiction', '此照片所属的事件不在您的管辖范围内'),
  'upload.unused': {
    en: (p: { field: string }) => `${p.field}: no upload of yours with that id awaits a photo (each upload is attached once)`,
    'zh-CN': (p: { field: string }) => `${p.field}：没有这个 id 的、您上传且尚未使用的照片（每次上传只能附加一次）`,
  },
  'incident.outside': {
    en: (p: { incident: string }) => `${p.incident} lies outside your jurisdiction`,
    'zh-CN': (p: { incident: string }) => `${p.incident} 不在您的管辖范围内`,
  },
  'incident.open311Channel': fixed('channel: OPEN311 reports arrive through the Open311 interface, not from staff', 'channel：OPEN311 上报只能通过 Open311 接口提交，工作人员不能使用'),
  'incident.gridOnce': {
    en: (p: { code: string }) => `give the grid once: Grid.incidents lists ${p.code} and everything below it; leave out filter.gridId and filter.gridCode`,
    'zh-CN': (p: { code: string }) => `网格只需给出一次：Grid.incidents 已列出 ${p.code} 及其下级的全部事件；请去掉 filter.gridId 和 filter.gridCode`,
  },
  'incident.notAWorker': fixed(
    "filter.assignedToMe: your account is no grid worker's (grid_worker.account must be your token's subject)",
    'filter.assignedToMe：您的账号不是网格员账号（grid_worker.account 应为您令牌中的 subject）',
  ),
  'incident.cursor': fixed('after: not a cursor of this list', 'after：不是此列表返回的游标'),
  'incident.statsMidnight': {
    en: (p: { field: string; example: string; got: string }) => `${p.field}: statistics are kept by whole days in China: give a midnight at +08:00, e.g. "${p.example}" (got ${p.got})`,
    'zh-CN': (p: { field: string; example: string; got: string }) => `${p.field}：统计按北京时间整日计算，请给出 +08:00 的零点，例如 "${p.example}"（收到 ${p.got}）`,
  },
  'incident.statsOrder': {
    en: (p: { from: string; to: string }) => `to (${p.to}) must be after from (${p.from}): the window is [from, to), to excluded`,
    'zh-CN': (p: { from: string; to: string }) => `to（${p.to}）应晚于 from（${p.from}）：统计区间为 [from, to)，不含 to 当日`,
  },
  'incident.statsTooLong': {
    en: (p: { days: number; max: number }) => `the window is ${p.days} days; at most ${p.max}: ask for fewer days`,
    'zh-CN': (p: { days: number; max: number }) => `统计区间为 ${p.days} 天，最多 ${p.max} 天：请缩短区间`,
  },
  'incident.nothingToReveal': {
    en: (p: { incident: string }) => `${p.incident} holds no sealed phone (reporter or named party): nothing to reveal`,
    'zh-CN': (p: { incident: string }) => `${p.incident} 没有加密保存的电话（上报人或当事人）：无可查看的内容`,
  },
  'incident.residentPhotos': fixed('photos: residents give photos by URL (POST /uploads is for staff)', 'photos：群众只能以 URL 提供照片（POST /uploads 仅供工作人员使用）'),
});
