import { defineMessages } from '../message';

/** The people import (POST /import/people, npm run import:people): its rows, its file, its parameters. */
export const personImportMessages = defineMessages({
  'import.gender': {
    en: (p: { got: string }) => `"${p.got}" is not a gender: 男 or 女`,
    'zh-CN': (p: { got: string }) => `"${p.got}" 不是有效的性别：应为 男 或 女`,
  },
  'import.residenceType': {
    en: (p: { got: string }) => `"${p.got}" is not a residence type: 户籍, 流动, 境外 or 未落户`,
    'zh-CN': (p: { got: string }) => `"${p.got}" 不是有效的人口类型：应为 户籍、流动、境外 或 未落户`,
  },
  'import.floatingOnly': {
    en: (p: { type: string }) => `only floating residents (人口类型 流动) have this; this row is ${p.type}: leave it empty`,
    'zh-CN': (p: { type: string }) => `只有流动人口（人口类型为 流动）才填写此项；本行是 ${p.type} 人口：请留空`,
  },
  'import.rounded': {
    en: (p: { shown: string }) => `"${p.shown}" was stored as a number and lost its last digits: format the column as text (文本) and type the numbers again`,
    'zh-CN': (p: { shown: string }) => `"${p.shown}" 被存成了数字，末几位已丢失：请把此列设置为"文本"格式后重新输入`,
  },
  'import.householdShape': {
    en: (p: { got: string }) => `"${p.got}": 1–32 letters, digits or hyphens`,
    'zh-CN': (p: { got: string }) => `"${p.got}"：户号应为 1–32 位字母、数字或连字符`,
  },
  'import.relationUnknown': {
    en: (p: { got: string; examples: string }) => `"${p.got}" is not a relation the import knows (${p.examples})`,
    'zh-CN': (p: { got: string; examples: string }) => `"${p.got}" 不是可识别的与户主关系（${p.examples}）`,
  },
  'import.relationEmpty': {
    en: (p: { examples: string }) => `is empty: with a 户号 each member's relation to the head is needed (${p.examples})`,
    'zh-CN': (p: { examples: string }) => `为空：填写了户号时，每位成员都需要填写与户主关系（${p.examples}）`,
  },
  'import.householdEmpty': {
    en: () => 'is empty: 与户主关系 relates a person to the head of a household, which needs its 户号',
    'zh-CN': () => '为空：与户主关系是相对某一户的户主而言的，需要填写该户的户号',
  },
  'import.buildingEmpty': {
    en: () => "is empty: the building's 16-digit code (楼栋编码) is needed",
    'zh-CN': () => '为空：需要填写16位楼栋编码',
  },
  'import.buildingShape': {
    en: (p: { got: string }) => `16 digits, as on the building's plate or QR code (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `应为楼栋门牌或二维码上的16位数字（实际为 "${p.got}"）`,
  },
  'import.unitShape': {
    en: (p: { got: string }) => `a unit number 1–100, or empty for a building without units (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `应为 1–100 的单元号，没有单元的楼栋留空（实际为 "${p.got}"）`,
  },
  'import.roomEmpty': { en: () => 'is empty: the room as written on the door, e.g. 1502', 'zh-CN': () => '为空：请按门牌填写房号，例如 1502' },
  'import.roomShape': {
    en: (p: { got: string }) => `the room as written on the door, e.g. 1502 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `请按门牌填写房号，例如 1502（实际为 "${p.got}"）`,
  },
  'import.alreadyRegistered': {
    en: (p: { who: string }) => `already registered${p.who ? ` (Person ${p.who})` : ''}: an import adds new residents; change or move this one with updatePerson or movePerson`,
    'zh-CN': (p: { who: string }) => `已经登记过${p.who ? `（Person ${p.who}）` : ''}：导入只新增人员；如需修改或迁移此人，请使用 updatePerson 或 movePerson`,
  },
  'import.noHead': {
    en: (p: { number: string }) => `户号 ${p.number} is a new household and no row of it is its head (户主): one member's 与户主关系 must be 户主`,
    'zh-CN': (p: { number: string }) => `户号 ${p.number} 是新的一户，但没有一行是户主：须有一名成员的与户主关系为"户主"`,
  },
  'import.sameId': {
    en: (p: { row: number }) => `the same ID number as row ${p.row}: one person, one row`,
    'zh-CN': (p: { row: number }) => `与第 ${p.row} 行的公民身份号码相同：一人只能占一行`,
  },
  'import.noBuilding': {
    en: (p: { code: string }) => `no current building has code ${p.code}`,
    'zh-CN': (p: { code: string }) => `没有编码为 ${p.code} 的现有楼栋`,
  },
  'import.noHouse': {
    en: (p: { code: string; unit: string; room: string }) => `building ${p.code} has no current house at ${p.unit ? `unit ${p.unit}, ` : ''}room ${p.room}`,
    'zh-CN': (p: { code: string; unit: string; room: string }) => `楼栋 ${p.code} 没有 ${p.unit ? `${p.unit} 单元 ` : ''}${p.room} 室这套现有房屋`,
  },
  'import.theBuilding': {
    en: (p: { code: string }) => `building ${p.code}`,
    'zh-CN': (p: { code: string }) => `楼栋 ${p.code}`,
  },
  'import.householdElsewhereInFile': {
    en: (p: { number: string; row: number }) => `户号 ${p.number} is given with another house on row ${p.row}; a household lives in one house`,
    'zh-CN': (p: { number: string; row: number }) => `户号 ${p.number} 在第 ${p.row} 行填的是另一套房屋；一户只能住在一套房屋`,
  },
  'import.headOnRow': {
    en: (p: { number: string; row: number }) => `户号 ${p.number} already has its head (户主) on row ${p.row}: one head per household`,
    'zh-CN': (p: { number: string; row: number }) => `户号 ${p.number} 在第 ${p.row} 行已有户主：一户只能有一名户主`,
  },
  'import.headKnown': {
    en: (p: { number: string }) => `户号 ${p.number} already has a head (户主), registered before or on an earlier row of this file: one head per household`,
    'zh-CN': (p: { number: string }) => `户号 ${p.number} 已有户主（此前已登记，或在本文件前面的行中）：一户只能有一名户主`,
  },
  'import.householdElsewhere': {
    en: (p: { number: string; address: string }) =>
      `户号 ${p.number} is a household of another house (${p.address}); a household lives in one house: give this row's house, or another 户号`,
    'zh-CN': (p: { number: string; address: string }) =>
      `户号 ${p.number} 属于另一套房屋（${p.address}）；一户只能住在一套房屋：请填写本行的房屋，或换一个户号`,
  },
  'import.householdRace': {
    en: (p: { number: string }) => `户号 ${p.number} was created by someone else while this import ran; run the import again`,
    'zh-CN': (p: { number: string }) => `导入期间户号 ${p.number} 已被他人创建；请重新导入`,
  },

  // The file as a whole
  'import.mappingShape': {
    en: () => 'the mapping must be a JSON object of header → field, e.g. {"证件号码": "idNumber", "住址楼栋": "buildingCode"}',
    'zh-CN': () => 'mapping 必须是"表头 → 字段"的 JSON 对象，例如 {"证件号码": "idNumber", "住址楼栋": "buildingCode"}',
  },
  'import.mappingFields': {
    en: (p: { bad: string; fields: string }) => `the mapping names no such field for ${p.bad}; the fields are ${p.fields}`,
    'zh-CN': (p: { bad: string; fields: string }) => `mapping 中 ${p.bad} 对应的字段不存在；可用字段为 ${p.fields}`,
  },
  'import.columnsMissing': {
    en: (p: { columns: string }) => `the file has no column ${p.columns}`,
    'zh-CN': (p: { columns: string }) => `文件缺少列：${p.columns}`,
  },
  'import.columnsTwice': {
    en: (p: { pairs: string }) => `two columns stand for the same field: ${p.pairs}`,
    'zh-CN': (p: { pairs: string }) => `有两列对应同一个字段：${p.pairs}`,
  },
  'import.columnPair': {
    en: (p: { first: string; second: string; field: string }) => `"${p.first}" and "${p.second}" (both ${p.field})`,
    'zh-CN': (p: { first: string; second: string; field: string }) => `"${p.first}" 和 "${p.second}"（都是 ${p.field}）`,
  },
  'import.headerProblems': {
    en: (p: { problems: string; seen: string }) => `${p.problems} (its header row: ${p.seen || 'empty'}); name the columns as in 实有人口登记表, or give a mapping of header → field`,
    'zh-CN': (p: { problems: string; seen: string }) => `${p.problems}（表头行：${p.seen || '空'}）；请按《实有人口登记表》命名各列，或提供"表头 → 字段"的 mapping`,
  },
  'import.empty': { en: () => 'the file is empty', 'zh-CN': () => '文件是空的' },
  'import.xls': {
    en: () => 'this is an .xls file (Excel 97–2003), which is not read: save it as .xlsx (Excel 工作簿) or as CSV',
    'zh-CN': () => '这是 .xls 文件（Excel 97–2003），无法读取：请另存为 .xlsx（Excel 工作簿）或 CSV',
  },
  'import.utf16': {
    en: () => 'this is a UTF-16 text file ("Unicode 文本"): save it as CSV UTF-8 (逗号分隔) or as CSV',
    'zh-CN': () => '这是 UTF-16 文本文件（"Unicode 文本"）：请另存为 CSV UTF-8（逗号分隔）或 CSV',
  },
  'import.csvUnreadable': {
    en: (p: { row: number; reason: string }) => `the CSV cannot be read after row ${p.row}: ${p.reason}`,
    'zh-CN': (p: { row: number; reason: string }) => `CSV 文件第 ${p.row} 行之后无法读取：${p.reason}`,
  },
  'import.xlsxUnreadable': {
    en: (p: { reason: string }) => `the XLSX file cannot be read: ${p.reason}`,
    'zh-CN': (p: { reason: string }) => `XLSX 文件无法读取：${p.reason}`,
  },
  'import.noWorksheet': { en: () => 'the XLSX file has no worksheet', 'zh-CN': () => 'XLSX 文件中没有工作表' },
  'import.noRows': { en: () => 'the file holds no rows: not even a header row', 'zh-CN': () => '文件中没有任何行，连表头行也没有' },

  // POST /import/people's parameters
  'import.contentType': {
    en: (p: { xlsx: string; got: string }) => `send the file as the request body, Content-Type text/csv or ${p.xlsx} (got "${p.got || 'none'}")`,
    'zh-CN': (p: { xlsx: string; got: string }) => `请把文件作为请求体发送，Content-Type 为 text/csv 或 ${p.xlsx}（实际为 "${p.got || '无'}"）`,
  },
  'import.reasonLength': { en: () => 'reason is at most 500 characters', 'zh-CN': () => 'reason 最多 500 个字符' },
  'import.dryRun': {
    en: (p: { got: string }) => `dryRun must be true or false (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `dryRun 必须是 true 或 false（实际为 "${p.got}"）`,
  },
  'import.encoding': {
    en: (p: { got: string }) => `encoding must be utf-8 or gbk (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `encoding 必须是 utf-8 或 gbk（实际为 "${p.got}"）`,
  },
  'import.mappingJson': {
    en: (p: { detail: string }) => `mapping: not JSON (${p.detail})`,
    'zh-CN': (p: { detail: string }) => `mapping 不是 JSON（${p.detail}）`,
  },
  'import.mapping': {
    en: (p: { detail: string }) => `mapping: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `mapping：${p.detail}`,
  },
});
