import { defineMessages } from '../message';

/** The DateTime and Date scalars' refusals and the date checks built on them (src/shared/time.ts, graphql/scalars.ts). */
export const timeMessages = defineMessages({
  'time.asOf': {
    en: (p: { param: string; problem: string; got: string }) => `${p.param} ${p.problem} (got "${p.got}")`,
    'zh-CN': (p: { param: string; problem: string; got: string }) => `${p.param} 无效：${p.problem}（收到 "${p.got}"）`,
  },
  'time.dateTimeScalar': {
    en: (p: { value: string; problem: string }) => `DateTime ${p.value} ${p.problem}`,
    'zh-CN': (p: { value: string; problem: string }) => `DateTime 值 ${p.value} 无效：${p.problem}`,
  },
  'time.dateScalar': {
    en: (p: { value: string; problem: string }) => `Date ${p.value} ${p.problem}`,
    'zh-CN': (p: { value: string; problem: string }) => `Date 值 ${p.value} 无效：${p.problem}`,
  },
  'time.notRfc3339': {
    en: (p: { example: string }) => `must be an RFC 3339 date-time with a time zone, e.g. "${p.example}" or "2026-11-23T16:00:00+08:00"`,
    'zh-CN': (p: { example: string }) => `应为带时区的 RFC 3339 日期时间，例如 "${p.example}" 或 "2026-11-23T16:00:00+08:00"`,
  },
  'time.instantNotString': {
    en: (p: { example: string }) => `must be a string such as "${p.example}"`,
    'zh-CN': (p: { example: string }) => `应为字符串，例如 "${p.example}"`,
  },
  'time.yearZero': { en: () => 'year 0000 does not exist; years run from 0001', 'zh-CN': () => '不存在 0000 年；年份从 0001 开始' },
  'time.noMonth': {
    en: (p: { month: string }) => `month ${p.month} does not exist`,
    'zh-CN': (p: { month: string }) => `不存在 ${p.month} 月`,
  },
  'time.noDay': {
    en: (p: { month: string; day: string }) => `${p.month} has no day ${p.day}`,
    'zh-CN': (p: { month: string; day: string }) => `${p.month} 没有第 ${p.day} 日`,
  },
  'time.noTime': {
    en: (p: { time: string }) => `${p.time} is not a time of day`,
    'zh-CN': (p: { time: string }) => `${p.time} 不是有效的时刻`,
  },
  'time.noOffset': {
    en: (p: { offset: string }) => `${p.offset} is not a time-zone offset`,
    'zh-CN': (p: { offset: string }) => `${p.offset} 不是有效的时区偏移`,
  },
  'time.outOfYears': {
    en: (p: { before: number }) => `is ${p.before ? 'before 0001' : 'after 9999'} in UTC`,
    'zh-CN': (p: { before: number }) => `换算为 UTC 后${p.before ? '早于 0001 年' : '晚于 9999 年'}`,
  },
  'time.dateNotString': {
    en: (p: { example: string }) => `must be a string such as "${p.example}"`,
    'zh-CN': (p: { example: string }) => `应为字符串，例如 "${p.example}"`,
  },
  'time.dateWithTime': {
    en: (p: { example: string }) => `must be a calendar date alone, YYYY-MM-DD such as "${p.example}": no time and no time zone`,
    'zh-CN': (p: { example: string }) => `只能是日期 YYYY-MM-DD，例如 "${p.example}"：不带时间和时区`,
  },
  'time.dateShape': {
    en: (p: { example: string }) => `must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "${p.example}"`,
    'zh-CN': (p: { example: string }) => `应为 ISO 8601 日期 YYYY-MM-DD，例如 "${p.example}"`,
  },
  'time.badDate': {
    en: (p: { value: string; problem: string }) => `"${p.value}" ${p.problem}`,
    'zh-CN': (p: { value: string; problem: string }) => `"${p.value}" 无效：${p.problem}`,
  },
  'time.future': {
    en: (p: { value: string; today: string }) => `${p.value} is in the future (today is ${p.today})`,
    'zh-CN': (p: { value: string; today: string }) => `${p.value} 是将来的日期（今天是 ${p.today}）`,
  },
  'time.before': {
    en: (p: { value: string; earliest: string }) => `${p.value} is before ${p.earliest}`,
    'zh-CN': (p: { value: string; earliest: string }) => `${p.value} 早于 ${p.earliest}`,
  },
});
