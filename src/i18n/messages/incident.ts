import { defineMessages } from '../message';

/** Incidents (src/modules/incident/): the lifecycle's refusals, the checks of what the mutations take, reports. */
export const incidentMessages = defineMessages({
  'incident.illegal': {
    en: (p: { mutation: string; from: string; allowed: string }) =>
      `${p.mutation} cannot be applied to an incident that is ${p.from}${p.allowed ? `; from ${p.from} the allowed steps are ${p.allowed}` : `: ${p.from} is final, nothing more can be done`}`,
    'zh-CN': (p: { mutation: string; from: string; allowed: string }) =>
      `事件当前状态为 ${p.from}，不能执行 ${p.mutation}${p.allowed ? `；${p.from} 状态下可执行的操作为：${p.allowed}` : `：${p.from} 是终结状态，不能再做任何操作`}`,
  },
  'incident.districtTop': {
    en: (p: { incident: string; centre: string }) =>
      `${p.incident} is already with the district centre (${p.centre}): nothing is above it; transfer it to a department (transferIncident) instead`,
    'zh-CN': (p: { incident: string; centre: string }) => `${p.incident} 已在区级综治中心（${p.centre}），没有更高一级可上报；请改为转交职能部门（transferIncident）`,
  },
  'incident.titleExample': {
    en: (p: { issue: string }) => `title: ${p.issue} (e.g. "楼道堆放杂物堵塞消防通道")`,
    'zh-CN': (p: { issue: string }) => `title（标题）：${p.issue}（例如"楼道堆放杂物堵塞消防通道"）`,
  },
  'incident.sayWhat': {
    en: (p: { field: string }) => `${p.field}: say what happened (it is kept in the incident's timeline)`,
    'zh-CN': (p: { field: string }) => `${p.field}：请说明情况（会记入事件的处理记录）`,
  },
  'incident.notAnId': {
    en: (p: { field: string; got: string; type: string }) => `${p.field}: "${p.got}" is not a ${p.type} id`,
    'zh-CN': (p: { field: string; got: string; type: string }) => `${p.field}："${p.got}" 不是 ${p.type} 的 id`,
  },
  'incident.tooMany': {
    en: (p: { field: string; count: number; max: number }) => `${p.field}: ${p.count} given; at most ${p.max}`,
    'zh-CN': (p: { field: string; count: number; max: number }) => `${p.field}：给了 ${p.count} 个；最多 ${p.max} 个`,
  },
  'incident.photoBoth': {
    en: (p: { field: string }) => `${p.field}: give an uploadId or a url (with contentType and bytes), not both`,
    'zh-CN': (p: { field: string }) => `${p.field}：请给出 uploadId 或 url（连同 contentType 和 bytes）其中之一，不能同时给出`,
  },
  'incident.uploadId': {
    en: (p: { field: string; got: string }) => `${p.field}: "${p.got}" is not the id POST /uploads answered with`,
    'zh-CN': (p: { field: string; got: string }) => `${p.field}："${p.got}" 不是 POST /uploads 返回的 id`,
  },
  'incident.photoType': {
    en: (p: { field: string; got: string; types: string }) => `${p.field}: "${p.got}" is not one of ${p.types}`,
    'zh-CN': (p: { field: string; got: string; types: string }) => `${p.field}："${p.got}" 不是 ${p.types} 之一`,
  },
  'incident.photoBytes': {
    en: (p: { field: string; bytes: number; mib: number }) => `${p.field}: ${p.bytes}; a photo is 1 byte to ${p.mib} MiB`,
    'zh-CN': (p: { field: string; bytes: number; mib: number }) => `${p.field}：${p.bytes}；照片大小应为 1 字节到 ${p.mib} MiB`,
  },
  'incident.urlMissing': {
    en: (p: { field: string }) => `${p.field}: give the photo's address (https://...) or an uploadId`,
    'zh-CN': (p: { field: string }) => `${p.field}：请给出照片地址（https://...）或 uploadId`,
  },
  'incident.urlShape': {
    en: (p: { field: string; got: string; max: number }) => `${p.field}: "${p.got}" is not an http(s) address of at most ${p.max} characters`,
    'zh-CN': (p: { field: string; got: string; max: number }) => `${p.field}："${p.got}" 不是不超过 ${p.max} 个字符的 http(s) 地址`,
  },
  'incident.urlCredentials': {
    en: (p: { field: string }) => `${p.field}: the address holds a user name or password; give one without credentials`,
    'zh-CN': (p: { field: string }) => `${p.field}：地址中含有用户名或密码；请给出不含凭据的地址`,
  },
  'incident.reporterEmpty': {
    en: () => 'reporter: give a name, a phone or a personId, or leave reporter out',
    'zh-CN': () => 'reporter（报告人）：请给出姓名、电话或 personId，或者不填 reporter',
  },
  'incident.partyOne': {
    en: (p: { field: string }) => `${p.field}: give exactly one of personId, organizationId or name`,
    'zh-CN': (p: { field: string }) => `${p.field}：personId、organizationId、name 三者必须且只能给出一个`,
  },
  'incident.partyPhone': {
    en: (p: { field: string }) => `${p.field}: a phone goes with a name (a registered person or organisation has its own)`,
    'zh-CN': (p: { field: string }) => `${p.field}：电话要与姓名一起填写（已登记的人员或组织已有自己的电话）`,
  },
  'incident.peopleInvolved': {
    en: (p: { value: number }) => `peopleInvolved: ${p.value}; a whole number of people, 0 to 1,000,000`,
    'zh-CN': (p: { value: number }) => `peopleInvolved（涉及人数）：${p.value}；应为 0 到 1,000,000 的整数`,
  },
  'incident.future': {
    en: (p: { field: string; at: string }) => `${p.field}: ${p.at} is in the future`,
    'zh-CN': (p: { field: string; at: string }) => `${p.field}：${p.at} 是将来的时间`,
  },
  'incident.noWorker': { en: () => 'workerId: no grid worker has that id', 'zh-CN': () => 'workerId：没有这个 id 的网格员' },
  'incident.alreadyAssigned': {
    en: (p: { incident: string; name: string }) => `workerId: ${p.incident} is already assigned to ${p.name}`,
    'zh-CN': (p: { incident: string; name: string }) => `workerId：${p.incident} 已经分派给了 ${p.name}`,
  },
  'incident.noOrganization': { en: () => 'organizationId: no current organisation has that id', 'zh-CN': () => 'organizationId：没有这个 id 的现有组织' },
  'incident.mergeSelf': { en: () => 'intoId: an incident cannot be merged into itself', 'zh-CN': () => 'intoId：事件不能合并到它自己' },
  'incident.mergeUnknown': { en: () => 'intoId: no incident you may read has that id', 'zh-CN': () => 'intoId：没有这个 id 的、您有权查看的事件' },
  'incident.mergeClosed': {
    en: (p: { incident: string; status: string }) => `intoId: ${p.incident} is ${p.status}; merge into an open incident`,
    'zh-CN': (p: { incident: string; status: string }) => `intoId：${p.incident} 的状态是 ${p.status}；只能合并到未办结的事件`,
  },
  'incident.noCategory': {
    en: (p: { code: string }) => `category: no category in use has code "${p.code}"`,
    'zh-CN': (p: { code: string }) => `category：没有编码为 "${p.code}" 的在用事件类别`,
  },
  'incident.sameCategory': {
    en: (p: { incident: string; code: string }) => `category: ${p.incident} is already ${p.code}`,
    'zh-CN': (p: { incident: string; code: string }) => `category：${p.incident} 的类别已经是 ${p.code}`,
  },
  'incident.locationOne': {
    en: () => 'location: give exactly one of location (with crs), buildingId or keyPlaceId',
    'zh-CN': () => 'location：location（连同 crs）、buildingId、keyPlaceId 三者必须且只能给出一个',
  },
  'incident.noCentre': {
    en: (p: { lng: number; lat: number }) => `the position ${p.lng}, ${p.lat} lies more than 100 m outside every grid: no centre is responsible there`,
    'zh-CN': (p: { lng: number; lat: number }) => `位置 ${p.lng}, ${p.lat} 距离所有网格都超过 100 米：那里没有负责的综治中心`,
  },
  'incident.categoryRetired': {
    en: (p: { code: string; codes: string }) => `category: ${p.code} is no longer in use; use one of ${p.codes}`,
    'zh-CN': (p: { code: string; codes: string }) => `category：${p.code} 已停用；请使用 ${p.codes} 之一`,
  },
  'incident.categoryUnknown': {
    en: (p: { code: string; codes: string }) => `category: no category has code "${p.code}"; use one of ${p.codes}`,
    'zh-CN': (p: { code: string; codes: string }) => `category：没有编码为 "${p.code}" 的类别；请使用 ${p.codes} 之一`,
  },
  'incident.noPlace': {
    en: (p: { field: string; building: number }) => `${p.field}: no current ${p.building ? 'building' : 'key place'} has that id`,
    'zh-CN': (p: { field: string; building: number }) => `${p.field}：没有这个 id 的现有${p.building ? '楼栋' : '重点场所'}`,
  },
  'incident.noPerson': {
    en: (p: { field: string }) => `${p.field}: no registered person has that id`,
    'zh-CN': (p: { field: string }) => `${p.field}：没有这个 id 的已登记人员`,
  },
  'open311.contentType': {
    en: (p: { got: string }) => `Content-Type ${p.got || '(none)'}: send application/x-www-form-urlencoded (or application/json)`,
    'zh-CN': (p: { got: string }) => `Content-Type ${p.got || '（无）'}：请以 application/x-www-form-urlencoded（或 application/json）发送`,
  },
  'open311.notJson': { en: () => 'the body is not valid JSON', 'zh-CN': () => '请求体不是有效的 JSON' },
  'open311.notObject': { en: () => "the body must be a JSON object of the request's parameters", 'zh-CN': () => '请求体必须是由请求参数组成的 JSON 对象' },
  'open311.serviceCode': { en: () => 'service_code: required (a code of services.json)', 'zh-CN': () => 'service_code：必须填写（services.json 中的一个编码）' },
  'open311.positionOnly': {
    en: () => 'lat/long: this server places a report by its position (WGS-84 lat and long); address_string alone cannot be routed to a grid',
    'zh-CN': () => 'lat/long：本服务按位置（WGS-84 的 lat 和 long）确定上报所在网格；仅凭 address_string 无法分派到网格',
  },
  'open311.position': { en: () => 'lat/long: required (WGS-84 decimal degrees)', 'zh-CN': () => 'lat/long：必须填写（WGS-84 十进制度数）' },
  'open311.parameter': {
    en: (p: { parameter: string; detail: string }) => `${p.parameter}: ${p.detail}`,
    'zh-CN': (p: { parameter: string; detail: string }) => `${p.parameter}：${p.detail}`,
  },
  'open311.format': {
    en: (p: { format: string; json: string }) => `format ${p.format}: this server answers JSON only; ask for ${p.json}`,
    'zh-CN': (p: { format: string; json: string }) => `格式 ${p.format}：本服务只返回 JSON；请请求 ${p.json}`,
  },
  'open311.postOnly': {
    en: (p: { path: string }) => `POST ${p.path}: only requests.json takes a POST`,
    'zh-CN': (p: { path: string }) => `POST ${p.path}：只有 requests.json 接受 POST`,
  },
  'open311.noResource': {
    en: (p: { path: string }) => `${p.path}: no such resource; try services.json, requests.json or requests/<service_request_id>.json`,
    'zh-CN': (p: { path: string }) => `${p.path}：没有这个资源；可用的有 services.json、requests.json 或 requests/<service_request_id>.json`,
  },
  'open311.staffOnly': {
    en: () => 'listing requests needs a staff token (Authorization: Bearer ...); a resident follows their own by service_request_id=<tracking code>',
    'zh-CN': () => '列出诉求需要工作人员令牌（Authorization: Bearer ...）；群众可用 service_request_id=<查询码> 查询自己的诉求',
  },
  'open311.tooManyIds': {
    en: (p: { count: number; max: number }) => `service_request_id: ${p.count} given; at most ${p.max} at once`,
    'zh-CN': (p: { count: number; max: number }) => `service_request_id：给了 ${p.count} 个；一次最多 ${p.max} 个`,
  },
  'open311.startAfterEnd': {
    en: (p: { start: string; end: string }) => `start_date: ${p.start} is after end_date ${p.end}`,
    'zh-CN': (p: { start: string; end: string }) => `start_date：${p.start} 晚于 end_date ${p.end}`,
  },
  'open311.status': {
    en: (p: { got: string }) => `status: "${p.got}"; give open, closed or open,closed`,
    'zh-CN': (p: { got: string }) => `status："${p.got}"；应为 open、closed 或 open,closed`,
  },
  'open311.date': {
    en: (p: { name: string; got: string }) => `${p.name}: "${p.got}" is not an ISO 8601 date-time with a zone (e.g. 2026-11-01T00:00:00+08:00)`,
    'zh-CN': (p: { name: string; got: string }) => `${p.name}："${p.got}" 不是带时区的 ISO 8601 日期时间（例如 2026-11-01T00:00:00+08:00）`,
  },
  'incident.noPartyOrganization': {
    en: (p: { field: string }) => `${p.field}: no current organisation has that id`,
    'zh-CN': (p: { field: string }) => `${p.field}：没有这个 id 的现有组织`,
  },
});
