import { defineMessages } from '../message';

/**
 * Problems of grid edits (create, redraw, rename, move, split, merge, retire) and the checks every boundary goes
 * through (src/modules/grid/). Areas come formatted ("1,234 m²"), positions as "lng, lat".
 */
export const gridMessages = defineMessages({
  'grid.field': {
    en: (p: { field: string; detail: string }) => `${p.field}: ${p.detail}`,
    'zh-CN': (p: { field: string; detail: string }) => `${p.field}：${p.detail}`,
  },
  'grid.snapRange': {
    en: (p: { max: number; got: number }) => `options.snapToleranceMeters must be between 0 and ${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `options.snapToleranceMeters 必须在 0 到 ${p.max} 之间（收到 ${p.got}）`,
  },
  'grid.postgisFailed': {
    en: (p: { field: string }) => `${p.field}: PostGIS could not process this boundary; check it in a GIS and redraw it`,
    'zh-CN': (p: { field: string }) => `${p.field}：PostGIS 无法处理此边界；请在 GIS 软件中检查并重新绘制`,
  },
  'grid.clipLeavesNothing': {
    en: (p: { field: string }) => `${p.field}: nothing of it lies inside the parent, so clipping to the parent leaves nothing`,
    'zh-CN': (p: { field: string }) => `${p.field}：它没有任何部分位于上级网格内，按上级裁剪后什么也不剩`,
  },
  'grid.selfIntersection': {
    en: (p: { field: string; at: string; reason: string }) => `${p.field}: rings cross each other or themselves${p.at ? ` at ${p.at}` : ''} (PostGIS: ${p.reason})`,
    'zh-CN': (p: { field: string; at: string; reason: string }) => `${p.field}：环相互交叉或自相交${p.at ? `，位置 ${p.at}` : ''}（PostGIS：${p.reason}）`,
  },
  'grid.invalid': {
    en: (p: { field: string; at: string; reason: string }) => `${p.field}: the geometry is invalid${p.at ? ` at ${p.at}` : ''}: ${p.reason}`,
    'zh-CN': (p: { field: string; at: string; reason: string }) => `${p.field}：几何无效${p.at ? `，位置 ${p.at}` : ''}：${p.reason}`,
  },
  'grid.outsideParent': {
    en: (p: { field: string; area: string; parent: string; at: string; tolerance: string }) =>
      `${p.field}: ${p.area} lies outside the parent ${p.parent} around ${p.at}; the tolerance is ${p.tolerance} (clipToParent cuts it off)`,
    'zh-CN': (p: { field: string; area: string; parent: string; at: string; tolerance: string }) =>
      `${p.field}：有 ${p.area} 超出上级网格 ${p.parent}，位置约在 ${p.at}；容差为 ${p.tolerance}（clipToParent 可裁掉超出部分）`,
  },
  'grid.overlapsSibling': {
    en: (p: { field: string; other: string; area: string; at: string; tolerance: string }) =>
      `${p.field}: overlaps ${p.other} by ${p.area} around ${p.at}; the tolerance is ${p.tolerance} (snapToleranceMeters aligns shared edges)`,
    'zh-CN': (p: { field: string; other: string; area: string; at: string; tolerance: string }) =>
      `${p.field}：与 ${p.other} 重叠 ${p.area}，位置约在 ${p.at}；容差为 ${p.tolerance}（snapToleranceMeters 可对齐公共边）`,
  },
  'grid.overlapsBatch': {
    en: (p: { field: string; other: number; area: string; at: string; tolerance: string }) =>
      `${p.field}: overlaps feature ${p.other} of the same import by ${p.area} around ${p.at}; the tolerance is ${p.tolerance}`,
    'zh-CN': (p: { field: string; other: number; area: string; at: string; tolerance: string }) =>
      `${p.field}：与本次导入的第 ${p.other} 个要素重叠 ${p.area}，位置约在 ${p.at}；容差为 ${p.tolerance}`,
  },
  'grid.childOutside': {
    en: (p: { field: string; child: string; area: string; at: string; tolerance: string }) =>
      `${p.field}: the child ${p.child} would stick out of the new boundary by ${p.area} around ${p.at}; the tolerance is ${p.tolerance}`,
    'zh-CN': (p: { field: string; child: string; area: string; at: string; tolerance: string }) =>
      `${p.field}：下级网格 ${p.child} 将超出新边界 ${p.area}，位置约在 ${p.at}；容差为 ${p.tolerance}`,
  },
  'grid.anotherGrid': { en: () => 'another grid', 'zh-CN': () => '另一个网格' },
  'grid.needsParent': {
    en: (p: { level: string }) => `a ${p.level} needs a parent (only a DISTRICT has none)`,
    'zh-CN': (p: { level: string }) => `${p.level} 需要上级网格（只有 DISTRICT 没有上级）`,
  },
  'grid.districtIsRoot': { en: () => 'a DISTRICT is a root: it has no parent', 'zh-CN': () => 'DISTRICT 是根：它没有上级' },
  'grid.levelUnder': {
    en: (p: { level: string; parent: string; allowed: string }) => `a ${p.level} cannot sit under a ${p.parent}; under a ${p.parent} go: ${p.allowed}`,
    'zh-CN': (p: { level: string; parent: string; allowed: string }) => `${p.level} 不能放在 ${p.parent} 之下；${p.parent} 之下只能是：${p.allowed}`,
  },
  'grid.noChildren': {
    en: (p: { parent: string }) => `a ${p.parent} has no child grids`,
    'zh-CN': (p: { parent: string }) => `${p.parent} 没有下级网格`,
  },
  'grid.districtCode': {
    en: (p: { code: string }) => `a district code is 6 digits (got "${p.code}")`,
    'zh-CN': (p: { code: string }) => `区县编码是 6 位数字（收到 "${p.code}"）`,
  },
  'grid.codeShape': {
    en: (p: { parent: string; from: string; to: number; code: string }) => `the code must be the parent's code ${p.parent} followed by 3 digits from ${p.from} to ${p.to} (got "${p.code}")`,
    'zh-CN': (p: { parent: string; from: string; to: number; code: string }) => `编码必须是上级编码 ${p.parent} 加上 ${p.from} 到 ${p.to} 之间的 3 位数字（收到 "${p.code}"）`,
  },
  'grid.codeRange': {
    en: (p: { parent: string; from: string; to: number; code: string }) => `the code must be ${p.parent} followed by 3 digits from ${p.from} to ${p.to} (got "${p.code}")`,
    'zh-CN': (p: { parent: string; from: string; to: number; code: string }) => `编码必须是 ${p.parent} 加上 ${p.from} 到 ${p.to} 之间的 3 位数字（收到 "${p.code}"）`,
  },
  'name.empty': { en: () => 'the name is empty', 'zh-CN': () => '名称为空' },
  'name.tooLong': {
    en: (p: { length: number; max: number }) => `the name has ${p.length} characters; at most ${p.max}`,
    'zh-CN': (p: { length: number; max: number }) => `名称有 ${p.length} 个字符；最多 ${p.max} 个`,
  },
  'name.control': { en: () => 'the name holds a control character', 'zh-CN': () => '名称含有控制字符' },
  'name.bidi': {
    en: () => 'the name holds a bidirectional override character, which makes it display other than it reads',
    'zh-CN': () => '名称含有双向文本控制字符，会使显示的内容与实际不符',
  },
  'name.noLetter': { en: () => 'the name has no letter or digit', 'zh-CN': () => '名称中没有文字或数字' },
  'grid.nothingToChange': { en: () => 'nothing to change: give a new name, a new code, or both', 'zh-CN': () => '没有要修改的内容：请给出新名称、新编码或两者' },
  'grid.reasonNeeded': { en: () => 'reason: say why (it is kept in the history)', 'zh-CN': () => 'reason：请说明原因（会保存在历史中）' },
  'grid.codeTaken': {
    en: (p: { code: string }) => `code: ${p.code} is already the code of a current grid`,
    'zh-CN': (p: { code: string }) => `code：${p.code} 已是一个现有网格的编码`,
  },
  'grid.districtCodeNeeded': { en: () => 'code: a district needs its 6-digit code (GB/T 2260)', 'zh-CN': () => 'code：区县需要给出 6 位编码（GB/T 2260）' },
  'grid.codesExhausted': {
    en: (p: { level: string; parent: string; to: number }) => `code: every ${p.level} code under ${p.parent} up to ${p.to} is used; give one explicitly`,
    'zh-CN': (p: { level: string; parent: string; to: number }) => `code：${p.parent} 之下到 ${p.to} 为止的 ${p.level} 编码已全部用完；请明确给出一个`,
  },
  'grid.dependants': {
    en: (p: { grid: string; children: number; workers: number }) =>
      `${p.grid} still has ${[p.children ? `${p.children} current child grid(s)` : '', p.workers ? `${p.workers} assigned worker(s)` : ''].filter(Boolean).join(' and ')}; move or retire them first`,
    'zh-CN': (p: { grid: string; children: number; workers: number }) =>
      `${p.grid} 还有${[p.children ? ` ${p.children} 个现有下级网格` : '', p.workers ? ` ${p.workers} 名已分配的网格员` : ''].filter(Boolean).join('和')}；请先移走或撤销它们`,
  },
  'grid.namesCount': {
    en: (p: { got: number }) => `names: give exactly 2 names, one per new grid (got ${p.got})`,
    'zh-CN': (p: { got: number }) => `names：请给出正好 2 个名称，每个新网格一个（收到 ${p.got} 个）`,
  },
  'grid.lineMissesGrid': {
    en: () => 'line: it does not cut the grid; it must cross the boundary from one edge to another',
    'zh-CN': () => 'line：它没有切开网格；分割线必须从一条边穿过网格到另一条边',
  },
  'grid.lineManyParts': {
    en: (p: { parts: number }) => `line: it cuts the grid into ${p.parts} parts; it must make exactly 2 (cross the grid once)`,
    'zh-CN': (p: { parts: number }) => `line：它把网格切成了 ${p.parts} 块；必须正好切成 2 块（只穿过网格一次）`,
  },
  'grid.lineTooLong': {
    en: (p: { max: number }) => `input.line has more than ${p.max} vertices and parts (MAX_FILTER_VERTICES); a split line needs only a few`,
    'zh-CN': (p: { max: number }) => `input.line 的顶点和部分超过 ${p.max} 个（MAX_FILTER_VERTICES）；分割线只需要几个点`,
  },
  'grid.mergeTooMany': {
    en: (p: { max: number; got: number }) => `input.ids: merge at most ${p.max} grids at once (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `input.ids：一次最多合并 ${p.max} 个网格（收到 ${p.got} 个）`,
  },
  'grid.mergeTwo': { en: () => 'ids: give at least 2 different grids', 'zh-CN': () => 'ids：请至少给出 2 个不同的网格' },
  'grid.mergeVersions': {
    en: (p: { count: number }) => `expectedVersions: give one version per id (${p.count}), in the same order`,
    'zh-CN': (p: { count: number }) => `expectedVersions：请按相同顺序为每个 id 给出一个版本号（共 ${p.count} 个）`,
  },
  'grid.mergeSameParent': {
    en: () => 'ids: grids to merge must have the same parent and level',
    'zh-CN': () => 'ids：要合并的网格必须有相同的上级和层级',
  },
  'grid.mergeConnected': {
    en: (p: { parts: number }) => `ids: the grids do not form one connected area (${p.parts} separate parts); merge neighbours only`,
    'zh-CN': (p: { parts: number }) => `ids：这些网格不构成一个连通区域（分成 ${p.parts} 块）；只能合并相邻网格`,
  },
  'grid.alreadyUnder': {
    en: (p: { grid: string; parent: string }) => `newParentId: ${p.grid} is already under ${p.parent}`,
    'zh-CN': (p: { grid: string; parent: string }) => `newParentId：${p.grid} 已经在 ${p.parent} 之下`,
  },
  'grid.moveOverlaps': {
    en: (p: { grid: string; other: string; parent: string; area: number }) => `${p.grid} would overlap ${p.other} under ${p.parent} by ${p.area} m²`,
    'zh-CN': (p: { grid: string; other: string; parent: string; area: number }) => `${p.grid} 将与 ${p.parent} 之下的 ${p.other} 重叠 ${p.area} 平方米`,
  },
  'grid.moveEmpties': {
    en: (p: { other: string; grid: string }) => `${p.other} would have no area left once ${p.grid} leaves it; merge or retire it instead`,
    'zh-CN': (p: { other: string; grid: string }) => `${p.grid} 移走后 ${p.other} 将没有任何面积；请改为合并或撤销它`,
  },
});
