import { defineMessages } from '../message';

const REPROJECT = { en: 'reproject to EPSG:4326 (e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.shp`)', zh: '请重投影到 EPSG:4326（例如 `ogr2ogr -t_srs EPSG:4326 out.geojson in.shp`）' };

/** The grid import (importGrids, npm run import): the file as a whole, its features' properties, matching, versions. */
export const gridImportMessages = defineMessages({
  'gridImport.at': {
    en: (p: { at: string; detail: string }) => `${p.at}: ${p.detail}`,
    'zh-CN': (p: { at: string; detail: string }) => `${p.at}：${p.detail}`,
  },
  'gridImport.theFile': { en: (p: { file: string }) => `the file ${p.file}`, 'zh-CN': (p: { file: string }) => `文件 ${p.file}` },
  'gridImport.notCollection': {
    en: (p: { what: string }) => `${p.what} is JSON, but not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})`,
    'zh-CN': (p: { what: string }) => `${p.what} 是 JSON，但不是 GeoJSON FeatureCollection（{"type": "FeatureCollection", "features": [...]}）`,
  },
  'gridImport.cutShort': {
    en: (p: { what: string; line: number; column: number; offset: number }) =>
      `${p.what} ends in the middle of the JSON at line ${p.line}, column ${p.column} (character ${p.offset}): it was cut short, by an interrupted download or copy; export it again`,
    'zh-CN': (p: { what: string; line: number; column: number; offset: number }) =>
      `${p.what} 在第 ${p.line} 行第 ${p.column} 列（第 ${p.offset} 个字符）处 JSON 中途结束：文件不完整，可能是下载或复制被中断；请重新导出`,
  },
  'gridImport.badJson': {
    en: (p: { what: string; line: number; column: number; reason: string }) => `${p.what} is not valid JSON at line ${p.line}, column ${p.column}: ${p.reason}`,
    'zh-CN': (p: { what: string; line: number; column: number; reason: string }) => `${p.what} 在第 ${p.line} 行第 ${p.column} 列处不是有效的 JSON：${p.reason}`,
  },
  'gridImport.empty': { en: (p: { what: string }) => `${p.what} is empty`, 'zh-CN': (p: { what: string }) => `${p.what} 是空的` },
  'gridImport.rs': {
    en: (p: { what: string }) => `${p.what} is GeoJSONSeq (RFC 8142: features separated by RS characters), not a FeatureCollection: convert it with \`ogr2ogr -f GeoJSON out.geojson in.geojsons\``,
    'zh-CN': (p: { what: string }) => `${p.what} 是 GeoJSONSeq（RFC 8142：要素之间以 RS 字符分隔），不是 FeatureCollection：请用 \`ogr2ogr -f GeoJSON out.geojson in.geojsons\` 转换`,
  },
  'gridImport.gpkg': {
    en: (p: { what: string }) => `${p.what} is a GeoPackage, not GeoJSON: convert it with \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson in.gpkg\``,
    'zh-CN': (p: { what: string }) => `${p.what} 是 GeoPackage，不是 GeoJSON：请用 \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson in.gpkg\` 转换`,
  },
  'gridImport.zip': {
    en: (p: { what: string }) => `${p.what} is a ZIP archive (a zipped shapefile?), not GeoJSON: unzip it and convert the .shp with ogr2ogr`,
    'zh-CN': (p: { what: string }) => `${p.what} 是 ZIP 压缩包（压缩的 shapefile？），不是 GeoJSON：请解压后用 ogr2ogr 转换其中的 .shp`,
  },
  'gridImport.shp': {
    en: (p: { what: string }) => `${p.what} is a shapefile (.shp), not GeoJSON: convert it with \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco RFC7946=YES out.geojson in.shp\``,
    'zh-CN': (p: { what: string }) => `${p.what} 是 shapefile（.shp），不是 GeoJSON：请用 \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco RFC7946=YES out.geojson in.shp\` 转换`,
  },
  'gridImport.ndjson': {
    en: (p: { what: string }) => `${p.what} holds one feature per line (newline-delimited GeoJSON / GeoJSONSeq), not a FeatureCollection: convert it with \`ogr2ogr -f GeoJSON out.geojson in.geojsonl\``,
    'zh-CN': (p: { what: string }) => `${p.what} 每行一个要素（按行分隔的 GeoJSON / GeoJSONSeq），不是 FeatureCollection：请用 \`ogr2ogr -f GeoJSON out.geojson in.geojsonl\` 转换`,
  },
  'gridImport.noBrace': {
    en: (p: { what: string }) => `${p.what} does not start with "{": it is not a GeoJSON FeatureCollection`,
    'zh-CN': (p: { what: string }) => `${p.what} 不是以 "{" 开头：它不是 GeoJSON FeatureCollection`,
  },
  'gridImport.noFeatures': {
    en: (p: { what: string }) => `${p.what} has no "features" array: it is not a GeoJSON FeatureCollection`,
    'zh-CN': (p: { what: string }) => `${p.what} 没有 "features" 数组：它不是 GeoJSON FeatureCollection`,
  },
  'gridImport.singleFeature': {
    en: () => 'the file is a single Feature, not a FeatureCollection: wrap it as {"type": "FeatureCollection", "features": [...]}',
    'zh-CN': () => '文件是单个 Feature，不是 FeatureCollection：请包装为 {"type": "FeatureCollection", "features": [...]}',
  },
  'gridImport.otherType': {
    en: (p: { type: string }) => `the file is a GeoJSON ${p.type}, not a FeatureCollection`,
    'zh-CN': (p: { type: string }) => `文件是 GeoJSON ${p.type}，不是 FeatureCollection`,
  },
  'gridImport.inputFeature': {
    en: () => 'featureCollection must be a GeoJSON FeatureCollection, not a single Feature: wrap it as {"type": "FeatureCollection", "features": [...]}',
    'zh-CN': () => 'featureCollection 必须是 GeoJSON FeatureCollection，而不是单个 Feature：请包装为 {"type": "FeatureCollection", "features": [...]}',
  },
  'gridImport.inputShape': {
    en: () => 'featureCollection must be a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}',
    'zh-CN': () => 'featureCollection 必须是 GeoJSON FeatureCollection：{"type": "FeatureCollection", "features": [...]}',
  },
  'gridImport.crsMember': {
    en: (p: { named: string }) => `the file declares ${p.named || 'a crs member this importer cannot read'}, not longitude/latitude in EPSG:4326, CRS84 or EPSG:4490 (CGCS2000): ${REPROJECT.en}`,
    'zh-CN': (p: { named: string }) => `文件声明的是${p.named ? ` ${p.named}` : '本导入程序无法识别的 crs'}，而不是 EPSG:4326、CRS84 或 EPSG:4490（CGCS2000）的经纬度：${REPROJECT.zh}`,
  },
  'gridImport.projected': {
    en: (p: { where: string; x: number; y: number }) => `${p.where} starts at [${p.x}, ${p.y}]: these are projected coordinates (metres), not longitude/latitude; ${REPROJECT.en}`,
    'zh-CN': (p: { where: string; x: number; y: number }) => `${p.where} 的第一个点为 [${p.x}, ${p.y}]：这是投影坐标（米），不是经纬度；${REPROJECT.zh}`,
  },
  'gridImport.declaredCrs': {
    en: (p: { declared: string; crs: string }) =>
      `the file says its coordinates are ${p.declared} ("coordinateSystem" member, as exported with ?crs=${p.declared}) but they would be read as ${p.crs}: import with crs ${p.declared} (CLI: --crs ${p.declared})`,
    'zh-CN': (p: { declared: string; crs: string }) =>
      `文件声明其坐标为 ${p.declared}（"coordinateSystem" 成员，即用 ?crs=${p.declared} 导出），但将按 ${p.crs} 读取：请用 crs ${p.declared} 导入（命令行：--crs ${p.declared}）`,
  },
  'gridImport.garbledFffd': {
    en: (p: { name: string }) =>
      `name "${p.name}" has lost its characters to a wrong text encoding (U+FFFD in place of Chinese): most likely a GBK shapefile read as UTF-8 (its .cpg missing); convert it naming its encoding: \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 -oo ENCODING=CP936 out.geojson in.shp\``,
    'zh-CN': (p: { name: string }) =>
      `名称 "${p.name}" 因文字编码错误而丢失了字符（中文变成了 U+FFFD）：很可能是 GBK 编码的 shapefile 被当作 UTF-8 读取（缺少 .cpg 文件）；请指明编码进行转换：\`ogr2ogr -f GeoJSON -t_srs EPSG:4326 -oo ENCODING=CP936 out.geojson in.shp\``,
  },
  'gridImport.garbledQuestion': {
    en: (p: { name: string }) =>
      `name "${p.name}" has lost its characters to a wrong text encoding ('?' in place of Chinese): most likely a shapefile written without \`-lco ENCODING=UTF-8\`, which lost them for good; export again from the original data, as GeoJSON (\`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson <source>\`) or as a shapefile with \`-lco ENCODING=UTF-8\``,
    'zh-CN': (p: { name: string }) =>
      `名称 "${p.name}" 因文字编码错误而丢失了字符（中文变成了 '?'）：很可能是写 shapefile 时没有加 \`-lco ENCODING=UTF-8\`，字符已无法恢复；请从原始数据重新导出为 GeoJSON（\`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson <source>\`），或加 \`-lco ENCODING=UTF-8\` 导出 shapefile`,
  },
  'gridImport.notFeature': {
    en: () => 'not a GeoJSON Feature ({"type": "Feature", "geometry": ..., "properties": {...}})',
    'zh-CN': () => '不是 GeoJSON Feature（{"type": "Feature", "geometry": ..., "properties": {...}}）',
  },
  'gridImport.nameMissing': { en: (p: { property: string }) => `property "${p.property}" is missing`, 'zh-CN': (p: { property: string }) => `缺少属性 "${p.property}"` },
  'gridImport.parentMissing': {
    en: (p: { property: string }) => `property "${p.property}" (the parent grid's code) is missing`,
    'zh-CN': (p: { property: string }) => `缺少属性 "${p.property}"（上级网格编码）`,
  },
  'gridImport.codeMissing': {
    en: (p: { property: string }) => `property "${p.property}" is missing; UPSERT matches grids by code`,
    'zh-CN': (p: { property: string }) => `缺少属性 "${p.property}"；UPSERT 按编码匹配网格`,
  },
  'gridImport.noGeometry': { en: () => 'the feature has no geometry', 'zh-CN': () => '该要素没有几何' },
  'gridImport.version': {
    en: (p: { field: string; got: string }) => `${p.field} must be the version the grid was exported at, a whole number from 1 (got ${p.got})`,
    'zh-CN': (p: { field: string; got: string }) => `${p.field} 必须是导出时网格的版本号，即从 1 起的整数（实际为 ${p.got}）`,
  },
  'gridImport.stale': {
    en: (p: { grid: string; version: number; expected: number; by: string; at: string; why: string; property: string }) =>
      `${p.grid} is at version ${p.version}, not ${p.expected} as in the file: ${p.by} changed it at ${p.at}${p.why ? ` (${p.why})` : ''}; importing would undo that: export it again and redo your edit, or remove "${p.property}" to overwrite it`,
    'zh-CN': (p: { grid: string; version: number; expected: number; by: string; at: string; why: string; property: string }) =>
      `${p.grid} 当前是第 ${p.version} 版，而不是文件中的第 ${p.expected} 版：${p.by} 于 ${p.at} 修改了它${p.why ? `（${p.why}）` : ''}；导入会撤销那次修改：请重新导出后重做您的编辑，或删除 "${p.property}" 属性以覆盖`,
  },
  'gridImport.retired': {
    en: (p: { code: string; expected: number; at: string; property: string }) =>
      `the file was exported at version ${p.expected} of grid ${p.code}, which was retired at ${p.at}; importing would bring it back: export again, or remove "${p.property}" to create it anew`,
    'zh-CN': (p: { code: string; expected: number; at: string; property: string }) =>
      `文件导出自网格 ${p.code} 的第 ${p.expected} 版，该网格已于 ${p.at} 撤销；导入会使它复活：请重新导出，或删除 "${p.property}" 属性以新建`,
  },
  'gridImport.recoded': {
    en: (p: { code: string; expected: number; now: string; by: string; at: string; property: string }) =>
      `the file was exported at version ${p.expected} of grid ${p.code}, which now has the code ${p.now} (${p.by} changed it at ${p.at}); importing would bring it back: export again, or remove "${p.property}" to create it anew`,
    'zh-CN': (p: { code: string; expected: number; now: string; by: string; at: string; property: string }) =>
      `文件导出自网格 ${p.code} 的第 ${p.expected} 版，该网格的编码现已改为 ${p.now}（${p.by} 于 ${p.at} 修改）；导入会使旧网格复活：请重新导出，或删除 "${p.property}" 属性以新建`,
  },
  'gridImport.changedDuring': {
    en: (p: { code: string }) => `${p.code} was changed by someone else during the import`,
    'zh-CN': (p: { code: string }) => `导入期间 ${p.code} 被他人修改了`,
  },
  'gridImport.codeTwice': {
    en: (p: { code: string; feature: number }) => `${p.code} is also the code of feature ${p.feature}`,
    'zh-CN': (p: { code: string; feature: number }) => `${p.code} 也是第 ${p.feature} 个要素的编码`,
  },
  'gridImport.codeExists': {
    en: (p: { code: string }) => `${p.code} is already a current grid's code (mode CREATE; use UPSERT to update it)`,
    'zh-CN': (p: { code: string }) => `${p.code} 已是一个现有网格的编码（模式为 CREATE；如要更新请用 UPSERT）`,
  },
  'gridImport.otherParent': {
    en: (p: { code: string; level: string }) => `${p.code} exists as a ${p.level} under another parent; use moveGrid to move it`,
    'zh-CN': (p: { code: string; level: string }) => `${p.code} 已作为 ${p.level} 存在于另一个上级之下；如要移动请用 moveGrid`,
  },
  'gridImport.theParent': { en: (p: { grid: string }) => `the parent ${p.grid}`, 'zh-CN': (p: { grid: string }) => `上级网格 ${p.grid}` },
  'gridImport.newDistrict': { en: () => 'a new district', 'zh-CN': () => '新的区县' },
  'gridImport.noParent': {
    en: (p: { code: string }) => `no current grid has the parent code ${p.code}`,
    'zh-CN': (p: { code: string }) => `没有编码为 ${p.code} 的现有上级网格`,
  },
  'gridImport.codesExhausted': {
    en: (p: { level: string; parent: string }) => `no free ${p.level} code left under ${p.parent}; give codes explicitly`,
    'zh-CN': (p: { level: string; parent: string }) => `${p.parent} 之下已没有空闲的 ${p.level} 编码；请明确给出编码`,
  },
});
