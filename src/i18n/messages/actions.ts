import type { Action } from '../../modules/auth/policy';
import { defineMessages, type Entry } from '../message';

const action = (en: string, zh: string): Entry<Record<string, never>> => ({ en: () => en, 'zh-CN': () => zh });

/** What each policy action lets one do, as the policy's messages name it ("to edit grids you need ..."). */
export const actionMessages = defineMessages({
  'action.grid:read': action('read grids', '读取网格'),
  'action.grid:resolve': action('resolve locations', '坐标定位'),
  'action.grid:export': action('export grids', '导出网格'),
  'action.grid:create': action('draw grids', '绘制网格'),
  'action.grid:change': action('edit grids', '修改网格'),
  'action.grid:import': action('import grids', '导入网格'),
  'action.grid:audit': action('see who changed grids', '查看网格修改人'),
  'action.worker:manage': action('manage grid workers', '管理网格员'),
  'action.worker:contact': action("see workers' phone numbers", '查看网格员电话'),
  'action.worker:account': action("see workers' accounts", '查看网格员账号'),
  'action.apikey:manage': action('manage API keys', '管理 API 密钥'),
  'action.place:read': action('read places and organisations', '读取场所和组织'),
  'action.place:edit': action('edit buildings, houses and key places', '编辑楼栋、房屋和重点场所'),
  'action.organization:edit': action('edit organisations', '编辑组织'),
  'action.organization:contact': action("see organisations' contact phones", '查看组织联系电话'),
  'action.facility:read': action('read facilities', '读取设施'),
  'action.facility:edit': action('edit facilities', '编辑设施'),
  'action.person:read': action('read people', '读取人员信息'),
  'action.person:edit': action('register and update people', '登记和更新人员'),
  'action.person:reveal': action("see people's personal values in clear", '查看人员敏感信息明文'),
  'action.person:erase': action('erase people', '删除人员'),
  'action.person:import': action('import people', '导入人员'),
  'action.person:count': action('read population figures', '读取人口统计'),
  'action.tenant:decide': action("decide on tenants' registrations", '审核租户登记'),
  'action.tenant:register': action('register as a tenant', '登记为租户'),
  'action.gate:pass': action('record gate passages', '记录门禁通行'),
  'action.audit:read': action('read the audit log', '读取审计日志'),
  'action.incident:report': action('report incidents', '上报事件'),
  'action.incident:read': action('read incidents', '读取事件'),
  'action.incident:count': action('read incident statistics', '读取事件统计'),
  'action.incident:dispatch': action('dispatch incidents', '调度事件'),
  'action.incident:categorize': action('edit incident categories', '编辑事件类别'),
  'action.incident:residentReport': action('report as a resident', '群众上报事件'),
  'action.incident:track': action('follow incidents by tracking code', '凭查询码查询事件'),
} satisfies Record<`action.${Action}`, Entry<Record<string, never>>>);
