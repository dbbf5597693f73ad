import type { IncidentChannel } from '../../src/generated/graphql';
import type { Weighted } from './person-names';

/**
 * What the demo's incidents say (事件): per category, how often it is reported and through which channels, where
 * (a building, a road, a key place), in what words, how long it takes to settle; and the staff's notes along the
 * way, in the style of a centre's case log. `{compound}` 天骄小区, `{building}` 3号楼, `{road}` 钢铁北路, `{place}` a
 * key place's name, `{community}` 天骄社区, `{street}` 革新街街道, `{company}` an enterprise, `{worker}` the grid worker.
 */
export type Group = 'dispute' | 'hazard' | 'security' | 'livelihood';

export interface CategoryProfile {
  code: string;
  group: Group;
  /** Share of all reports, relative to the others. */
  weight: number;
  /** Months (1–12) it is reported more often in, and how much more. */
  season?: { months: readonly number[]; factor: number };
  /** Reported at a key place of these kinds (otherwise at a building, or on the road outside it). */
  keyPlaceKinds?: readonly string[];
  /** Median days from the first progress to the resolution (lognormal around it). */
  resolveDays: number;
  /** People involved, for disputes and gatherings. */
  people?: readonly [number, number];
  titles: readonly string[];
  /** Disputes: what an agreement says. */
  agreements?: readonly string[];
  /** Disputes: the respondent is an organisation of this kind (the building's property company, an enterprise). */
  respondent?: 'PROPERTY_MANAGEMENT' | 'ENTERPRISE';
  /** A failed mediation goes to arbitration (labour) or to court (everything else). */
  referral?: 'ARBITRATION' | 'LITIGATION';
}

const WINTER = [11, 12, 1, 2, 3];
const SUMMER = [6, 7, 8];

export const CATEGORY_PROFILES: readonly CategoryProfile[] = [
  { code: 'LIVELIHOOD', group: 'livelihood', weight: 27, resolveDays: 1.5, titles: [
    '{compound}{building}楼道灯不亮', '{road}路灯不亮，夜间出行不便', '{compound}{building}下水道堵塞返水', '{compound}垃圾清运不及时',
    '{compound}{building}电梯频繁故障', '{compound}二次供水水质发黄', '{road}占道经营影响通行', '{compound}车辆乱停乱放',
    '{compound}{building}供暖温度不达标', '{compound}{building}暖气不热', '{road}人行道地砖破损', '{compound}健身器材损坏'] },
  { code: 'SAFETY_HAZARD', group: 'hazard', weight: 16, season: { months: SUMMER, factor: 1.4 }, resolveDays: 1, titles: [
    '{compound}{building}楼道堆放杂物', '{compound}{building}电动车入户充电', '{road}井盖破损存在安全隐患', '{compound}{building}外墙瓷砖脱落',
    '{compound}围墙开裂有倒塌风险', '{road}施工围挡不牢固', '{compound}树木枯枝有坠落风险', '{compound}{building}燃气管道锈蚀',
    '{road}雨后路面积水塌陷', '{compound}{building}楼顶广告牌松动'] },
  { code: 'FIRE_SAFETY', group: 'hazard', weight: 7, season: { months: WINTER, factor: 1.5 }, keyPlaceKinds: ['MARKET'], resolveDays: 0.5, titles: [
    '{compound}消防通道被私家车堵塞', '{compound}{building}消火栓无水', '{compound}{building}灭火器过期', '{compound}{building}飞线充电',
    '{place}消防设施不全', '{road}沿街商铺"三合一"住人', '{place}安全出口被锁闭'] },
  { code: 'PUBLIC_SECURITY', group: 'security', weight: 5, keyPlaceKinds: ['MARKET', 'TRANSPORT_HUB', 'SCHOOL'], resolveDays: 0.5, people: [1, 8], titles: [
    '{compound}夜间有人聚集喧哗', '{compound}电动车被盗', '{place}周边有人散发小广告', '{compound}门岗失管，陌生人随意进出',
    '{place}周边有可疑人员逗留', '{road}有人酒后滋事'] },
  { code: 'DISPUTE_NEIGHBOR', group: 'dispute', weight: 9, resolveDays: 4, people: [2, 5], titles: [
    '{compound}{building}楼上漏水引发邻里纠纷', '{compound}{building}噪音扰民引发纠纷', '{compound}{building}占用公共楼道引发纠纷',
    '{compound}{building}宠物扰民邻里纠纷', '{compound}私搭乱建影响采光'], agreements: [
    '楼上住户承担维修费用1200元，三日内完成防水维修', '双方同意各自承担一半维修费用', '占用方于一周内清理楼道，双方互相谅解',
    '约定晚十点后不再装修施工，双方签字确认', '宠物主人承诺拴绳遛狗并清理粪便'] },
  { code: 'DISPUTE_PROPERTY_MANAGEMENT', group: 'dispute', weight: 6, resolveDays: 5, people: [2, 12], respondent: 'PROPERTY_MANAGEMENT', titles: [
    '{compound}业主与物业因物业费发生纠纷', '{compound}物业服务不到位业主集体投诉', '{compound}停车管理费争议', '{compound}{building}电梯维修费用分摊纠纷'], agreements: [
    '物业公司减免三个月物业费，业主补缴欠费', '物业公司两周内完成整改，业主按时缴费', '停车费按原标准收取，物业公示收支明细'] },
  { code: 'DISPUTE_FAMILY', group: 'dispute', weight: 4, resolveDays: 6, people: [2, 5], titles: [
    '{compound}{building}子女赡养老人纠纷', '{compound}{building}夫妻矛盾激化', '{compound}{building}家庭遗产继承纠纷', '{compound}{building}婆媳矛盾'], agreements: [
    '子女三人每月各支付赡养费600元，轮流照顾老人', '双方冷静处理，约定不再发生肢体冲突', '按法定继承份额协商分配，签订分家协议'] },
  { code: 'DISPUTE_HOUSING_LAND', group: 'dispute', weight: 2, resolveDays: 10, people: [2, 4], titles: [
    '{compound}{building}房屋漏雨维修责任纠纷', '{compound}房屋买卖过户纠纷', '{compound}自建房界址纠纷'], agreements: [
    '开发商承担维修责任，一个月内维修完毕', '双方按原合同办理过户，费用各自承担'] },
  { code: 'DISPUTE_CONTRACT', group: 'dispute', weight: 2, resolveDays: 10, people: [2, 3], titles: [
    '{compound}{building}房屋租赁押金退还纠纷', '{compound}{building}装修合同纠纷', '{road}商铺租赁合同纠纷'], agreements: [
    '房东退还押金2000元，扣除水电费186元', '装修公司返工修复，业主支付尾款'] },
  { code: 'DISPUTE_BUSINESS', group: 'dispute', weight: 1.5, keyPlaceKinds: ['MARKET'], resolveDays: 6, people: [2, 4], titles: [
    '{road}相邻商户经营纠纷', '{place}摊位经营纠纷'], agreements: ['双方划定经营范围，互不占用', '市场管理方重新调配摊位'] },
  { code: 'DISPUTE_DAMAGES', group: 'dispute', weight: 2, resolveDays: 5, people: [2, 3], titles: [
    '{compound}高空坠物砸坏车辆', '{compound}宠物咬伤赔偿纠纷', '{compound}{building}装修损坏邻居房屋赔偿纠纷'], agreements: [
    '责任方一次性赔偿修车费3500元', '狗主人赔偿疫苗费、误工费共计2800元', '装修方负责修复并赔偿800元'] },
  { code: 'DISPUTE_LAND_ACQUISITION', group: 'dispute', weight: 0.5, resolveDays: 15, people: [3, 20], titles: ['{compound}棚户区改造拆迁补偿纠纷', '{compound}征收安置房分配争议'], agreements: [
    '按征收补偿方案重新核算面积，补足差价', '安置房按抽签结果分配，另行补偿过渡费'] },
  { code: 'DISPUTE_ENVIRONMENT', group: 'dispute', weight: 1.5, season: { months: SUMMER, factor: 1.5 }, resolveDays: 5, people: [2, 10], titles: [
    '{road}餐馆油烟扰民', '{road}夜间施工噪音扰民', '{compound}周边垃圾站异味扰民'], agreements: ['餐馆加装油烟净化设备', '施工单位夜间22时后停止施工'] },
  { code: 'DISPUTE_LABOR', group: 'dispute', weight: 1.5, resolveDays: 10, people: [1, 6], respondent: 'ENTERPRISE', referral: 'ARBITRATION', titles: [
    '{company}员工工伤赔偿纠纷', '{company}解除劳动合同补偿纠纷', '{company}未签劳动合同纠纷'], agreements: [
    '用人单位支付经济补偿金两个月工资', '单位补签劳动合同并补缴社保'] },
  { code: 'DISPUTE_WAGE_ARREARS', group: 'dispute', weight: 1.5, season: { months: [12, 1, 2], factor: 3 }, resolveDays: 8, people: [3, 40], respondent: 'ENTERPRISE', referral: 'ARBITRATION', titles: [
    '{road}工地拖欠农民工工资', '{company}拖欠装修工人工资', '{compound}外墙改造工程拖欠工资'], agreements: [
    '施工单位于月底前支付拖欠工资共计38600元', '总包单位先行垫付工资，分两次付清'] },
  { code: 'DISPUTE_MEDICAL', group: 'dispute', weight: 0.5, keyPlaceKinds: ['HOSPITAL'], resolveDays: 15, people: [2, 4], titles: ['{place}医疗纠纷', '{place}诊疗费用争议'], agreements: [
    '医院减免部分医疗费用并致歉', '经医调委调解，医院一次性补偿15000元'] },
  { code: 'DISPUTE_TRAFFIC', group: 'dispute', weight: 1.5, resolveDays: 4, people: [2, 3], titles: [
    '{road}两车剐蹭赔偿纠纷', '{road}电动车与行人相撞赔偿纠纷'], agreements: ['按交警认定责任比例赔偿', '肇事方一次性赔偿医疗费、误工费共计5200元'] },
  { code: 'DISPUTE_FOREST_LAND', group: 'dispute', weight: 0.2, resolveDays: 15, people: [2, 6], titles: ['{community}集体土地承包经营纠纷'], agreements: ['按村集体承包合同重新确权'] },
  { code: 'OTHER', group: 'livelihood', weight: 8, resolveDays: 1, titles: [
    '{compound}居民咨询养老资格认证', '{compound}居民咨询低保申请', '{road}共享单车乱停放', '{road}发现流浪人员需救助', '{compound}{building}独居老人需要帮扶'] },
];

/** Channels by group (GRID_WORKER_APP: found by the worker on patrol; COURT: 诉前调解 referrals). */
export const CHANNELS: Readonly<Record<Group, Weighted<IncidentChannel>>> = {
  dispute: [['HOTLINE_12345', 30], ['WALK_IN', 24], ['GRID_WORKER_APP', 25], ['RESIDENT_QR', 5], ['PETITION_OFFICE', 6], ['COURT', 6], ['PROCURATORATE_12309', 1], ['OPEN311', 1], ['VIDEO_PATROL', 2]],
  hazard: [['GRID_WORKER_APP', 55], ['VIDEO_PATROL', 12], ['HOTLINE_12345', 15], ['RESIDENT_QR', 12], ['WALK_IN', 2], ['OPEN311', 4]],
  security: [['GRID_WORKER_APP', 35], ['VIDEO_PATROL', 25], ['HOTLINE_12345', 25], ['RESIDENT_QR', 10], ['WALK_IN', 5]],
  livelihood: [['GRID_WORKER_APP', 35], ['HOTLINE_12345', 35], ['RESIDENT_QR', 15], ['WALK_IN', 8], ['OPEN311', 4], ['PETITION_OFFICE', 1], ['VIDEO_PATROL', 2]],
};

export const PROGRESS_NOTES: Readonly<Record<Group, readonly string[]>> = {
  dispute: ['已联系双方当事人，了解纠纷经过', '已上门走访，听取双方诉求', '已约双方到社区面谈'],
  hazard: ['已到现场核实，设置警示标志', '已到现场查看，通知物业处理', '已拍照取证，联系责任单位'],
  security: ['已到现场查看，联系辖区派出所', '已加强巡逻，通知物业门岗'],
  livelihood: ['已到现场核实，联系相关单位', '已电话联系反映人了解情况', '已通知物业公司处理'],
};

export const RESOLUTION_NOTES: Readonly<Record<Group, readonly string[]>> = {
  dispute: ['经调解双方达成一致，纠纷化解', '双方签订调解协议，矛盾已化解'],
  hazard: ['隐患已消除，现场恢复正常', '责任单位已整改完毕', '杂物已清理，通道畅通'],
  security: ['派出所已出警处置，现场恢复平静', '已落实门岗登记制度'],
  livelihood: ['问题已解决，反映人认可', '相关单位已维修完毕', '已协调办理，答复反映人'],
};

export const REFERRED_NOTE = { LITIGATION: '调解不成，已引导当事人依法向人民法院起诉', ARBITRATION: '调解不成，已引导当事人申请劳动仲裁' } as const;
export const REJECT_REASONS = ['不属于受理范围，已告知来电人向相关部门反映', '现场核查无此问题，反映情况不实', '信息不全，多次联系反映人未果', '已进入诉讼程序，依法不予受理'];
export const ESCALATE_REASONS = {
  COMMUNITY: ['涉及多个部门，网格内无法解决，申请社区协调', '双方分歧大，需社区调委会介入', '需执法部门介入，网格吹哨'],
  STREET: ['涉及物业与业主，需街道协调', '需街道综合执法队联合处置', '社区协调未果，报街道综治中心'],
  DISTRICT: ['涉及区级部门职责，提请区综治中心协调'],
} as const;
export const SUSPEND_REASONS = ['当事人外出，待其返回后继续调解', '需等待鉴定结果', '冬季不具备施工条件，待开春处理'];
export const RESUME_NOTE = '条件具备，恢复办理';
export const TRANSFER_NOTES = { PROPERTY_MANAGEMENT: '转物业公司处理', MEDIATION_COMMITTEE: '转街道人民调解委员会调解', COMMUNITY_COMMITTEE: '转社区居委会协调' } as const;
export const TRANSFERRED_RESULT = '承办单位已办结，答复反映人';
export const CENTRE_RESOLUTION = '经联合处置，问题已解决';
export const VERIFY_NOTES = { SATISFIED: '电话回访，群众满意', BASICALLY_SATISFIED: '电话回访，群众基本满意', UNSATISFIED: '回访不满意：问题反复出现' } as const;
export const REOPEN_NOTE = '群众回访不满意，重新办理';
export const RECATEGORIZE_NOTE = '登记类别有误，更正';
export const MEDIATION_PLACES = ['{community}调解室', '{community}党群服务中心', '{street}人民调解委员会'];

/** A title or note with its place filled in. */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}
