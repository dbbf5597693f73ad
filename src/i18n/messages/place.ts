import { defineMessages, fixed } from '../message';


/** Places (src/modules/place/): buildings, houses, key places; their names, codes, positions and shapes. */
export const placeMessages = defineMessages({
  'place.field': {
    en: (p: { field: string; detail: string }) => `${p.field}: ${p.detail}`,
    'zh-CN': (p: { field: string; detail: string }) => `${p.field}：${p.detail}`,
  },
  'place.name': {
    en: (p: { field: string; issue: string; what: string }) => `${p.field}: ${p.issue} (give the ${p.what}'s name as signposted)`,
    'zh-CN': (p: { field: string; issue: string; what: string }) => `${p.field}：${p.issue}（请按标牌上的${p.what}名称填写）`,
  },
  'place.building': fixed('building', '楼栋'),
  'place.place': fixed('place', '场所'),
  'place.floors': fixed('the number of floors', '楼层数'),
  'place.units': fixed('the number of units', '单元数'),
  'place.unit': fixed('the unit', '单元号'),
  'place.floor': fixed('the floor', '楼层'),
  'place.range': {
    en: (p: { field: string; what: string; min: number; max: number; got: number }) => `${p.field}: ${p.what} must be ${p.min}–${p.max} (got ${p.got})`,
    'zh-CN': (p: { field: string; what: string; min: number; max: number; got: number }) => `${p.field}：${p.what}应为 ${p.min}–${p.max}（实际为 ${p.got}）`,
  },
  'place.tooManyVertices': {
    en: (p: { footprint: number; vertices: number; max: number }) => `the ${p.footprint ? 'footprint' : 'area'} has ${p.vertices} vertices; the limit is ${p.max} (simplify the ${p.footprint ? 'footprint' : 'area'})`,
    'zh-CN': (p: { footprint: number; vertices: number; max: number }) => `${p.footprint ? '占地轮廓' : '范围'}有 ${p.vertices} 个顶点；上限为 ${p.max}（请简化${p.footprint ? '占地轮廓' : '范围'}）`,
  },
  'place.notPolygon': {
    en: (p: { footprint: number; detail: string }) => `${p.footprint ? 'a footprint' : 'an area'} must be a GeoJSON Polygon or MultiPolygon: ${p.detail}`,
    'zh-CN': (p: { footprint: number; detail: string }) => `${p.footprint ? '占地轮廓' : '范围'}必须是 GeoJSON Polygon 或 MultiPolygon：${p.detail}`,
  },
  'place.postgisFailed': {
    en: (p: { field: string }) => `${p.field}: PostGIS could not process this shape; check it in a GIS and redraw it`,
    'zh-CN': (p: { field: string }) => `${p.field}：PostGIS 无法处理此形状；请在 GIS 软件中检查并重新绘制`,
  },
  'place.crossing': {
    en: (p: { field: string; at: string; reason: string }) => `${p.field}: rings cross each other or themselves${p.at ? ` at ${p.at}` : ''} (PostGIS: ${p.reason})`,
    'zh-CN': (p: { field: string; at: string; reason: string }) => `${p.field}：环相互交叉或自相交${p.at ? `，位置 ${p.at}` : ''}（PostGIS：${p.reason}）`,
  },
  'place.invalidShape': {
    en: (p: { field: string; at: string; reason: string }) => `${p.field}: the shape is invalid${p.at ? ` at ${p.at}` : ''}: ${p.reason}`,
    'zh-CN': (p: { field: string; at: string; reason: string }) => `${p.field}：形状无效${p.at ? `，位置 ${p.at}` : ''}：${p.reason}`,
  },
  'place.itShape': fixed('it', '该形状'),
  'place.buildingFootprint': fixed("the building's footprint", '楼栋的占地轮廓'),
  'place.placeArea': fixed("the place's area", '场所的范围'),
  'place.outsideShape': {
    en: (p: { field: string; lng: string; lat: string; meters: string; shape: string }) =>
      `${p.field}: the position ${p.lng}, ${p.lat} lies ${p.meters} m outside ${p.shape}; put the position inside the shape or redraw the shape`,
    'zh-CN': (p: { field: string; lng: string; lat: string; meters: string; shape: string }) =>
      `${p.field}：位置 ${p.lng}, ${p.lat} 在${p.shape}之外 ${p.meters} 米；请把位置放在形状之内，或重新绘制形状`,
  },
  'place.position': {
    en: (p: { lng: string; lat: string }) => `the position ${p.lng}, ${p.lat}`,
    'zh-CN': (p: { lng: string; lat: string }) => `位置 ${p.lng}, ${p.lat}`,
  },
  'place.inCommunity': { en: (p: { community: string }) => `in ${p.community}`, 'zh-CN': (p: { community: string }) => `位于 ${p.community}` },
  'place.inNoCommunity': {
    en: (p: { code: string }) => `in grid ${p.code}, which is in no community`,
    'zh-CN': (p: { code: string }) => `位于网格 ${p.code}，它不属于任何社区`,
  },
  'place.nowhere': fixed('outside every grid (more than 100 m from the nearest)', '不在任何网格内（离最近的网格超过 100 米）'),
  'place.movedOutOfCommunity': {
    en: (p: { position: string; where: string; code: string }) =>
      `location: ${p.position} lies ${p.where}, outside the community the building is registered in (its code ${p.code} says which): retire it and register it anew there`,
    'zh-CN': (p: { position: string; where: string; code: string }) =>
      `location：${p.position} ${p.where}，在楼栋登记所在的社区之外（由其编码 ${p.code} 确定）：请注销此楼栋，并在新社区重新登记`,
  },
  'place.noCommunity': {
    en: (p: { position: string; where: string }) => `location: ${p.position} lies ${p.where}; a building is registered in the community it stands in`,
    'zh-CN': (p: { position: string; where: string }) => `location：${p.position} ${p.where}；楼栋须登记在它所在的社区`,
  },
  'place.notInCommunity': {
    en: (p: { position: string; where: string; community: string }) => `location: ${p.position} lies ${p.where}, not in ${p.community}; correct the position or the community`,
    'zh-CN': (p: { position: string; where: string; community: string }) => `location：${p.position} ${p.where}，不在 ${p.community} 内；请更正位置或社区`,
  },
  'place.notACommunity': {
    en: (p: { grid: string; level: string }) => `communityId: ${p.grid} is a ${p.level}, not a COMMUNITY`,
    'zh-CN': (p: { grid: string; level: string }) => `communityId：${p.grid} 是 ${p.level}，不是社区（COMMUNITY）`,
  },
  'place.noGridId': {
    en: (p: { field: string }) => `${p.field}: no current grid has this id`,
    'zh-CN': (p: { field: string }) => `${p.field}：没有这个 id 的现有网格`,
  },
  'place.dependants': {
    en: (p: { code: string; name: string; houses: number; facilities: number }) =>
      `building ${p.code} (${p.name}) still has ${[p.houses ? `${p.houses} current house(s)` : '', p.facilities ? `${p.facilities} current facilit${p.facilities === 1 ? 'y' : 'ies'}` : ''].filter(Boolean).join(' and ')}; retire them (or move the facilities) first`,
    'zh-CN': (p: { code: string; name: string; houses: number; facilities: number }) =>
      `楼栋 ${p.code}（${p.name}）还有${[p.houses ? ` ${p.houses} 套现有房屋` : '', p.facilities ? ` ${p.facilities} 个现有设施` : ''].filter(Boolean).join('和')}；请先注销它们（或把设施移走）`,
  },
  'place.codeShape': {
    en: (p: { got: string }) => `code: a building code is 16 digits, its community's 12-digit code and a 4-digit number (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `code：楼栋编码为16位数字，即所在社区的12位编码加4位序号（实际为 "${p.got}"）`,
  },
  'place.codeRange': {
    en: (p: { code: string; community: string; range: string }) => `code: ${p.code} is not a code of ${p.community}: its buildings are coded ${p.range}`,
    'zh-CN': (p: { code: string; community: string; range: string }) => `code：${p.code} 不是 ${p.community} 的编码：该社区楼栋的编码范围为 ${p.range}`,
  },
  'place.codeRetired': {
    en: (p: { code: string; holder: string }) => `code: ${p.code} belonged to ${p.holder}, now retired; building codes are never reused`,
    'zh-CN': (p: { code: string; holder: string }) => `code：${p.code} 原属于已注销的 ${p.holder}；楼栋编码永不重复使用`,
  },
  'place.codeTaken': {
    en: (p: { code: string; holder: string }) => `code: ${p.code} is already the code of ${p.holder}`,
    'zh-CN': (p: { code: string; holder: string }) => `code：${p.code} 已是 ${p.holder} 的编码`,
  },
  'place.codesExhausted': {
    en: (p: { community: string; range: string }) =>
      `code: all 9999 codes of ${p.community} (${p.range}) have been used, retired buildings' included (codes are never reused): no building can be registered in this community any more`,
    'zh-CN': (p: { community: string; range: string }) => `code：${p.community} 的全部 9999 个编码（${p.range}）都已用过（含已注销楼栋，编码永不重复使用）：此社区无法再登记楼栋`,
  },
  'place.floorsInUse': {
    en: (p: { code: string; max: number }) => `floors: building ${p.code} has houses on floor ${p.max}; give at least ${p.max} floors`,
    'zh-CN': (p: { code: string; max: number }) => `floors：楼栋 ${p.code} 在第 ${p.max} 层有房屋；楼层数至少应为 ${p.max}`,
  },
  'place.unitsInUse': {
    en: (p: { code: string; max: number }) => `units: building ${p.code} has houses in unit ${p.max}; give at least ${p.max} units`,
    'zh-CN': (p: { code: string; max: number }) => `units：楼栋 ${p.code} 在 ${p.max} 单元有房屋；单元数至少应为 ${p.max}`,
  },
  'place.codeRace': {
    en: (p: { code: string; holder: string }) => `code: ${p.code} was taken by ${p.holder} while this edit ran; try again`,
    'zh-CN': (p: { code: string; holder: string }) => `code：本次编辑期间 ${p.code} 已被 ${p.holder} 占用；请重试`,
  },
  'place.buildingNothing': fixed('nothing to change: give a new name, address, kind, floors, units, location or footprint', '没有要修改的内容：请给出新的名称、地址、类型、楼层数、单元数、位置或占地轮廓'),
  'place.houseNothing': fixed('nothing to change: give a new unit, floor, room, areaSqm or use', '没有要修改的内容：请给出新的单元、楼层、房号、面积或用途'),
  'place.keyPlaceNothing': fixed('nothing to change: give a new name, kind, address, location, area, organizationId or dedicatedGridId', '没有要修改的内容：请给出新的名称、类型、地址、位置、范围、organizationId 或 dedicatedGridId'),
  'place.residents': {
    en: (p: { room: string; residents: number }) => `house ${p.room}: ${p.residents} resident(s) live in it; move them out or to another house (movePersonOut, movePerson) before retiring it`,
    'zh-CN': (p: { room: string; residents: number }) => `房屋 ${p.room}：还住着 ${p.residents} 人；注销前请先将他们迁出或迁到其他房屋（movePersonOut、movePerson）`,
  },
  'place.room': {
    en: (p: { max: number; got: string }) => `room: 1–${p.max} characters as written on the door, e.g. 1502 (got "${p.got}")`,
    'zh-CN': (p: { max: number; got: string }) => `room：请按门牌填写 1–${p.max} 个字符的房号，例如 1502（实际为 "${p.got}"）`,
  },
  'place.area': {
    en: (p: { max: string; got: number }) => `areaSqm: the floor area in m², more than 0 and at most ${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: string; got: number }) => `areaSqm：建筑面积（平方米）应大于 0 且不超过 ${p.max}（实际为 ${p.got}）`,
  },
  'place.noSuchUnit': {
    en: (p: { code: string; name: string; has: number; got: number }) => `unit: building ${p.code} (${p.name}) has ${p.has} unit(s), not ${p.got}`,
    'zh-CN': (p: { code: string; name: string; has: number; got: number }) => `unit：楼栋 ${p.code}（${p.name}）只有 ${p.has} 个单元，没有 ${p.got} 单元`,
  },
  'place.noSuchFloor': {
    en: (p: { code: string; name: string; has: number; got: number }) => `floor: building ${p.code} (${p.name}) has ${p.has} floor(s), not ${p.got}`,
    'zh-CN': (p: { code: string; name: string; has: number; got: number }) => `floor：楼栋 ${p.code}（${p.name}）只有 ${p.has} 层，没有第 ${p.got} 层`,
  },
  'place.roomTaken': {
    en: (p: { code: string; name: string; unit: string; room: string }) => `room: building ${p.code} (${p.name}) already has a house at ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}`,
    'zh-CN': (p: { code: string; name: string; unit: string; room: string }) => `room：楼栋 ${p.code}（${p.name}）已有 ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室`,
  },
  'place.noOrganization': fixed('organizationId: no current organisation has this id', 'organizationId：没有这个 id 的现有组织'),
  'place.notDedicated': {
    en: (p: { grid: string; level: string }) => `dedicatedGridId: ${p.grid} is a ${p.level} grid; a key place is linked to a DEDICATED grid drawn for it`,
    'zh-CN': (p: { grid: string; level: string }) => `dedicatedGridId：${p.grid} 是 ${p.level} 网格；重点场所只能关联为它划定的专属网格（DEDICATED）`,
  },
  'place.theDedicatedGrid': { en: (p: { grid: string }) => `the dedicated grid ${p.grid}`, 'zh-CN': (p: { grid: string }) => `专属网格 ${p.grid}` },
  'place.movedFromDedicated': {
    en: (p: { position: string; meters: string; grid: string; max: number }) =>
      `location: ${p.position} lies ${p.meters} m from the dedicated grid ${p.grid} the place is linked to; a dedicated grid covers its place (or lies within ${p.max} m): move it less far, or change or unlink the dedicated grid`,
    'zh-CN': (p: { position: string; meters: string; grid: string; max: number }) =>
      `location：${p.position} 距离场所关联的专属网格 ${p.grid} ${p.meters} 米；专属网格应覆盖其场所（或在 ${p.max} 米以内）：请少移一些，或更换、取消关联的专属网格`,
  },
  'place.dedicatedFar': {
    en: (p: { position: string; meters: string; grid: string; max: number }) =>
      `dedicatedGridId: ${p.position} lies ${p.meters} m from the dedicated grid ${p.grid}; a dedicated grid covers the place it is drawn for (or lies within ${p.max} m): link the one drawn around this place`,
    'zh-CN': (p: { position: string; meters: string; grid: string; max: number }) =>
      `dedicatedGridId：${p.position} 距离专属网格 ${p.grid} ${p.meters} 米；专属网格应覆盖为之划定的场所（或在 ${p.max} 米以内）：请关联围绕此场所划定的专属网格`,
  },
  'place.buildingIdOrCode': fixed('building needs exactly one of id or code', 'building 需要且只需要 id 或 code 其中之一'),
  'place.buildingCode': {
    en: (p: { got: string }) => `code is a 16-digit building code (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `code 应为16位楼栋编码（实际为 "${p.got}"）`,
  },
  'place.gridOnce': {
    en: (p: { field: string }) => `give the grid once: ${p.field} lists that grid's subtree; leave out filter.gridId and filter.gridCode`,
    'zh-CN': (p: { field: string }) => `网格只需给出一次：${p.field} 已列出该网格及其下级；请去掉 filter.gridId 和 filter.gridCode`,
  },
  'place.houseCursor': {
    en: (p: { got: string }) => `after is not a cursor of Building.houses (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `after 不是 Building.houses 返回的游标（实际为 "${p.got}"）`,
  },
});
