import { defineMessages } from '../message';

/** BAD_USER_INPUT of positions, ids, pages and the grid queries' arguments; the plain GET /resolve's parameters. */
export const inputMessages = defineMessages({
  'input.notFinite': {
    en: (p: { field: string; value: string }) => `${p.field} must be a finite number (got ${p.value})`,
    'zh-CN': (p: { field: string; value: string }) => `${p.field} 必须是有限的数字（收到 ${p.value}）`,
  },
  'input.swapped': {
    en: (p: { lngField: string; latField: string; lng: number; lat: number }) =>
      `${p.latField} ${p.lat} is outside -90..90 and ${p.lngField} ${p.lng} would be a valid latitude: longitude and latitude look swapped; send ${p.lngField}=${p.lat}, ${p.latField}=${p.lng}`,
    'zh-CN': (p: { lngField: string; latField: string; lng: number; lat: number }) =>
      `${p.latField} ${p.lat} 超出 -90..90，而 ${p.lngField} ${p.lng} 像是一个纬度：经纬度似乎写反了；请发送 ${p.lngField}=${p.lat}, ${p.latField}=${p.lng}`,
  },
  'input.lngRange': {
    en: (p: { field: string; value: number }) => `${p.field} must be within -180..180 (got ${p.value})`,
    'zh-CN': (p: { field: string; value: number }) => `${p.field} 必须在 -180..180 之间（收到 ${p.value}）`,
  },
  'input.latRange': {
    en: (p: { field: string; value: number }) => `${p.field} must be within -90..90 (got ${p.value})`,
    'zh-CN': (p: { field: string; value: number }) => `${p.field} 必须在 -90..90 之间（收到 ${p.value}）`,
  },
  'input.convertsOutOfRange': {
    en: (p: { lng: number; lat: number; crs: string; toLng: number; toLat: number }) =>
      `lng ${p.lng}, lat ${p.lat} in ${p.crs} converts to ${p.toLng}, ${p.toLat}, outside the WGS-84 range`,
    'zh-CN': (p: { lng: number; lat: number; crs: string; toLng: number; toLat: number }) =>
      `${p.crs} 坐标 lng ${p.lng}, lat ${p.lat} 转换后为 ${p.toLng}, ${p.toLat}，超出 WGS-84 范围`,
  },
  'input.notAnId': {
    en: (p: { field: string; type: string; got: string }) => `${p.field} is not a ${p.type} id (got "${p.got}")`,
    'zh-CN': (p: { field: string; type: string; got: string }) => `${p.field} 不是 ${p.type} 的 id（收到 "${p.got}"）`,
  },
  'input.pageSize': {
    en: (p: { field: string; max: number; got: number }) => `${p.field} must be between 1 and ${p.max} (got ${p.got})`,
    'zh-CN': (p: { field: string; max: number; got: number }) => `${p.field} 必须在 1 到 ${p.max} 之间（收到 ${p.got}）`,
  },
  'input.cursor': {
    en: (p: { field: string; got: string }) => `${p.field} is not a cursor returned by this connection (got "${p.got}")`,
    'zh-CN': (p: { field: string; got: string }) => `${p.field} 不是此列表返回的游标（收到 "${p.got}"）`,
  },
  'input.gridCursor': {
    en: (p: { field: string; got: string }) => `${p.field} is not a grid cursor returned by this connection (got "${p.got}")`,
    'zh-CN': (p: { field: string; got: string }) => `${p.field} 不是此列表返回的网格游标（收到 "${p.got}"）`,
  },
  'input.variable': {
    en: (p: { name: string; detail: string }) => `Variable "$${p.name}": ${p.detail}`,
    'zh-CN': (p: { name: string; detail: string }) => `变量 $${p.name}：${p.detail}`,
  },
  'input.gridIdOrCode': { en: () => 'grid needs exactly one of id or code', 'zh-CN': () => 'grid 需要且只需要 id 或 code 其中之一' },
  'input.nameFilter': {
    en: (p: { length: number; max: number }) => `filter.nameContains has ${p.length} characters; grid names have at most ${p.max}`,
    'zh-CN': (p: { length: number; max: number }) => `filter.nameContains 有 ${p.length} 个字符；网格名称最多 ${p.max} 个字符`,
  },
  'input.simplify': {
    en: (p: { max: number; got: number }) => `simplifyMeters must be between 0 and ${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `simplifyMeters 必须在 0 到 ${p.max} 之间（收到 ${p.got}）`,
  },
  'input.filterVertices': {
    en: (p: { field: string; max: number }) => `${p.field} has more than ${p.max} vertices and parts (MAX_FILTER_VERTICES); simplify the shape, or filter by bbox`,
    'zh-CN': (p: { field: string; max: number }) => `${p.field} 的顶点和部分超过 ${p.max} 个（MAX_FILTER_VERTICES）；请简化形状，或改用 bbox 过滤`,
  },
  'input.filterGeometry': {
    en: (p: { field: string; problems: string }) => `${p.field} is not valid GeoJSON: ${p.problems}`,
    'zh-CN': (p: { field: string; problems: string }) => `${p.field} 不是有效的 GeoJSON：${p.problems}`,
  },
  'input.bboxLength': {
    en: (p: { got: number }) => `filter.bbox must be [minLng, minLat, maxLng, maxLat] (got ${p.got} numbers)`,
    'zh-CN': (p: { got: number }) => `filter.bbox 必须是 [minLng, minLat, maxLng, maxLat]（收到 ${p.got} 个数）`,
  },
  'input.bboxOrder': {
    en: (p: { bbox: string }) => `filter.bbox minimum must not exceed maximum (got [${p.bbox}])`,
    'zh-CN': (p: { bbox: string }) => `filter.bbox 的最小值不能大于最大值（收到 [${p.bbox}]）`,
  },
  'resolve.missing': {
    en: (p: { param: string }) => `query parameter ${p.param} is required, e.g. /resolve?lng=114.44796&lat=38.03086`,
    'zh-CN': (p: { param: string }) => `缺少查询参数 ${p.param}，例如 /resolve?lng=114.44796&lat=38.03086`,
  },
  'resolve.notNumber': {
    en: (p: { param: string; got: string }) => `query parameter ${p.param} must be a decimal number (got "${p.got}")`,
    'zh-CN': (p: { param: string; got: string }) => `查询参数 ${p.param} 必须是十进制数字（收到 "${p.got}"）`,
  },
  'resolve.crs': {
    en: (p: { got: string }) => `query parameter crs must be WGS84, GCJ02 or BD09 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `查询参数 crs 必须是 WGS84、GCJ02 或 BD09（收到 "${p.got}"）`,
  },
  'route.notFound': {
    en: (p: { path: string }) => `no route for ${p.path}; the API is at /graphql`,
    'zh-CN': (p: { path: string }) => `没有 ${p.path} 这个地址；接口在 /graphql`,
  },
  'route.method': {
    en: (p: { path: string; allowed: string; asked: string }) => `${p.path} answers ${p.allowed}, not ${p.asked}`,
    'zh-CN': (p: { path: string; allowed: string; asked: string }) => `${p.path} 只接受 ${p.allowed}，不接受 ${p.asked}`,
  },
  'route.internal': { en: () => 'internal server error', 'zh-CN': () => '服务器内部错误' },
  'page.off': {
    en: () => 'the query page is off (QUERY_PAGE=true turns it on); POST GraphQL requests to /graphql',
    'zh-CN': () => '查询页已关闭（设置 QUERY_PAGE=true 打开）；GraphQL 请求请 POST 到 /graphql',
  },
  'page.notBuilt': {
    en: () => 'the query page is not built: run npm run build:web (npm install does it)',
    'zh-CN': () => '查询页尚未构建：请运行 npm run build:web（npm install 会自动构建）',
  },
  'page.editorNotBuilt': {
    en: () => 'the map editor is not built: run npm run build:web (npm install does it)',
    'zh-CN': () => '地图编辑器尚未构建：请运行 npm run build:web（npm install 会自动构建）',
  },
});
