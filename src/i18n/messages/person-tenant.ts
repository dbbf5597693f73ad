import { defineMessages, fixed } from '../message';

type Building = { code: string; name: string };

/** Tenants' self-registration by a building's QR code and its confirmation (src/modules/person/tenant-*.ts). */
export const personTenantMessages = defineMessages({
  'tenant.rejectReason': {
    en: (p: { min: number; max: number; got: number }) => `reason: ${p.min}–${p.max} characters, no control characters, saying why (the tenant may ask); got ${p.got}`,
    'zh-CN': (p: { min: number; max: number; got: number }) => `reason：请用 ${p.min}–${p.max} 个字符（不含控制字符）说明原因（租户可能会询问）；实际 ${p.got} 个`,
  },
  'tenant.buildingCode': {
    en: (p: { got: string }) => `building code: the 16 digits printed under the building's QR code (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `楼栋编码：应为楼栋二维码下方印的16位数字（实际为 "${p.got}"）`,
  },
  'tenant.room': {
    en: (p: { max: number; got: string }) => `room: as written on the door, e.g. 1502, at most ${p.max} characters (got "${p.got}")`,
    'zh-CN': (p: { max: number; got: string }) => `房号：请按门牌填写，例如 1502，最多 ${p.max} 个字符（实际为 "${p.got}"）`,
  },
  'tenant.idRequired': fixed(
    'ID number: is required (公民身份号码, or the number of a residence permit for Hong Kong, Macao and Taiwan residents)',
    '公民身份号码：必须填写（公民身份号码，或港澳台居民居住证号码）',
  ),
  'tenant.phoneRequired': fixed('phone: is required (a mobile number the grid worker can call)', '联系电话：必须填写（网格员能拨通的手机号码）'),
  'tenant.noBuilding': {
    en: (p: { code: string }) => `no current building has code ${p.code}: scan the building's QR code again, or ask the grid worker`,
    'zh-CN': (p: { code: string }) => `没有编码为 ${p.code} 的现有楼栋：请重新扫描楼栋二维码，或咨询网格员`,
  },
  'tenant.noRoom': {
    en: (p: Building & { unit: string; room: string; rooms: string; more: number }) =>
      `room: building ${p.code} (${p.name}) has no house at ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}${p.rooms ? `; its houses (unit-room): ${p.rooms}${p.more ? ', …' : ''}` : ': none is recorded yet, ask the grid worker to add yours'}`,
    'zh-CN': (p: Building & { unit: string; room: string; rooms: string; more: number }) =>
      `房号：楼栋 ${p.code}（${p.name}）没有 ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室${p.rooms ? `；现有房屋（单元-房号）：${p.rooms}${p.more ? '、…' : ''}` : '：还没有登记任何房屋，请联系网格员添加您的房屋'}`,
  },
  'tenant.pending': {
    en: (p: { code: string }) =>
      `ID number: a registration with this number for ${p.code ? `building ${p.code}` : 'this building'} was already submitted and awaits confirmation by the grid worker; there is no need to submit it again`,
    'zh-CN': (p: { code: string }) => `公民身份号码：${p.code ? `楼栋 ${p.code} ` : '本楼栋'}已有使用此号码提交的登记，正在等待网格员确认；无需重复提交`,
  },
  'tenant.decided': {
    en: (p: { status: string; by: string; at: string; confirming: number }) =>
      `registration: ${p.status} already (${p.by}, ${p.at}); only a PENDING one can be ${p.confirming ? 'confirmed' : 'rejected'}`,
    'zh-CN': (p: { status: string; by: string; at: string; confirming: number }) =>
      `登记：已经是 ${p.status}（${p.by}，${p.at}）；只有待确认（PENDING）的登记才能${p.confirming ? '确认' : '驳回'}`,
  },
  'tenant.version': {
    en: (p: { version: number; expected: number }) => `registration: at version ${p.version}, not ${p.expected}; reload it and decide again`,
    'zh-CN': (p: { version: number; expected: number }) => `登记：当前是第 ${p.version} 版，不是第 ${p.expected} 版；请重新加载后再处理`,
  },
  'tenant.buildingRetired': {
    en: (p: Building) => `registration: building ${p.code} (${p.name}) was retired; reject the registration`,
    'zh-CN': (p: Building) => `登记：楼栋 ${p.code}（${p.name}）已注销；请驳回此登记`,
  },
  'tenant.idRace': fixed(
    'ID number: registered by someone else at the same moment; confirm again (the person will be moved here)',
    '公民身份号码：同一时刻已被他人登记；请再次确认（此人将被迁到这里）',
  ),
  'tenant.householdRace': fixed('household: this 户号 was created at the same moment in another house; give another', '户：同一时刻另一套房屋已创建了这个户号；请换一个'),
  'tenant.noHouse': {
    en: (p: Building & { unit: string; room: string }) =>
      `house: building ${p.code} (${p.name}) has no current house at ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}; add it (createHouse) and confirm again, or reject the registration`,
    'zh-CN': (p: Building & { unit: string; room: string }) =>
      `房屋：楼栋 ${p.code}（${p.name}）没有 ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室这套现有房屋；请先添加（createHouse）再确认，或驳回此登记`,
  },
  'tenant.holderDeceased': fixed(
    "ID number: the registry records its holder as deceased; check the tenant's ID card, and reject the registration if the number is not theirs",
    '公民身份号码：登记系统中该号码的持有人已死亡；请核对租户的身份证，如号码不属于本人请驳回登记',
  ),
  'tenant.otherName': fixed(
    "ID number: the registry holds it under another name; check the tenant's ID card (if the registry is wrong, correct the person first with updatePerson, then confirm)",
    '公民身份号码：登记系统中该号码登记的是另一个姓名；请核对租户的身份证（如系统有误，请先用 updatePerson 更正后再确认）',
  ),
});
