import fs from 'node:fs';

/**
 * CPU seconds used so far by a process, and by all local PostgreSQL processes, read from /proc (Linux).
 * Benchmarks print CPU per request next to throughput: on a small machine where the API, PostgreSQL and
 * the load generator share the cores, it shows which of them a figure is really measuring.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture in use

function cpuOf(statPath: string): number {
  try {
    const stat = fs.readFileSync(statPath, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return 0;
  }
}

export function processCpuSeconds(pid: number): number {
  return cpuOf(`/proc/${pid}/stat`);
}

/** CPU seconds of each running PostgreSQL process, by pid. */
export function postgresCpuSnapshot(): Map<string, number> {
  const snapshot = new Map<string, number>();
  if (!fs.existsSync('/proc')) return snapshot;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') snapshot.set(entry, cpuOf(`/proc/${entry}/stat`));
    } catch {
      // the process ended while we looked
    }
  }
  return snapshot;
}

/**
 * PostgreSQL CPU seconds spent between two snapshots. Per process, so a backend that exits in between
 * (its counters vanish with it) cannot make the sum go backwards; its last moments are not counted.
 */
export function postgresCpuSince(before: Map<string, number>): number {
  let total = 0;
  for (const [pid, cpu] of postgresCpuSnapshot()) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/**
 * PostgreSQL CPU seconds over a stretch in which backends come and go (a CLI's connection ends before its
 * process does): `sample()` now and then keeps each process's latest figure, `total()` sums what each spent
 * since the start, the backends that exited meanwhile included up to their last sample.
 */
export function postgresCpuTracker(): { sample(): void; total(only?: ReadonlySet<string>): number } {
  const before = postgresCpuSnapshot();
  const latest = new Map(before);
  return {
    sample() {
      for (const [pid, cpu] of postgresCpuSnapshot()) latest.set(pid, cpu);
    },
    /** Every process's, or only those of `only` (pids): the backends of one database, say. */
    total(only) {
      this.sample();
      let total = 0;
      for (const [pid, cpu] of latest) if (!only || only.has(pid)) total += cpu - (before.get(pid) ?? 0);
      return total;
    },
  };
}
