import { nameProblem } from '../../shared/text';
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
  if (parentLevel === null) {
    return level === 'DISTRICT' ? null : `a ${level} needs a parent (only a DISTRICT has none)`;
  }
  if (level === 'DISTRICT') return 'a DISTRICT is a root: it has no parent';
  const allowed = CHILD_LEVELS[parentLevel];
  if (allowed.includes(level)) return null;
  return allowed.length
    ? `a ${level} cannot sit under a ${parentLevel}; under a ${parentLevel} go: ${allowed.join(', ')}`
    : `a ${parentLevel} has no child grids`;
}

/** Why `code` is not a valid code for a `level` grid under `parentCode`, or null when it is. */
export function codeProblem(code: string, level: GridLevel, parentCode: string | null): string | null {
  if (parentCode === null) return DISTRICT_CODE.test(code) ? null : `a district code is 6 digits (got "${code}")`;
  const { from, to } = suffixRange(level);
  const expected = `${parentCode} followed by 3 digits from ${String(from).padStart(3, '0')} to ${to}`;
  if (!code.startsWith(parentCode) || code.length !== parentCode.length + 3 || !/^\d+$/.test(code)) {
    return `the code must be the parent's code ${expected} (got "${code}")`;
  }
  const suffix = Number(code.slice(parentCode.length));
  return suffix >= from && suffix <= to ? null : `the code must be ${expected} (got "${code}")`;
}

/** Why a grid's name is not acceptable (at most 100 characters), or null. */
export function gridNameProblem(name: string): string | null {
  return nameProblem(name, 100);
}
