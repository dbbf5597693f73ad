import { defineMessages, fixed } from '../message';

type House = { code: string; unit: string; room: string };
const houseEn = (p: House) => `building ${p.code}, ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}`;
const houseZh = (p: House) => `楼栋 ${p.code} ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室`;

/** Registering, changing and moving people; their houses and households (src/modules/person/edit-service.ts, household.ts). */
export const personEditMessages = defineMessages({
  'personEdit.idRace': fixed('ID number: the person holding it changed meanwhile; try again', '公民身份号码：持有该号码的人员信息刚刚被修改；请重试'),
  'personEdit.nothing': {
    en: (p: { fields: string }) => `nothing to change: give at least one of ${p.fields}`,
    'zh-CN': (p: { fields: string }) => `没有要修改的内容：请至少给出 ${p.fields} 中的一项`,
  },
  'personEdit.storedId': {
    en: (p: { detail: string }) => `the stored ID number disagrees: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `与已登记的公民身份号码不一致：${p.detail}`,
  },
  'personEdit.noHousehold': fixed('relation to head: this person belongs to no household; give input.household too', '与户主关系：此人不属于任何一户；请同时给出 input.household'),
  'personEdit.hasHead': fixed('relation to head: the household already has a head; change theirs first', '与户主关系：该户已有户主；请先修改现户主的关系'),
  'personEdit.dated': {
    en: (p: { what: string; detail: string }) => `${p.what}: ${p.detail}`,
    'zh-CN': (p: { what: string; detail: string }) => `${p.what}：${p.detail}`,
  },
  'personEdit.movedOn': fixed('moved-on date', '迁入日期'),
  'personEdit.movedOutOn': fixed('moved-out date', '迁出日期'),
  'personEdit.deceasedOn': fixed('date of death', '死亡日期'),
  'personEdit.since': fixed('since', '起始日期'),
  'personEdit.deceasedNoMove': fixed('this person is recorded as deceased and cannot move', '此人已登记为死亡，不能迁移'),
  'personEdit.sameHouse': {
    en: (p: House) => `house: this person already lives in ${houseEn(p)}`,
    'zh-CN': (p: House) => `房屋：此人已住在${houseZh(p)}`,
  },
  'personEdit.beforeMovedIn': {
    en: (p: { date: string; movedIn: string }) => `moved-on date: ${p.date} is before they moved into their current house (${p.movedIn})`,
    'zh-CN': (p: { date: string; movedIn: string }) => `迁入日期：${p.date} 早于此人入住现房屋的日期（${p.movedIn}）`,
  },
  'personEdit.notLiving': {
    en: (p: { deceased: number }) => `this person is ${p.deceased ? 'recorded as deceased' : 'already moved out'}`,
    'zh-CN': (p: { deceased: number }) => `此人${p.deceased ? '已登记为死亡' : '已经迁出'}`,
  },
  'personEdit.alreadyDeceased': fixed('this person is already recorded as deceased', '此人已经登记为死亡'),
  'personEdit.ownerId': {
    en: (p: { got: string }) => `owner: "${p.got}" is not a Person id`,
    'zh-CN': (p: { got: string }) => `产权人："${p.got}" 不是 Person 的 id`,
  },
  'personEdit.owners': {
    en: (p: { max: number; got: number }) => `owners: at most ${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `产权人：最多 ${p.max} 名（实际 ${p.got} 名）`,
  },
  'personEdit.noOwner': {
    en: (p: { id: string }) => `owner: no person has id ${p.id}`,
    'zh-CN': (p: { id: string }) => `产权人：没有 id 为 ${p.id} 的人员`,
  },
  'personEdit.ownerOutside': fixed('owner: this person lives outside your jurisdiction', '产权人：此人住在您的管辖范围之外'),
  'personEdit.erased': fixed(
    'this person was erased (PIPL art. 47): only an anonymous record remains, which cannot be edited',
    '此人的个人信息已删除（《个人信息保护法》第四十七条）：只保留了匿名记录，不能再修改',
  ),
  'personEdit.idDeceased': {
    en: (p: { where: string }) => `ID number: registered to a person recorded as deceased (${p.where})`,
    'zh-CN': (p: { where: string }) => `公民身份号码：已登记在一名已死亡人员名下（${p.where}）`,
  },
  'personEdit.idTaken': {
    en: (p: { where: string }) =>
      `ID number: already registered to a person living in ${p.where}; one person, one record: have them moved out there first, or ask a dispatcher to move them (movePerson)`,
    'zh-CN': (p: { where: string }) => `公民身份号码：已登记在住在${p.where}的人员名下；一人只能有一条记录：请先在那里办理迁出，或请调度员迁移此人（movePerson）`,
  },
  'personEdit.holderWhere': {
    en: (p: { code: string; grid: string }) => `building ${p.code}${p.grid ? ` (grid ${p.grid})` : ''}`,
    'zh-CN': (p: { code: string; grid: string }) => `楼栋 ${p.code}${p.grid ? `（网格 ${p.grid}）` : ''}`,
  },
  'personEdit.noHouse': {
    en: (p: House & { rooms: string; more: number }) =>
      `house: building ${p.code} has no current house at ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}${p.rooms ? ` (its houses, unit-room: ${p.rooms}${p.more ? ', …' : ''})` : ' (it has no houses yet: add them with createHouse)'}`,
    'zh-CN': (p: House & { rooms: string; more: number }) =>
      `房屋：楼栋 ${p.code} 没有 ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室这套现有房屋${p.rooms ? `（现有房屋，单元-房号：${p.rooms}${p.more ? '、…' : ''}）` : '（还没有任何房屋：请用 createHouse 添加）'}`,
  },
  'personEdit.noBuilding': {
    en: (p: { code: string }) => `house: no current building has code ${p.code}`,
    'zh-CN': (p: { code: string }) => `房屋：没有编码为 ${p.code} 的现有楼栋`,
  },
  'personEdit.idRaceRegister': fixed('ID number: registered by someone else at the same moment; look the person up and try again', '公民身份号码：同一时刻已被他人登记；请查询此人后重试'),
  'personEdit.headRace': fixed('relation to head: another head was recorded for this household at the same moment', '与户主关系：同一时刻该户已登记了另一名户主'),
  'personEdit.householdRace': fixed('household: this 户号 was created at the same moment in another house; try again', '户：同一时刻另一套房屋已创建了这个户号；请重试'),
  'personEdit.houseBoth': fixed('house: give houseId, or buildingCode + unit + room, not both', '房屋：请给出 houseId，或 buildingCode + unit + room，不能同时给出'),
  'personEdit.houseId': {
    en: (p: { got: string }) => `house: "${p.got}" is not a House id`,
    'zh-CN': (p: { got: string }) => `房屋："${p.got}" 不是 House 的 id`,
  },
  'personEdit.houseNeither': fixed('house: give houseId, or buildingCode + unit + room', '房屋：请给出 houseId，或 buildingCode + unit + room'),
  'personEdit.buildingCode': {
    en: (p: { got: string }) => `building code: 16 digits, as on the building's plate or QR code (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `楼栋编码：应为楼栋门牌或二维码上的16位数字（实际为 "${p.got}"）`,
  },
  'personEdit.roomRequired': fixed('room: required with buildingCode', '房号：给出 buildingCode 时必须填写'),
  'personEdit.room': {
    en: (p: { got: string }) => `room: as written on the door, e.g. 1502 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `房号：请按门牌填写，例如 1502（实际为 "${p.got}"）`,
  },
  'household.relationAlone': fixed('relation to head: give input.household (the household it relates to) too', '与户主关系：请同时给出 input.household（所相对的那一户）'),
  'household.noId': {
    en: (p: { id: string }) => `household: no household has id ${p.id}`,
    'zh-CN': (p: { id: string }) => `户：没有 id 为 ${p.id} 的户`,
  },
  'household.firstIsHead': fixed(
    'relation to head: the first member of a new household is its head; leave relationToHead out (or give HEAD), or join an existing household',
    '与户主关系：新户的第一名成员就是户主；请不填 relationToHead（或填 HEAD），或加入已有的户',
  ),
  'household.otherHouse': {
    en: (p: { number: string }) => `household: 户号 ${p.number} lives in another house; a household has one house (move the household's members, or give a new number)`,
    'zh-CN': (p: { number: string }) => `户：户号 ${p.number} 住在另一套房屋；一户只能住一套房屋（请迁移该户成员，或换一个新户号）`,
  },
  'household.hasHead': {
    en: (p: { number: string }) => `relation to head: household ${p.number} already has a head; give this person's relation to them`,
    'zh-CN': (p: { number: string }) => `与户主关系：户 ${p.number} 已有户主；请填写此人与户主的关系`,
  },
  'household.relationNeeded': {
    en: (p: { number: string }) => `relation to head: joining household ${p.number} needs this person's relation to its head (SPOUSE, CHILD, ...)`,
    'zh-CN': (p: { number: string }) => `与户主关系：加入户 ${p.number} 需要填写此人与户主的关系（SPOUSE 配偶、CHILD 子女……）`,
  },
  'household.oneOf': fixed('household: give householdId (an existing one) or number (户号), one of them', '户：householdId（已有的户）和 number（户号）必须且只能给出一个'),
  'household.number': {
    en: (p: { got: string }) => `household number (户号): 1–32 letters, digits or hyphens (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `户号：应为 1–32 位字母、数字或连字符（实际为 "${p.got}"）`,
  },
});
