import { communityShortName } from './names';
import { SeededRandom } from './random';

/**
 * Names and addresses for generated places, in the style of Chinese address books: a residential compound
 * (小区) per GRID-level grid, named after its community (天骄小区, 天骄花园, 世纪康城二期 …), on a real road of
 * the city with a door number (友谊北大街128号); company names; a key place's kind from its name.
 */

/** Roads of Shijiazhuang's Xinhua district and around it. */
export const XINHUA_ROADS = [
  '中华北大街', '友谊北大街', '西三庄街', '和平西路', '新华路', '联盟路', '北二环西路', '合作路', '民族路', '泰华街',
  '长征街', '石清路', '柏林路', '北新街', '维明北大街', '西二环北路', '朝阳路', '红军大街', '新石北路', '钢铁北路',
  '西焦北路', '革新街', '水源街', '宁安路', '兴凯路', '九中街', '赵陵铺路', '天苑路', '钟南路', '翔翼路',
] as const;

/** Roads of Zhengzhou. */
export const ZHENGZHOU_ROADS = [
  '中原路', '建设路', '桐柏路', '嵩山路', '大学路', '花园路', '文化路', '金水路', '农业路', '东风路',
  '经三路', '纬五路', '郑汴路', '商都路', '陇海路', '航海路', '淮河路', '伏牛路', '紫荆山路', '未来路',
  '黄河路', '丰产路', '北环路', '南阳路', '京广路', '碧沙岗路', '秦岭路', '工人路', '二七路', '长江路',
] as const;

/** What a compound is called after its community's name, in the order a community's compounds take them. */
const COMPOUND_WORDS = ['小区', '花园', '家园', '新村', '嘉园', '雅苑', '华庭', '公寓', '名苑', '佳园', '东区', '西区'];
/** A community already named like a compound (世纪康城, 秀河家园) names its first one, then 二期, 三期 … */
const COMPOUND_ENDINGS = /(小区|花园|家园|新村|嘉园|苑|城|园|庭|府|郡|湾|著|谷|公寓|宿舍)$/;
const PHASES = ['', '二期', '三期', '四期', '五期', '六期', '七期', '八期', '九期', '十期'];

/** 天骄社区居委会 → 天骄社区; 宁安小区居委会 → 宁安小区社区; 林山寨村民委员会 → 林山寨村. */
export function communityLabel(communityName: string): string {
  const short = communityShortName(communityName);
  return short.endsWith('村') || short.endsWith('社区') ? short : `${short}社区`;
}

/** The `ordinal`-th (from 1) compound of a community. */
export function compoundName(communityName: string, ordinal: number): string {
  const short = communityShortName(communityName);
  if (COMPOUND_ENDINGS.test(short)) {
    const phase = PHASES[ordinal - 1];
    return phase === undefined ? `${short}${ordinal}期` : `${short}${phase}`;
  }
  const word = COMPOUND_WORDS[(ordinal - 1) % COMPOUND_WORDS.length];
  const round = Math.floor((ordinal - 1) / COMPOUND_WORDS.length);
  return round === 0 ? `${short}${word}` : `${short}${word}${PHASES[Math.min(round, PHASES.length - 1)]}`;
}

export interface CompoundRow {
  gridId: string;
  compound: string;
  road: string;
  /** Door number (门牌号) of the compound's main gate on its road. */
  doorNumber: number;
}

/**
 * One compound per GRID-level grid, given in code order with its community's name and its ordinal within
 * the community. Roads are drawn per community (two or three of the city's roads), door numbers per compound.
 */
export function compounds(
  grids: readonly { id: string; code: string; communityCode: string; communityName: string; ordinal: number }[],
  roads: readonly string[],
  seed: number,
): CompoundRow[] {
  const rng = SeededRandom.forStage(seed, 'compounds');
  const roadsOf = new Map<string, string[]>();
  return grids.map((g) => {
    let own = roadsOf.get(g.communityCode);
    if (!own) {
      own = rng.shuffle([...roads]).slice(0, 2 + rng.int(2));
      roadsOf.set(g.communityCode, own);
    }
    return {
      gridId: g.id,
      compound: compoundName(g.communityName, g.ordinal),
      road: rng.pick(own),
      doorNumber: 1 + rng.int(399),
    };
  });
}

/** Property companies (物业服务企业) and enterprises: a brand word, then what they do. */
export const COMPANY_BRANDS = [
  '宏达', '安居', '美家', '恒信', '诚和', '泰和', '金盾', '康城', '华安', '祥和', '润泽', '瑞丰', '鑫源', '嘉禾', '中诚',
  '永安', '盛世', '天成', '华润', '德信', '广厦', '新城', '佳和', '欣悦', '博雅', '明德', '正阳', '东方', '长城', '开元',
];
export const INDUSTRIES = [
  '商贸', '餐饮管理', '科技', '建筑工程', '医药连锁', '汽车服务', '教育咨询', '文化传媒', '物流', '家政服务', '超市', '酒店管理',
];

/** A key place's kind from its name (the names the tiling gives dedicated grids: 第一小学, 社区医院, 农贸市场 …). */
export const KEY_PLACE_KIND_BY_NAME: readonly (readonly [string, string])[] = [
  ['幼儿园', 'KINDERGARTEN'],
  ['小学|中学|学校|学院', 'SCHOOL'],
  ['医院|卫生服务中心|卫生院|保健院|诊所', 'HOSPITAL'],
  ['市场', 'MARKET'],
  ['枢纽|汽车站|客运站|火车站', 'TRANSPORT_HUB'],
  ['寺|教堂|道观', 'RELIGIOUS'],
  ['步行街|购物中心|影城|歌厅', 'ENTERTAINMENT'],
  ['加油站|化工|燃气', 'HAZARDOUS_CHEMICALS'],
];

export function keyPlaceKindOfName(name: string): string {
  return KEY_PLACE_KIND_BY_NAME.find(([pattern]) => new RegExp(pattern).test(name))?.[1] ?? 'OTHER';
}

/** SQL for the same. */
export function keyPlaceKindSql(nameSql: string): string {
  return `CASE ${KEY_PLACE_KIND_BY_NAME.map(([pattern, kind]) => `WHEN ${nameSql} ~ '${pattern}' THEN '${kind}'`).join(' ')} ELSE 'OTHER' END`;
}

/**
 * SQL joining, to each dedicated grid `grid`, the key place drawn for it as `as`: its name (the grid's, less
 * 专属网格: 天骄第一小学专属网格 → 天骄第一小学) and its kind from that name.
 */
export function dedicatedPlaceSql(grid: string, as: string): string {
  return `CROSS JOIN LATERAL (SELECT n.name, ${keyPlaceKindSql('n.name')} AS kind FROM (SELECT regexp_replace(${grid}.name, '专属网格$', '') AS name) n) ${as}`;
}

/** Key places whose organisation is made with them (a school's, a hospital's). */
export const KEY_PLACE_KINDS_WITH_ORGANIZATION = ['SCHOOL', 'KINDERGARTEN', 'HOSPITAL'];
