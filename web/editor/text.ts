/** The editor's words (zh-CN: the page is for GIS staff in China; messages from the API come in zh-CN too). */

export const LEVEL_NAMES: Record<string, string> = {
  DISTRICT: '区/县',
  STREET: '街道/乡镇',
  COMMUNITY: '社区/村',
  GRID: '网格',
  MICRO_GRID: '微网格',
  DEDICATED: '专属网格',
};

/** The level a new child of a grid gets by default (a dedicated grid is chosen by hand under a community). */
export const CHILD_LEVEL: Record<string, string[]> = {
  DISTRICT: ['STREET'],
  STREET: ['COMMUNITY'],
  COMMUNITY: ['GRID', 'DEDICATED'],
  GRID: ['MICRO_GRID'],
};

export const PROBLEM_NAMES: Record<string, string> = {
  NOT_POLYGON: '不是多边形',
  BAD_COORDINATES: '坐标格式错误',
  NON_FINITE: '坐标不是有限数',
  OUT_OF_RANGE: '坐标超出范围',
  SWAPPED_AXES: '经纬度颠倒',
  RING_TOO_SHORT: '边界点数太少',
  RING_NOT_CLOSED: '边界未闭合',
  TOO_MANY_VERTICES: '顶点过多',
  SELF_INTERSECTION: '边界自相交',
  INVALID_GEOMETRY: '几何无效',
  OUTSIDE_PARENT: '超出上级网格',
  OVERLAPS_SIBLING: '与相邻网格重叠',
  LEVEL_MISMATCH: '层级不匹配',
  BAD_CODE: '编码错误',
  CODE_TAKEN: '编码已被占用',
  BAD_NAME: '名称错误',
  CHILD_OUTSIDE: '下级网格超出新边界',
  HAS_DEPENDANTS: '仍有下级网格或网格员',
  BAD_SPLIT_LINE: '分割线无效',
  NOT_MERGEABLE: '无法合并',
  OUTSIDE_JURISDICTION: '超出管辖范围',
  BAD_VALUE: '取值错误',
  VERSION_CONFLICT: '版本冲突',
};

export function formatArea(sqm: number): string {
  return sqm >= 100_000 ? `${(sqm / 1e6).toFixed(2)} km²` : `${Math.round(sqm).toLocaleString('zh-CN')} m²`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { hour12: false });
}

export const ROLE_NAMES: Record<string, string> = {
  ADMIN: '管理员',
  GIS_EDITOR: 'GIS 编辑员',
  DISPATCHER: '调度员',
  GRID_WORKER: '网格员',
  VIEWER: '查看者',
};
