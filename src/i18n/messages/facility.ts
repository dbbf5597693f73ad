import { defineMessages } from '../message';

/** Facilities (src/modules/facility/): cameras and the other things of the registry, and camera coverage. */
export const facilityMessages = defineMessages({
  'facility.name': {
    en: (p: { issue: string }) => `name: ${p.issue} (e.g. "建设南大街与育才街路口东北角")`,
    'zh-CN': (p: { issue: string }) => `name（名称）：${p.issue}（例如"建设南大街与育才街路口东北角"）`,
  },
  'facility.nothingToChange': {
    en: () => 'nothing to change: give a new name, status, location, buildingId or camera',
    'zh-CN': () => '没有要修改的内容：请给出新的名称、状态、位置、buildingId 或 camera',
  },
  'facility.cameraNeeded': {
    en: () => 'camera: a CAMERA needs its view (bearing, fieldOfView, rangeMeters, category)',
    'zh-CN': () => 'camera：摄像头（CAMERA）需要填写视野（bearing、fieldOfView、rangeMeters、category）',
  },
  'facility.bearing': {
    en: (p: { got: number }) => `camera.bearing: degrees clockwise from north, 0 or more and less than 360 (got ${p.got}); due north is 0, not 360`,
    'zh-CN': (p: { got: number }) => `camera.bearing：从正北顺时针量的度数，不小于 0 且小于 360（实际为 ${p.got}）；正北是 0，不是 360`,
  },
  'facility.fieldOfView': {
    en: (p: { min: number; got: number }) => `camera.fieldOfView: degrees, at least ${p.min} and at most 360 (360 for a dome camera; got ${p.got})`,
    'zh-CN': (p: { min: number; got: number }) => `camera.fieldOfView：度数，不小于 ${p.min} 且不超过 360（球机为 360；实际为 ${p.got}）`,
  },
  'facility.range': {
    en: (p: { min: number; max: number; got: number }) => `camera.rangeMeters: metres, at least ${p.min} and at most ${p.max} (got ${p.got})`,
    'zh-CN': (p: { min: number; max: number; got: number }) => `camera.rangeMeters：米数，不小于 ${p.min} 且不超过 ${p.max}（实际为 ${p.got}）`,
  },
  'facility.notCamera': {
    en: (p: { kind: string }) => `camera: only a CAMERA has a view; this facility is a ${p.kind} (leave camera out)`,
    'zh-CN': (p: { kind: string }) => `camera：只有摄像头（CAMERA）才有视野；此设施是 ${p.kind}（请不要填写 camera）`,
  },
  'facility.notBuildingId': {
    en: (p: { got: string }) => `buildingId: "${p.got}" is not a Building id`,
    'zh-CN': (p: { got: string }) => `buildingId："${p.got}" 不是 Building 的 id`,
  },
  'facility.noBuilding': { en: () => 'buildingId: no current building has that id', 'zh-CN': () => 'buildingId：没有这个 id 的现有楼栋' },
  'facility.tooFar': {
    en: (p: { moved: number; meters: number; code: string; name: string; max: number }) =>
      `${p.moved ? 'the new position' : 'the facility'} lies ${p.meters} m from building ${p.code} (${p.name}); a facility belongs to a building within ${p.max} m of it`,
    'zh-CN': (p: { moved: number; meters: number; code: string; name: string; max: number }) =>
      `${p.moved ? '新位置' : '该设施'}距离楼栋 ${p.code}（${p.name}）${p.meters} 米；设施只能归属于 ${p.max} 米以内的楼栋`,
  },
  'facility.at': {
    en: (p: { lng: number; lat: number }) => `a facility at ${p.lng}, ${p.lat}`,
    'zh-CN': (p: { lng: number; lat: number }) => `位于 ${p.lng}, ${p.lat} 的设施`,
  },
  'facility.newPosition': {
    en: (p: { facility: string }) => `${p.facility}'s new position`,
    'zh-CN': (p: { facility: string }) => `${p.facility} 的新位置`,
  },
  'facility.gridOnce': {
    en: (p: { code: string }) => `give the grid once: Grid.facilities lists ${p.code} and everything below it; leave out filter.gridId and filter.gridCode`,
    'zh-CN': (p: { code: string }) => `网格只需给出一次：Grid.facilities 已列出 ${p.code} 及其下级的全部设施；请去掉 filter.gridId 和 filter.gridCode`,
  },
  'facility.coverageNow': {
    en: (p: { code: string }) => `cameraCoverage describes the current cameras only; ask it of ${p.code} read without asOf`,
    'zh-CN': (p: { code: string }) => `cameraCoverage 只描述现有的摄像头；请对不带 asOf 读取的 ${p.code} 查询`,
  },
});
