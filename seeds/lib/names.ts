/**
 * Names of generated grids, in the style grid registries use: the community's short name, then the grid's
 * number, e.g. 天骄第3网格, 天骄第3网格第2微网格, 天骄第一小学专属网格.
 */

/** Longest first, so 社区居委会 is dropped whole rather than leaving 社区 behind. */
const COMMITTEE_SUFFIXES = ['社区居民管理委员会', '社区居民委员会', '社区居民居委会', '社区居委会', '社区委员会', '居民委员会', '居委会', '社区'];
const VILLAGE_SUFFIXES = ['村民委员会', '村委会'];

/** 天骄社区居委会 → 天骄, 林山寨村民委员会 → 林山寨村, 王庄村村委会 → 王庄村. */
export function communityShortName(name: string): string {
  for (const suffix of VILLAGE_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      const stem = name.slice(0, -suffix.length);
      return stem.endsWith('村') ? stem : `${stem}村`;
    }
  }
  for (const suffix of COMMITTEE_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return name;
}

export function gridName(communityShort: string, ordinal: number): string {
  return `${communityShort}第${ordinal}网格`;
}

export function microGridName(gridName: string, ordinal: number): string {
  return `${gridName}第${ordinal}微网格`;
}

/**
 * Kinds of dedicated (专属) grids, in the order a street's overlays cycle through them: school and
 * hospital first, so a street with two overlays has one of each. Within one community the n-th overlay
 * of a kind takes the n-th facility name.
 */
const DEDICATED_KINDS: readonly (readonly string[])[] = [
  ['第一小学', '第一中学', '实验小学', '第二小学', '中心幼儿园', '第二中学'], // 学校
  ['社区医院', '社区卫生服务中心', '中医院', '妇幼保健院'], // 医院
  ['农贸市场', '综合市场', '批发市场'], // 市场
  ['产业园', '科技产业园', '物流园'], // 产业园
  ['商业步行街', '购物中心'], // 商圈
  ['文化广场', '公园'], // 公共场所
  ['公交枢纽站', '长途汽车站'], // 交通枢纽
  ['养老服务中心', '敬老院'], // 养老机构
];

const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** The kind of a street's `indexInStreet`-th overlay (an index into the kinds above). */
export function dedicatedKind(indexInStreet: number): number {
  return indexInStreet % DEDICATED_KINDS.length;
}

/** Facility name of the `nthOfKind`-th (from 0) overlay of a kind in one community; repeats become 二部, 三部... */
export function dedicatedFacility(kind: number, nthOfKind: number): string {
  const names = DEDICATED_KINDS[kind];
  const base = names[nthOfKind % names.length];
  const round = Math.floor(nthOfKind / names.length);
  return round === 0 ? base : `${base}${CHINESE_DIGITS[Math.min(round + 1, 10)]}部`;
}

export function dedicatedGridName(communityShort: string, facility: string): string {
  return `${communityShort}${facility}专属网格`;
}
