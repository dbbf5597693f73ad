import type { SeededRandom } from './random';

/**
 * Names, ethnicities, phone prefixes and places of origin for the demo population, in the proportions a
 * registry in Shijiazhuang would hold: surnames by their frequency in northern China, given names as each
 * generation chose them (建国 and 秀英 for the grandparents, 子轩 and 梓涵 for the grandchildren), region codes of
 * the ID numbers (GB/T 2260) where people were first registered.
 */

/** A list to draw from by weight. */
export type Weighted<T> = readonly (readonly [T, number])[];

export function pickWeighted<T>(rng: SeededRandom, items: Weighted<T>): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let r = rng.next() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

/** Surnames and their share in per mille (Hebei and the north: 王 李 张 刘 first, 陈 and 黄 less than in the south). */
const SURNAMES: Weighted<string> = [
  ['王', 86], ['李', 82], ['张', 84], ['刘', 66], ['赵', 34], ['杨', 30], ['陈', 26], ['高', 22], ['马', 20], ['孙', 20],
  ['郭', 18], ['周', 14], ['吴', 12], ['徐', 12], ['胡', 11], ['朱', 11], ['田', 11], ['董', 11], ['韩', 10], ['冯', 10],
  ['许', 9], ['何', 8], ['郑', 8], ['宋', 9], ['梁', 8], ['谢', 6], ['曹', 8], ['黄', 7], ['贾', 8], ['齐', 6],
  ['石', 7], ['崔', 7], ['康', 6], ['杜', 6], ['魏', 6], ['吕', 6], ['苏', 5], ['任', 6], ['袁', 5], ['于', 6],
  ['程', 5], ['侯', 6], ['史', 5], ['邢', 5], ['牛', 5], ['申', 4], ['耿', 4], ['郝', 5], ['范', 4], ['彭', 3],
  ['罗', 3], ['姚', 4], ['卢', 4], ['姜', 4], ['蔡', 3], ['丁', 4], ['薛', 4], ['唐', 3], ['秦', 3], ['武', 5],
  ['闫', 4], ['付', 4], ['白', 4], ['孟', 4], ['尹', 3], ['段', 3], ['雷', 2], ['龙', 1], ['万', 2],
  ['钱', 2], ['严', 2], ['陆', 2], ['沈', 2], ['汪', 1], ['潘', 2], ['葛', 3], ['安', 3], ['常', 3], ['贺', 3],
  ['顾', 1], ['毛', 2], ['邵', 2], ['蒋', 2], ['林', 3], ['叶', 2], ['方', 2], ['金', 2], ['夏', 2], ['谷', 3],
  ['尚', 2], ['温', 2], ['乔', 3], ['庞', 2], ['焦', 3], ['翟', 2], ['霍', 2], ['甄', 2], ['刁', 1], ['靳', 2],
  ['欧阳', 1], ['司马', 0.5], ['上官', 0.3], ['诸葛', 0.2],
];

/** Given names of one generation, for men and for women (two-character names common, one-character ones too). */
interface Generation {
  /** Born before this year. */
  until: number;
  male: readonly string[];
  female: readonly string[];
}

const GENERATIONS: readonly Generation[] = [
  {
    until: 1960,
    male: [...'福贵德林山成'].concat(['建国', '国庆', '振华', '德明', '志刚', '永生', '玉山', '长海', '宝山', '凤岐', '文斌', '树林', '金生', '守义', '广才', '洪亮', '俊峰', '庆祥', '有才', '春生', '国栋', '志远', '占军', '世杰', '保国', '忠诚', '立新', '秋生']),
    female: [...'英兰珍'].concat(['秀英', '桂兰', '淑珍', '玉兰', '凤英', '秀兰', '桂英', '淑英', '玉珍', '素芳', '淑芬', '桂芝', '秀珍', '玉梅', '凤兰', '翠英', '秀云', '桂荣', '淑华', '素珍', '玉华', '秀芳', '金凤', '爱华', '美兰', '兰英', '春兰', '冬梅']),
  },
  {
    until: 1980,
    male: [...'军伟勇强刚斌杰涛明辉亮峰'].concat(['建军', '建华', '卫东', '海涛', '志强', '红军', '国强', '永刚', '立军', '建平', '振江', '文革', '学军', '向东', '卫国', '晓东', '跃进', '建新', '志勇', '国华', '宏伟', '海军', '春雷', '新民']),
    female: [...'丽红霞燕敏静萍娟芳梅'].concat(['丽娟', '红梅', '海燕', '秀梅', '丽华', '建华', '晓红', '艳红', '素梅', '春燕', '卫红', '小红', '玉霞', '丽萍', '彩霞', '雪梅', '爱玲', '秀丽', '文静', '桂香', '红霞', '艳芳', '亚平', '晓燕']),
  },
  {
    until: 1995,
    male: [...'磊鹏超伟浩亮帅鑫凯宁'].concat(['晓明', '海龙', '建伟', '志伟', '俊杰', '文博', '鹏飞', '立伟', '晓飞', '海波', '少华', '永强', '振宇', '云鹏', '旭东', '亚军', '明辉', '晓光', '志鹏', '国栋', '嘉伟', '晓龙']),
    female: [...'静丽婷敏娜颖晶莉佳倩'].concat(['晓丽', '丽娜', '丹丹', '晓静', '婷婷', '雪莹', '亚楠', '佳慧', '晓燕', '文娟', '美玲', '莉莉', '思思', '晓雪', '慧敏', '小丽', '梦瑶', '海燕', '雅静', '丽敏', '艳霞', '晓红']),
  },
  {
    until: 2010,
    male: [...'浩宇鑫昊帅博航凯'].concat(['浩然', '子豪', '宇航', '俊杰', '家豪', '明轩', '天宇', '浩宇', '一帆', '博文', '嘉豪', '宇轩', '思远', '子涵', '俊熙', '文杰', '鹏程', '皓轩', '志豪', '泽宇', '晨阳', '佳乐']),
    female: [...'婷雪悦璐琪'].concat(['欣怡', '佳琪', '雨涵', '诗琪', '梦琪', '思雨', '可欣', '佳怡', '雅琪', '紫涵', '佳欣', '雨欣', '梦洁', '婉婷', '心怡', '晓萱', '思琪', '欣然', '雨桐', '若曦', '梓涵', '语嫣']),
  },
  {
    until: 9999,
    male: [...'睿铭'].concat(['子轩', '浩宇', '宇轩', '梓睿', '沐宸', '一诺', '梓轩', '奕辰', '浩然', '子墨', '宇泽', '思远', '俊熙', '皓轩', '铭泽', '君浩', '明哲', '煜城', '瑾瑜', '嘉懿', '承泽', '景行', '昊天', '锦程']),
    female: [...'萱妍'].concat(['梓涵', '一诺', '欣怡', '依诺', '梓萱', '若汐', '诗涵', '可馨', '语桐', '沐瑶', '雨桐', '芷若', '紫琪', '思彤', '佳怡', '子琪', '梦瑶', '安琪', '欣妍', '语汐', '嘉怡', '锦书', '晨曦', '知夏']),
  },
];

export type Gender = 'MALE' | 'FEMALE';

export function pickSurname(rng: SeededRandom): string {
  return pickWeighted(rng, SURNAMES);
}

export function pickGivenName(rng: SeededRandom, gender: Gender, birthYear: number): string {
  const generation = GENERATIONS.find((g) => birthYear < g.until) ?? GENERATIONS[GENERATIONS.length - 1];
  return rng.pick(gender === 'MALE' ? generation.male : generation.female);
}

/** Names of residents from abroad, as their residence permits write them in Chinese. */
const FOREIGN_NAMES: Record<Gender, readonly string[]> = {
  MALE: ['金敏俊', '朴志勋', '李俊昊', '崔成民', '佐藤健一', '田中浩二', '约翰·史密斯', '亚历山大·伊万诺夫', '阮文雄', '穆罕默德·阿里', '大卫·米勒', '托马斯·穆勒'],
  FEMALE: ['金智妍', '朴敏贞', '崔秀彬', '佐藤美咲', '铃木裕子', '玛丽亚·加西亚', '安娜·彼得罗娃', '阮氏兰', '艾玛·布朗', '索菲亚·罗西', '娜塔莎·索科洛娃', '李秀贤'],
};

export function foreignName(rng: SeededRandom, gender: Gender): string {
  return rng.pick(FOREIGN_NAMES[gender]);
}

/** 民族 of households here: nearly all Han; Hui and Manchu the largest minorities of Hebei. */
export const ETHNICITIES: Weighted<string> = [
  ['汉族', 975], ['满族', 11], ['回族', 9], ['蒙古族', 2], ['壮族', 1], ['土家族', 0.6], ['朝鲜族', 0.5], ['苗族', 0.5], ['彝族', 0.2], ['维吾尔族', 0.2],
];

/** Mainland mobile prefixes of China Mobile, China Unicom and China Telecom. */
export const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157',
  '158', '159', '166', '173', '177', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '191', '198', '199',
];

/**
 * A region of origin: its GB/T 2260 code as ID numbers carry it and its name for the registered address.
 * `until`: the code was replaced that year (桥东区 was merged into 长安区 and 桥西区 in 2014; 藁城, 鹿泉 and 栾城
 * became districts with new codes), so only people born before then carry it; `since`: the code exists from then.
 */
export interface Region {
  code: string;
  name: string;
  /** County-level: an address there names a town and a village, not a road. */
  rural: boolean;
  until?: number;
  since?: number;
}

const region = (code: string, name: string, rural = false, years: { until?: number; since?: number } = {}): Region => ({ code, name, rural, ...years });

/** Where registered residents were first registered, by weight: mostly the city's own districts and counties. */
export const SHIJIAZHUANG_REGIONS: Weighted<Region> = [
  [region('130105', '河北省石家庄市新华区'), 34],
  [region('130102', '河北省石家庄市长安区'), 12],
  [region('130104', '河北省石家庄市桥西区'), 12],
  [region('130103', '河北省石家庄市桥东区', false, { until: 2014 }), 6],
  [region('130108', '河北省石家庄市裕华区'), 7],
  [region('130107', '河北省石家庄市井陉矿区'), 1.5],
  [region('130109', '河北省石家庄市藁城区', true, { since: 2014 }), 1.5],
  [region('130182', '河北省石家庄市藁城市', true, { until: 2014 }), 2],
  [region('130110', '河北省石家庄市鹿泉区', true, { since: 2014 }), 1.5],
  [region('130185', '河北省石家庄市鹿泉市', true, { until: 2014 }), 2],
  [region('130111', '河北省石家庄市栾城区', true, { since: 2014 }), 1],
  [region('130124', '河北省石家庄市栾城县', true, { until: 2014 }), 1.5],
  [region('130121', '河北省石家庄市井陉县', true), 1.5],
  [region('130123', '河北省石家庄市正定县', true), 3],
  [region('130125', '河北省石家庄市行唐县', true), 1.5],
  [region('130126', '河北省石家庄市灵寿县', true), 1],
  [region('130127', '河北省石家庄市高邑县', true), 1],
  [region('130128', '河北省石家庄市深泽县', true), 1],
  [region('130129', '河北省石家庄市赞皇县', true), 1],
  [region('130130', '河北省石家庄市无极县', true), 1.5],
  [region('130131', '河北省石家庄市平山县', true), 1.5],
  [region('130132', '河北省石家庄市元氏县', true), 1.5],
  [region('130133', '河北省石家庄市赵县', true), 1.5],
  [region('130181', '河北省石家庄市辛集市', true), 1.5],
  [region('130183', '河北省石家庄市晋州市', true), 1.5],
  [region('130184', '河北省石家庄市新乐市', true), 1.5],
];

/** Where the floating population comes from: half from the rest of Hebei, the others from all over, Henan and Shandong first. */
export const ORIGIN_REGIONS: Weighted<Region> = [
  [region('130425', '河北省邯郸市大名县', true), 4],
  [region('130434', '河北省邯郸市魏县', true), 3],
  [region('130481', '河北省邯郸市武安市', true), 2],
  [region('130521', '河北省邢台市临城县', true), 2],
  [region('130528', '河北省邢台市宁晋县', true), 3],
  [region('130529', '河北省邢台市巨鹿县', true), 2],
  [region('130602', '河北省保定市竞秀区', false, { since: 2015 }), 2],
  [region('130624', '河北省保定市阜平县', true), 2],
  [region('130630', '河北省保定市涞源县', true), 2],
  [region('130681', '河北省保定市涿州市', true), 1.5],
  [region('130902', '河北省沧州市新华区'), 1.5],
  [region('130925', '河北省沧州市盐山县', true), 2],
  [region('131102', '河北省衡水市桃城区'), 2],
  [region('131121', '河北省衡水市枣强县', true), 2],
  [region('130821', '河北省承德市承德县', true), 1],
  [region('130723', '河北省张家口市康保县', true), 1.5],
  [region('130283', '河北省唐山市迁安市', true), 1],
  [region('130203', '河北省唐山市路北区'), 1],
  [region('131022', '河北省廊坊市固安县', true), 1],
  [region('410102', '河南省郑州市中原区'), 2],
  [region('410782', '河南省新乡市辉县市', true), 2],
  [region('411302', '河南省南阳市宛城区'), 1.5],
  [region('410523', '河南省安阳市汤阴县', true), 2],
  [region('411527', '河南省信阳市淮滨县', true), 1.5],
  [region('370102', '山东省济南市历下区'), 1.5],
  [region('371402', '山东省德州市德城区'), 1.5],
  [region('371522', '山东省聊城市莘县', true), 1.5],
  [region('370828', '山东省济宁市金乡县', true), 1],
  [region('140105', '山西省太原市小店区'), 1.5],
  [region('140428', '山西省长治市长子县', true), 1.5],
  [region('150102', '内蒙古自治区呼和浩特市新城区'), 1],
  [region('230103', '黑龙江省哈尔滨市南岗区'), 1],
  [region('220102', '吉林省长春市南关区'), 0.8],
  [region('210102', '辽宁省沈阳市和平区'), 0.8],
  [region('340102', '安徽省合肥市瑶海区'), 0.8],
  [region('341222', '安徽省阜阳市太和县', true), 1],
  [region('320322', '江苏省徐州市沛县', true), 0.8],
  [region('510106', '四川省成都市金牛区'), 0.8],
  [region('511321', '四川省南充市南部县', true), 0.8],
  [region('500101', '重庆市万州区'), 0.6],
  [region('420106', '湖北省武汉市武昌区'), 0.6],
  [region('430102', '湖南省长沙市芙蓉区'), 0.5],
  [region('610113', '陕西省西安市雁塔区'), 0.6],
  [region('620102', '甘肃省兰州市城关区'), 0.5],
  [region('110105', '北京市朝阳区'), 0.8],
  [region('120104', '天津市南开区'), 0.8],
  [region('360102', '江西省南昌市东湖区'), 0.4],
  [region('350102', '福建省福州市鼓楼区'), 0.4],
  [region('440106', '广东省广州市天河区'), 0.4],
  [region('330106', '浙江省杭州市西湖区'), 0.4],
  [region('530102', '云南省昆明市五华区'), 0.3],
  [region('520102', '贵州省贵阳市南明区'), 0.3],
  [region('640104', '宁夏回族自治区银川市兴庆区'), 0.3],
  [region('650102', '新疆维吾尔自治区乌鲁木齐市天山区'), 0.3],
  [region('460105', '海南省海口市秀英区'), 0.2],
];

/** Hong Kong, Macao and Taiwan residents (港澳台居民居住证: regions 810000, 820000, 830000). */
export const COMPATRIOT_REGIONS: Weighted<Region> = [
  [region('810000', '香港特别行政区'), 4],
  [region('820000', '澳门特别行政区'), 1],
  [region('830000', '台湾省'), 5],
];

/** A region whose code existed in `birthYear` (or the nearest successor when drawn otherwise). */
export function pickRegion(rng: SeededRandom, regions: Weighted<Region>, birthYear: number): Region {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = pickWeighted(rng, regions);
    if ((r.until === undefined || birthYear < r.until) && (r.since === undefined || birthYear >= r.since)) return r;
  }
  return regions[0][0];
}

const TOWNS = ['城关', '杨桥', '北关', '东王', '大营', '马庄', '李村', '新店', '南关', '王桥', '河西', '柳林', '高庄', '石桥', '双井'];
const VILLAGES = ['东', '西', '南', '北', '前', '后', '大', '小', '张', '王', '李', '刘', '赵', '孙'];
const ROADS = ['建设路', '人民路', '解放路', '中山路', '胜利街', '和平路', '文化路', '朝阳街', '光明路', '团结路', '新华街', '育才路'];

/** 户籍地 in the region: a village of a county (河北省邯郸市大名县杨桥镇王庄村56号), or a road in a city district. */
export function originAddress(rng: SeededRandom, r: Region): string {
  if (r.code.endsWith('0000')) return r.name;
  if (r.rural) return `${r.name}${rng.pick(TOWNS)}镇${rng.pick(VILLAGES)}${rng.pick(VILLAGES)}庄村${1 + rng.int(300)}号`;
  return `${r.name}${rng.pick(ROADS)}${1 + rng.int(400)}号`;
}
