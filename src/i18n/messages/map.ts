import { defineMessages } from '../message';

/** Refusals of the map routes: vector tiles (/tiles) and OGC API Features (/ogc). */
export const mapMessages = defineMessages({
  'map.tilePath': {
    en: (p: { path: string }) => `no tiles at ${p.path}: ask /tiles/{layer}/{z}/{x}/{y}.mvt or /tiles/{layer}.json (layers: /tiles)`,
    'zh-CN': (p: { path: string }) => `${p.path} 没有瓦片：请求 /tiles/{layer}/{z}/{x}/{y}.mvt 或 /tiles/{layer}.json（图层列表见 /tiles）`,
  },
  'map.noLayer': {
    en: (p: { id: string; layers: string }) => `no layer "${p.id}"; the layers are ${p.layers}`,
    'zh-CN': (p: { id: string; layers: string }) => `没有图层 "${p.id}"；图层有 ${p.layers}`,
  },
  'map.zoom': {
    en: (p: { max: number; got: number }) => `zoom must be a whole number from 0 to ${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `缩放级别必须是 0 到 ${p.max} 的整数（收到 ${p.got}）`,
  },
  'map.tileCoordinate': {
    en: (p: { axis: string; max: number; zoom: number; got: number }) => `${p.axis} must be a whole number from 0 to ${p.max} at zoom ${p.zoom} (got ${p.got})`,
    'zh-CN': (p: { axis: string; max: number; zoom: number; got: number }) => `缩放级别 ${p.zoom} 下 ${p.axis} 必须是 0 到 ${p.max} 的整数（收到 ${p.got}）`,
  },
  'map.coordinateSystem': {
    en: (p: { param: string; allowed: string; got: string }) => `${p.param} must be one of ${p.allowed} (got "${p.got}")`,
    'zh-CN': (p: { param: string; allowed: string; got: string }) => `${p.param} 必须是 ${p.allowed} 之一（收到 "${p.got}"）`,
  },
  'map.noHistory': {
    en: (p: { param: string; layer: string }) => `${p.param}: ${p.layer} has no history; only grid layers answer as of an instant`,
    'zh-CN': (p: { param: string; layer: string }) => `${p.param}：${p.layer} 没有历史版本；只有网格图层可以按时间点查询`,
  },
  'map.instantInterval': {
    en: (p: { got: string }) => `datetime: give one instant (e.g. 2026-11-23T08:00:00Z); intervals are not served (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `datetime：请给出一个时间点（如 2026-11-23T08:00:00Z），不支持时间区间（收到 "${p.got}"）`,
  },
  'map.unknownParameter': {
    en: (p: { name: string; known: string }) => `unknown parameter "${p.name}"; this endpoint takes ${p.known}`,
    'zh-CN': (p: { name: string; known: string }) => `未知参数 "${p.name}"；此接口接受 ${p.known}`,
  },
  'map.noParameters': {
    en: (p: { name: string }) => `unknown parameter "${p.name}"; this endpoint takes none (but f=json)`,
    'zh-CN': (p: { name: string }) => `未知参数 "${p.name}"；此接口不接受参数（f=json 除外）`,
  },
  'map.format': {
    en: (p: { got: string }) => `f=${p.got}: this API answers JSON only (f=json)`,
    'zh-CN': (p: { got: string }) => `f=${p.got}：此接口只返回 JSON（f=json）`,
  },
  'map.noResource': {
    en: (p: { path: string }) => `no resource at ${p.path}; start at /ogc`,
    'zh-CN': (p: { path: string }) => `${p.path} 没有资源；请从 /ogc 开始`,
  },
  'map.noCollection': {
    en: (p: { id: string; collections: string }) => `no collection "${p.id}"; the collections are ${p.collections}`,
    'zh-CN': (p: { id: string; collections: string }) => `没有数据集 "${p.id}"；数据集有 ${p.collections}`,
  },
  'map.noFeature': {
    en: (p: { id: string; collection: string }) => `no feature "${p.id}" in ${p.collection}`,
    'zh-CN': (p: { id: string; collection: string }) => `${p.collection} 中没有要素 "${p.id}"`,
  },
  'map.limit': {
    en: (p: { got: string }) => `limit must be a whole number from 1 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `limit 必须是不小于 1 的整数（收到 "${p.got}"）`,
  },
  'map.bboxCrs': {
    en: (p: { got: string }) => `bbox-crs: only CRS84 is served (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `bbox-crs：只支持 CRS84（收到 "${p.got}"）`,
  },
  'map.bboxNumbers': {
    en: (p: { got: string }) => `bbox must be four numbers minLon,minLat,maxLon,maxLat (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `bbox 必须是四个数字 minLon,minLat,maxLon,maxLat（收到 "${p.got}"）`,
  },
  'map.bboxRange': {
    en: (p: { got: string }) => `bbox must lie within -180..180 and -90..90 (got ${p.got})`,
    'zh-CN': (p: { got: string }) => `bbox 必须在 -180..180 与 -90..90 之内（收到 ${p.got}）`,
  },
  'map.bboxOrder': {
    en: (p: { got: string }) => `bbox: minLon ≤ maxLon and minLat ≤ maxLat (got ${p.got}; boxes across the antimeridian are not served)`,
    'zh-CN': (p: { got: string }) => `bbox：须 minLon ≤ maxLon 且 minLat ≤ maxLat（收到 ${p.got}；不支持跨越 180° 经线的范围）`,
  },
  'map.cursor': {
    en: () => "cursor is not one of this collection's next links (start again without it)",
    'zh-CN': () => 'cursor 不是此数据集 next 链接给出的游标（请去掉它重新开始）',
  },
});
