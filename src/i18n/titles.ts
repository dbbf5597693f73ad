import type { ProblemCode } from '../generated/graphql';

/**
 * Chinese names of error and problem codes. A message not yet in the catalogue is sent in English; a zh-CN
 * caller gets it behind the name of its code ("输入有误：…"), so every refusal at least says in Chinese what
 * kind it is.
 */
export const ERROR_TITLES_ZH: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: '未认证',
  FORBIDDEN: '无权操作',
  BAD_USER_INPUT: '输入有误',
  RATE_LIMITED: '请求过多',
  SERVICE_UNAVAILABLE: '服务暂不可用',
  REQUEST_TIMEOUT: '请求超时',
  RESPONSE_TOO_LARGE: '响应过大',
  GRAPHQL_PARSE_FAILED: '查询语法错误',
  GRAPHQL_VALIDATION_FAILED: '查询无效',
  BAD_REQUEST: '请求无效',
  OPERATION_RESOLUTION_FAILURE: '找不到要执行的操作',
  PERSISTED_QUERY_NOT_FOUND: '找不到持久化查询',
  PERSISTED_QUERY_NOT_SUPPORTED: '不支持持久化查询',
  INTERNAL_SERVER_ERROR: '服务器内部错误',
  PAYLOAD_TOO_LARGE: '请求体过大',
  NOT_FOUND: '未找到',
  METHOD_NOT_ALLOWED: '请求方法不允许',
};

/** Partial: a problem code added elsewhere without its title here still answers, in English. */
export const PROBLEM_TITLES_ZH: Readonly<Partial<Record<ProblemCode, string>>> = {
  NOT_POLYGON: '不是多边形',
  BAD_COORDINATES: '坐标格式有误',
  NON_FINITE: '坐标不是有限数',
  OUT_OF_RANGE: '坐标超出范围',
  SWAPPED_AXES: '经纬度写反',
  RING_TOO_SHORT: '环的点数太少',
  RING_NOT_CLOSED: '环未闭合',
  TOO_MANY_VERTICES: '顶点过多',
  SELF_INTERSECTION: '自相交',
  INVALID_GEOMETRY: '几何无效',
  OUTSIDE_PARENT: '超出上级网格',
  OVERLAPS_SIBLING: '与同级网格重叠',
  LEVEL_MISMATCH: '层级不符',
  BAD_CODE: '编码有误',
  CODE_TAKEN: '编码已被占用',
  BAD_NAME: '名称有误',
  CHILD_OUTSIDE: '下级网格超出边界',
  HAS_DEPENDANTS: '仍有从属对象',
  BAD_SPLIT_LINE: '分割线有误',
  NOT_MERGEABLE: '不能合并',
  OUTSIDE_JURISDICTION: '超出管辖范围',
  BAD_VALUE: '取值有误',
  BAD_ENCODING: '文字编码有误',
  BAD_FILE: '文件有误',
  VERSION_CONFLICT: '版本冲突',
  WRONG_CRS: '坐标系不符',
  ILLEGAL_TRANSITION: '不允许的流转',
};
