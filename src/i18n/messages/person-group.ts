import { defineMessages, fixed } from '../message';

/** Special and care groups, their follow-up plans and visits (src/modules/person/group-*.ts). */
export const personGroupMessages = defineMessages({
  'group.noWorker': {
    en: (p: { field: string; id: string }) => `${p.field}: no grid worker has id ${p.id}`,
    'zh-CN': (p: { field: string; id: string }) => `${p.field}：没有 id 为 ${p.id} 的网格员`,
  },
  'group.withinDays': {
    en: (p: { max: number; got: number }) => `withinDays is a whole number of days, 0–${p.max} (got ${p.got})`,
    'zh-CN': (p: { max: number; got: number }) => `withinDays 应为 0–${p.max} 的整天数（实际为 ${p.got}）`,
  },
  'group.sinceBeforeBirth': {
    en: (p: { since: string }) => `since: ${p.since} is before the person's birth date`,
    'zh-CN': (p: { since: string }) => `since：${p.since} 早于此人的出生日期`,
  },
  'group.untagReason': fixed("reason: say why the tag is removed (it is kept with the tag's history)", 'reason：请说明移除此标记的原因（会随标记历史保存）'),
  'group.notTagged': {
    en: (p: { tag: string; tags: string }) => `tag: this person is not tagged ${p.tag} (${p.tags ? `their tags: ${p.tags}` : 'they have no tags'})`,
    'zh-CN': (p: { tag: string; tags: string }) => `tag：此人没有 ${p.tag} 标记（${p.tags ? `现有标记：${p.tags}` : '此人没有任何标记'}）`,
  },
  'group.visitFuture': {
    en: (p: { at: string; now: string }) => `visitedAt: ${p.at} is in the future (it is now ${p.now})`,
    'zh-CN': (p: { at: string; now: string }) => `visitedAt：${p.at} 是将来的时间（现在是 ${p.now}）`,
  },
  'group.visitBeforeFollowUp': {
    en: (p: { at: string; tag: string; since: string }) => `visitedAt: ${p.at} is before the ${p.tag} follow-up began (${p.since})`,
    'zh-CN': (p: { at: string; tag: string; since: string }) => `visitedAt：${p.at} 早于 ${p.tag} 帮扶开始的日期（${p.since}）`,
  },
  'group.careNoVisits': {
    en: (p: { tag: string }) => `tag: ${p.tag} is a care group, which has no follow-up plan to log visits against`,
    'zh-CN': (p: { tag: string }) => `tag：${p.tag} 是关爱对象类别，没有可记录走访的帮扶计划`,
  },
  'group.noSpecialGroup': fixed(
    'personId: this person belongs to no special group, so there is no plan to log a visit against; tag them first (tagPerson)',
    'personId：此人不属于任何特殊人群，没有可记录走访的计划；请先添加标记（tagPerson）',
  ),
  'group.whichTag': {
    en: (p: { count: number; tags: string }) => `tag: this person has ${p.count} special-group tags (${p.tags}); say which one the visit follows up`,
    'zh-CN': (p: { count: number; tags: string }) => `tag：此人有 ${p.count} 个特殊人群标记（${p.tags}）；请说明这次走访针对哪一个`,
  },
  'group.followUpNeeded': {
    en: (p: { tag: string }) => `followUp: ${p.tag} is a special group: give its follow-up plan, followUp { attentionLevel } at least`,
    'zh-CN': (p: { tag: string }) => `followUp：${p.tag} 是特殊人群：请给出帮扶计划，至少填写 followUp { attentionLevel }`,
  },
  'group.interval': {
    en: (p: { min: number; max: number; got: number }) => `visitIntervalDays: days between visits, ${p.min}–${p.max} (got ${p.got})`,
    'zh-CN': (p: { min: number; max: number; got: number }) => `visitIntervalDays：两次走访间隔的天数，应为 ${p.min}–${p.max}（实际为 ${p.got}）`,
  },
  'group.workerId': {
    en: (p: { got: string }) => `responsibleWorkerId: not a GridWorker id (got "${p.got}")`,
    'zh-CN': (p: { got: string }) => `responsibleWorkerId：不是 GridWorker 的 id（实际为 "${p.got}"）`,
  },
  'group.careNoFollowUp': {
    en: (p: { tag: string }) => `followUp: ${p.tag} is a care group, which has no follow-up plan; leave followUp out`,
    'zh-CN': (p: { tag: string }) => `followUp：${p.tag} 是关爱对象类别，没有帮扶计划；请不要填写 followUp`,
  },
  'group.careNoDetails': {
    en: (p: { tag: string }) => `details: ${p.tag} is a care group; details are recorded for special groups only`,
    'zh-CN': (p: { tag: string }) => `details：${p.tag} 是关爱对象类别；只有特殊人群才记录详细信息`,
  },
  'group.since': {
    en: (p: { detail: string }) => `since: ${p.detail}`,
    'zh-CN': (p: { detail: string }) => `since：${p.detail}`,
  },
  'group.alreadyTagged': {
    en: (p: { tag: string }) => `tag: this person is already tagged ${p.tag}; untag them first to record it anew`,
    'zh-CN': (p: { tag: string }) => `tag：此人已有 ${p.tag} 标记；如需重新登记，请先移除该标记`,
  },
  'group.erased': fixed('personId: this person was erased; nothing more can be recorded about them', 'personId：此人的个人信息已删除；不能再记录任何信息'),
  'group.notLiving': {
    en: (p: { status: string; since: string }) => `personId: this person is ${p.status} (since ${p.since || 'an unknown day'}); only people living here are followed up`,
    'zh-CN': (p: { status: string; since: string }) => `personId：此人的状态是 ${p.status}（自 ${p.since || '某日'}起）；只对现居住人员开展帮扶`,
  },
});
