import { assignmentIdFromKey, workerIdFromKey } from './ids';
import { SeededRandom } from './random';
import type { GeneratedGrid } from './tiling';

/**
 * Grid workers (网格员) for generated grids: one full-time worker as the primary of every GRID-level grid,
 * a few of them on leave (so staffing coverage has gaps to report), and part-time workers on some
 * communities, including every community where a grid's worker is on leave (who covers meanwhile).
 */
export interface WorkerRow {
  id: string;
  name: string;
  phone: string;
  role: 'FULL_TIME' | 'PART_TIME';
  status: 'ACTIVE' | 'ON_LEAVE';
  /** Sign-in account (a token's `sub`): `worker-<grid code>`, `-pt` for a community's part-timer. */
  account: string;
}

export interface AssignmentRow {
  id: string;
  workerId: string;
  gridId: string;
  isPrimary: boolean;
}

export interface WorkerPlan {
  seed: number;
  /** How many of the full-time workers are on leave (their grids, in distinct communities, go unstaffed). */
  onLeave: number;
  /** Communities that get a part-time worker: those of the on-leave workers first, then others. */
  partTimeCommunities: number;
}

// The most common surnames, and characters frequent in given names.
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...new Set('伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文辉鹏飞俊波宇浩凯丹萍林琳晨欣雪颖佳慧婷海燕鑫亮斌峰宁春晓东新利振立永庆德云龙红霞晶莉博瑞嘉泽怡悦昊睿轩晗子涵诗雨思萱')];
/** Mainland mobile prefixes in use by China Mobile, China Unicom and China Telecom. */
const MOBILE_PREFIXES = ['130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '166', '177', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '191', '198', '199'];

export function workerName(rng: SeededRandom): string {
  const given = rng.next() < 0.3 ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

export function generateWorkers(grids: readonly GeneratedGrid[], plan: WorkerPlan): { workers: WorkerRow[]; assignments: AssignmentRow[] } {
  const rng = SeededRandom.forStage(plan.seed, 'workers');
  const gridLevel = grids.filter((g) => g.level === 'GRID');
  const communities = grids.filter((g) => g.level === 'COMMUNITY');
  if (plan.partTimeCommunities < plan.onLeave) throw new Error('every on-leave worker\'s community needs a part-time worker');
  if (plan.partTimeCommunities > communities.length) throw new Error(`only ${communities.length} communities for ${plan.partTimeCommunities} part-time workers`);

  // On leave: grids in distinct communities, so each gap is one a community's part-timer can cover.
  const onLeaveGrids = new Set<string>();
  const coveredCommunities = new Set<string>();
  for (const g of rng.shuffle([...gridLevel])) {
    if (onLeaveGrids.size === plan.onLeave) break;
    if (coveredCommunities.has(g.parentId!)) continue;
    onLeaveGrids.add(g.id);
    coveredCommunities.add(g.parentId!);
  }
  if (onLeaveGrids.size < plan.onLeave) throw new Error(`cannot put ${plan.onLeave} workers on leave in distinct communities`);
  for (const c of rng.shuffle(communities.map((g) => g.id))) {
    if (coveredCommunities.size >= plan.partTimeCommunities) break;
    coveredCommunities.add(c);
  }
  const partTimeGrids = communities.filter((g) => coveredCommunities.has(g.id));

  const phones = new Set<string>();
  const workers: WorkerRow[] = [];
  const assignments: AssignmentRow[] = [];
  const hire = (grid: GeneratedGrid, role: WorkerRow['role'], status: WorkerRow['status']) => {
    const key = `${grid.code}:${role}`;
    const account = `worker-${grid.code}${role === 'PART_TIME' ? '-pt' : ''}`;
    const worker: WorkerRow = { id: workerIdFromKey(key), name: workerName(rng), phone: uniquePhone(rng, phones), role, status, account };
    workers.push(worker);
    assignments.push({ id: assignmentIdFromKey(key), workerId: worker.id, gridId: grid.id, isPrimary: true });
  };
  for (const g of gridLevel) hire(g, 'FULL_TIME', onLeaveGrids.has(g.id) ? 'ON_LEAVE' : 'ACTIVE');
  for (const g of partTimeGrids) hire(g, 'PART_TIME', 'ACTIVE');
  return { workers, assignments };
}

function uniquePhone(rng: SeededRandom, taken: Set<string>): string {
  for (;;) {
    const phone = rng.pick(MOBILE_PREFIXES) + String(rng.int(1e8)).padStart(8, '0');
    if (!taken.has(phone)) {
      taken.add(phone);
      return phone;
    }
  }
}
