import { defineMessages } from '../message';

/** What is wrong with a GeoJSON geometry or a drawn boundary (src/geo/geojson.ts, src/geo/boundary.ts). */
export const geometryMessages = defineMessages({
  'geometry.notGeometry': {
    en: () => 'expected a GeoJSON geometry object with a "type"',
    'zh-CN': () => '需要一个带 "type" 的 GeoJSON 几何对象',
  },
  'geometry.unsupportedType': {
    en: (p: { allowed: string; got: string }) => `geometry type must be one of ${p.allowed} (got "${p.got}")`,
    'zh-CN': (p: { allowed: string; got: string }) => `几何类型必须是 ${p.allowed} 之一（收到 "${p.got}"）`,
  },
  'geometry.noPolygon': { en: () => 'coordinates hold no polygon', 'zh-CN': () => 'coordinates 中没有多边形' },
  'geometry.noRing': { en: () => 'coordinates hold no ring', 'zh-CN': () => 'coordinates 中没有环' },
  'geometry.polygonWithoutRings': {
    en: (p: { polygon: number }) => `coordinates[${p.polygon}] is a polygon without rings`,
    'zh-CN': (p: { polygon: number }) => `coordinates[${p.polygon}] 是一个没有环的多边形`,
  },
  'geometry.ringTooShort': {
    en: (p: { where: string; count: number }) => `${p.where}: a ring needs at least 4 positions (3 corners and the first repeated at the end), got ${p.count}`,
    'zh-CN': (p: { where: string; count: number }) => `${p.where}：一个环至少需要 4 个坐标（3 个角点，末尾重复第一个点），收到 ${p.count} 个`,
  },
  'geometry.ringNotClosed': {
    en: (p: { where: string; first: string; last: string }) => `${p.where}: the ring is not closed: it starts at [${p.first}] but ends at [${p.last}]`,
    'zh-CN': (p: { where: string; first: string; last: string }) => `${p.where}：环没有闭合：起点是 [${p.first}]，终点却是 [${p.last}]`,
  },
  'geometry.notArray': {
    en: (p: { where: string }) => `${p.where} must be an array`,
    'zh-CN': (p: { where: string }) => `${p.where} 必须是数组`,
  },
  'geometry.notPosition': {
    en: (p: { where: string }) => `${p.where} must be a [lng, lat] position`,
    'zh-CN': (p: { where: string }) => `${p.where} 必须是 [经度, 纬度] 坐标`,
  },
  'geometry.nonFinite': {
    en: (p: { where: string }) => `${p.where} has a non-finite coordinate`,
    'zh-CN': (p: { where: string }) => `${p.where} 含有非有限的坐标值`,
  },
  'geometry.swapped': {
    en: (p: { where: string; lng: number; lat: number }) =>
      `${p.where} [${p.lng}, ${p.lat}]: latitude ${p.lat} is out of range and looks like a longitude; GeoJSON positions are [lng, lat]`,
    'zh-CN': (p: { where: string; lng: number; lat: number }) =>
      `${p.where} [${p.lng}, ${p.lat}]：纬度 ${p.lat} 超出范围，像是一个经度；GeoJSON 坐标的顺序是 [经度, 纬度]`,
  },
  'geometry.outOfRange': {
    en: (p: { where: string; lng: number; lat: number }) => `${p.where} [${p.lng}, ${p.lat}] is outside lng -180..180, lat -90..90`,
    'zh-CN': (p: { where: string; lng: number; lat: number }) => `${p.where} [${p.lng}, ${p.lat}] 超出经度 -180..180、纬度 -90..90 的范围`,
  },
  'boundary.notPolygon': {
    en: (p: { detail: string }) => `a boundary must be a GeoJSON Polygon or MultiPolygon: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `边界必须是 GeoJSON Polygon 或 MultiPolygon：${p.detail}`,
  },
  'boundary.ringFewCorners': {
    en: (p: { where: string; corners: number }) => `${p.where} has only ${p.corners} distinct corners once repeated points are dropped; a ring needs at least 3`,
    'zh-CN': (p: { where: string; corners: number }) => `${p.where}去掉重复点后只剩 ${p.corners} 个不同的角点；一个环至少需要 3 个`,
  },
  'boundary.selfIntersection': {
    en: (p: { where: string; lng: string; lat: string; vertex: number }) => `${p.where} crosses itself at ${p.lng}, ${p.lat} (the edge from vertex ${p.vertex})`,
    'zh-CN': (p: { where: string; lng: string; lat: string; vertex: number }) => `${p.where}在 ${p.lng}, ${p.lat} 处自相交（从顶点 ${p.vertex} 出发的边）`,
  },
  'boundary.tooManyVertices': {
    en: (p: { count: string; max: number }) => `the boundary has ${p.count} vertices; the limit is ${p.max} (simplify it, or split the grid)`,
    'zh-CN': (p: { count: string; max: number }) => `边界有 ${p.count} 个顶点，上限为 ${p.max}（请简化边界或拆分网格）`,
  },
  'boundary.ring': {
    en: (p: { ring: number; start: string }) => (p.ring === 0 ? `${p.start === 'yes' ? 'T' : 't'}he outer ring` : `${p.start === 'yes' ? 'H' : 'h'}ole ${p.ring}`),
    'zh-CN': (p: { ring: number; start: string }) => (p.ring === 0 ? '外环' : `第 ${p.ring} 个内洞`),
  },
  'boundary.polygonRing': {
    en: (p: { polygon: number; ring: string }) => `polygon ${p.polygon}, ${p.ring}`,
    'zh-CN': (p: { polygon: number; ring: string }) => `第 ${p.polygon} 个多边形的${p.ring}`,
  },
});
