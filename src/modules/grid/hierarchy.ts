import { english, msg, type Msg } from '../../i18n';
import { nameIssue, nameProblem } from '../../shared/text';
import type { GridLevel } from '../../generated/graphql';

/**
 * The rules of the hierarchy: which level sits under which, and how codes extend their parent's
 * (Beijing-style: 6-digit district + 3 street + 3 community + 3 grid + 3 micro-grid; dedicated overlays
 * take their community's code + 9xx).
 */
export const CHILD_LEVELS: Record<GridLevel, readonly GridLevel[]> = {
  DISTRICT: ['STREET'],
  STREET: ['COMMUNITY'],
  COMMUNITY: ['GRID', 'DEDICATED'],
  GRID: ['MICRO_GRID'],
  MICRO_GRID: [],
  DEDICATED: [],
};

export const DISTRICT_CODE = /^\d{6}$/;

/** The 3-digit suffix range a level's codes use under their parent. */
export function suffixRange(level: GridLevel): { from: number; to: number } {
  return level === 'DEDICATED' ? { from: 901, to: 999 } : { from: 1, to: 899 };
}

/** Why `level` cannot sit under `parentLevel`, or null when it can. */
export function levelProblem(level: GridLevel, parentLevel: GridLevel | null): string | null {
  const issue = levelIssue(level, parentLevel);
  return issue && english(issue);
}

/** `levelProblem` as a catalogue message. */
export function levelIssue(level: GridLevel, parentLevel: GridLevel | null): Msg | null {
  if (parentLevel === null) return level === 'DISTRICT' ? null : msg('grid.needsParent', { level });
  if (level === 'DISTRICT') return msg('grid.districtIsRoot');
  const allowed = CHILD_LEVELS[parentLevel];
  if (allowed.includes(level)) return null;
  return allowed.length ? msg('grid.levelUnder', { level, parent: parentLevel, allowed: allowed.join(', ') }) : msg('grid.noChildren', { parent: parentLevel });
}

/** Why `code` is not a valid code for a `level` grid under `parentCode`, or null when it is. */
export function codeProblem(code: string, level: GridLevel, parentCode: string | null): string | null {
  const issue = codeIssue(code, level, parentCode);
  return issue && english(issue);
}

/** `codeProblem` as a catalogue message. */
export function codeIssue(code: string, level: GridLevel, parentCode: string | null): Msg | null {
  if (parentCode === null) return DISTRICT_CODE.test(code) ? null : msg('grid.districtCode', { code });
  const { from, to } = suffixRange(level);
  const range = { parent: parentCode, from: String(from).padStart(3, '0'), to, code };
  if (!code.startsWith(parentCode) || code.length !== parentCode.length + 3 || !/^\d+$/.test(code)) return msg('grid.codeShape', range);
  const suffix = Number(code.slice(parentCode.length));
  return suffix >= from && suffix <= to ? null : msg('grid.codeRange', range);
}

/** Why a grid's name is not acceptable (at most 100 characters), or null. */
export function gridNameProblem(name: string): string | null {
  return nameProblem(name, 100);
}

/** `gridNameProblem` as a catalogue message. */
export function gridNameIssue(name: string): Msg | null {
  return nameIssue(name, 100);
}
