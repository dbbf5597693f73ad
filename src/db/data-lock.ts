import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One process at a time on an embedded data directory. PGlite runs PostgreSQL inside the process that opens
 * it: a second process opening the same files (`npm run import` while `npm start` runs) works on its own copy
 * in memory, its writes never reach the first, and whichever closes last overwrites the other's. PGlite's own
 * `postmaster.pid` holds a made-up PID and locks nothing, hence this lock file: created exclusively (O_EXCL),
 * it names the holder; a lock whose process is gone (killed, crashed, machine rebooted) is taken over.
 */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  since: string;
  /** Where the holder serves the API, once it listens (the token CLI asks it about grid codes). */
  url?: string;
}

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}` +
        `${holder.url ? `, serving ${holder.url}` : ''}). Two processes must not open it at once: stop that one first ` +
        `(or, for a shared database, set DATABASE_URL to a PostgreSQL server).`,
    );
    this.name = 'DataDirectoryLockedError';
  }
}

export const LOCK_FILE = 'grid-registry.lock';

export interface DataLock {
  readonly file: string;
  /** Records where the holder serves the API. */
  setUrl(url: string): void;
  release(): void;
}

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

/** The live holder of a data directory's lock, or null (no lock, or a stale one). */
export function currentHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(lockFilePath(dataDir));
  return holder && alive(holder) ? holder : null;
}

export function acquireDataLock(dataDir: string): DataLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockFilePath(dataDir);
  const me: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    command: process.argv.slice(1).map((a) => path.basename(a)).join(' ') || 'node',
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new DataDirectoryLockedError(dataDir, readHolder(file) ?? me);
        throw err;
      }
      const holder = readHolder(file);
      if (holder && alive(holder)) throw new DataDirectoryLockedError(dataDir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // Only our own lock: never delete one a later process took over.
    if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  // A process that exits without closing the database (process.exit in a CLI) still lets go.
  process.on('exit', release);
  return {
    file,
    setUrl(url) {
      if (!released) fs.writeFileSync(file, JSON.stringify({ ...me, url }));
    },
    release,
  };
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null; // missing, or half-written by a process that died at that instant: stale either way
  }
}

/** Whether the holder still runs. Another machine's lock (a shared network disk) is taken as live. */
function alive(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but someone else's
  }
}
