import { defineMessages } from '../message';

/**
 * The command-line tools' output (npm run import, npm run import:people), in the language of LC_ALL /
 * LC_MESSAGES / LANG when it names zh or en, else DEFAULT_LOCALE (config.cliLocale).
 */
export const cliMessages = defineMessages({
  'cli.written': { en: () => 'written', 'zh-CN': () => '已写入' },
  'cli.dryRun': { en: () => 'dry run: nothing written', 'zh-CN': () => '试运行：未写入任何数据' },
  'cli.refused': { en: () => 'refused: nothing written', 'zh-CN': () => '已拒绝：未写入任何数据' },
  'cli.noSuchFile': { en: (p: { file: string }) => `no such file: ${p.file}`, 'zh-CN': (p: { file: string }) => `文件不存在：${p.file}` },
  'cli.gridCode': {
    en: (p: { got: string }) => `--grid must be a grid code such as 130105001 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `--grid 必须是网格编码，例如 130105001（实际为 "${p.got}"）`,
  },
  'cli.noGrid': {
    en: (p: { grid: string }) => `--grid ${p.grid} is not the code of a current grid`,
    'zh-CN': (p: { grid: string }) => `--grid ${p.grid} 不是现有网格的编码`,
  },
  'cli.usage': { en: (p: { usage: string }) => `usage: ${p.usage}`, 'zh-CN': (p: { usage: string }) => `用法：${p.usage}` },

  // npm run import:people
  'cli.people.file': { en: () => 'give the CSV or XLSX file to import', 'zh-CN': () => '请给出要导入的 CSV 或 XLSX 文件' },
  'cli.people.threads': {
    en: (p: { got: string }) => `--threads must be a whole number 0–64 (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `--threads 必须是 0–64 的整数（实际为 "${p.got}"）`,
  },
  'cli.people.encoding': {
    en: (p: { got: string }) => `--encoding must be utf-8 or gbk (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `--encoding 必须是 utf-8 或 gbk（实际为 "${p.got}"）`,
  },
  'cli.people.noMapping': { en: (p: { file: string }) => `no such mapping file: ${p.file}`, 'zh-CN': (p: { file: string }) => `映射文件不存在：${p.file}` },
  'cli.people.mappingJson': {
    en: (p: { file: string; detail: string }) => `the mapping file ${p.file} is not JSON: ${p.detail}`,
    'zh-CN': (p: { file: string; detail: string }) => `映射文件 ${p.file} 不是 JSON：${p.detail}`,
  },
  'cli.people.progress': {
    en: (p: { rows: number; refused: number; seconds: string; rate: number }) => `checked ${p.rows} rows (${p.refused} refused) in ${p.seconds} s, ${p.rate} rows/s`,
    'zh-CN': (p: { rows: number; refused: number; seconds: string; rate: number }) => `已检查 ${p.rows} 行（拒绝 ${p.refused} 行），用时 ${p.seconds} 秒，每秒 ${p.rate} 行`,
  },
  'cli.people.summary': {
    en: (p: { verdict: string; source: string; rows: number; seconds: string; rate: number; accepted: number; refused: number; households: number }) =>
      `${p.verdict} — ${p.source}: ${p.rows} rows in ${p.seconds} s (${p.rate} rows/s): ${p.accepted} accepted, ${p.refused} refused; ${p.households} new households`,
    'zh-CN': (p: { verdict: string; source: string; rows: number; seconds: string; rate: number; accepted: number; refused: number; households: number }) =>
      `${p.verdict} — ${p.source}：共 ${p.rows} 行，用时 ${p.seconds} 秒（每秒 ${p.rate} 行）：通过 ${p.accepted} 行，拒绝 ${p.refused} 行；新建 ${p.households} 户`,
  },
  'cli.people.ignored': { en: (p: { columns: string }) => `  columns ignored: ${p.columns}`, 'zh-CN': (p: { columns: string }) => `  未读取的列：${p.columns}` },
  'cli.people.problem': {
    en: (p: { row: number; column: string; message: string }) => `  row ${p.row}, column ${p.column}: ${p.message}`,
    'zh-CN': (p: { row: number; column: string; message: string }) => `  第 ${p.row} 行，"${p.column}"列：${p.message}`,
  },
  'cli.people.more': {
    en: (p: { count: number; inReport: number }) => `  … and ${p.count} more problems${p.inReport ? ' (--report file.json lists the first 1,000)' : ''}`,
    'zh-CN': (p: { count: number; inReport: number }) => `  … 另有 ${p.count} 个问题${p.inReport ? '（--report file.json 可列出前 1,000 个）' : ''}`,
  },

  // npm run import (grids)
  'cli.grids.file': { en: () => 'give the GeoJSON file to import', 'zh-CN': () => '请给出要导入的 GeoJSON 文件' },
  'cli.grids.level': { en: (p: { levels: string }) => `--level must be one of ${p.levels}`, 'zh-CN': (p: { levels: string }) => `--level 必须是 ${p.levels} 之一` },
  'cli.grids.mode': { en: () => '--mode must be CREATE or UPSERT', 'zh-CN': () => '--mode 必须是 CREATE 或 UPSERT' },
  'cli.grids.crs': { en: () => '--crs must be WGS84, GCJ02 or BD09', 'zh-CN': () => '--crs 必须是 WGS84、GCJ02 或 BD09' },
  'cli.grids.snap': {
    en: (p: { got: string }) => `--snap-meters must be a number of metres, 0 or more (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `--snap-meters 必须是不小于 0 的米数（实际为 "${p.got}"）`,
  },
  'cli.grids.fileError': {
    en: (p: { code: string; message: string }) => `${p.code}: ${p.message}; nothing was written`,
    'zh-CN': (p: { code: string; message: string }) => `${p.code}：${p.message}；未写入任何数据`,
  },
  'cli.grids.progress': {
    en: (p: { total: number; refused: number; seconds: string }) => `checked ${p.total} features (${p.refused} refused) in ${p.seconds} s`,
    'zh-CN': (p: { total: number; refused: number; seconds: string }) => `已检查 ${p.total} 个要素（拒绝 ${p.refused} 个），用时 ${p.seconds} 秒`,
  },
  'cli.grids.summary': {
    en: (p: { verdict: string; seconds: string; total: number; created: number; updated: number; unchanged: number; refused: number; moved: number; kinds: string }) =>
      `${p.verdict} in ${p.seconds} s — ${p.total} features: ${p.created} create, ${p.updated} update, ${p.unchanged} unchanged, ${p.refused} refused; ${p.moved} located records re-resolved${p.kinds ? ` (${p.kinds})` : ''}`,
    'zh-CN': (p: { verdict: string; seconds: string; total: number; created: number; updated: number; unchanged: number; refused: number; moved: number; kinds: string }) =>
      `${p.verdict}，用时 ${p.seconds} 秒 — 共 ${p.total} 个要素：新建 ${p.created} 个，更新 ${p.updated} 个，未变 ${p.unchanged} 个，拒绝 ${p.refused} 个；重新定位 ${p.moved} 条记录${p.kinds ? `（${p.kinds}）` : ''}`,
  },
  'cli.grids.feature': {
    en: (p: { index: number; code: string; detail: string }) => `  feature ${p.index}${p.code ? ` (${p.code})` : ''}:${p.detail ? ` ${p.detail}` : ''}`,
    'zh-CN': (p: { index: number; code: string; detail: string }) => `  要素 ${p.index}${p.code ? `（${p.code}）` : ''}：${p.detail}`,
  },
  'cli.grids.more': { en: (p: { count: number }) => `  … and ${p.count} more refused features`, 'zh-CN': (p: { count: number }) => `  … 另有 ${p.count} 个被拒绝的要素` },
  'cli.grids.create': { en: (p: { name: string; area: string }) => `create ${p.name}${p.area ? `, ${p.area}` : ''}`, 'zh-CN': (p: { name: string; area: string }) => `新建 ${p.name}${p.area ? `，${p.area}` : ''}` },
  'cli.grids.unchanged': { en: (p: { name: string }) => `unchanged ${p.name}`, 'zh-CN': (p: { name: string }) => `未变 ${p.name}` },
  'cli.grids.refusedFeature': { en: (p: { name: string }) => `refused ${p.name}`.trimEnd(), 'zh-CN': (p: { name: string }) => `拒绝 ${p.name}`.trimEnd() },
  'cli.grids.update': { en: (p: { what: string }) => `update ${p.what}`, 'zh-CN': (p: { what: string }) => `更新 ${p.what}` },
  'cli.grids.rename': {
    en: (p: { from: string; to: string }) => `name "${p.from}" → "${p.to}"`,
    'zh-CN': (p: { from: string; to: string }) => `名称 "${p.from}" → "${p.to}"`,
  },
  'cli.grids.reshape': {
    en: (p: { delta: string; area: string }) => `boundary ${p.delta} (now ${p.area})`,
    'zh-CN': (p: { delta: string; area: string }) => `边界 ${p.delta}（现为 ${p.area}）`,
  },
});
