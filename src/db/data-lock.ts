import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One process at a time on an embedded data directory. PGlite runs PostgreSQL inside the process that opens
 * it: a second process opening the same files (`npm run import` while `npm start` runs) works on its own copy
 * in memory, its writes never reach the first, and whichever closes last overwrites the other's. PGlite's own
 * `postmaster.pid` holds a made-up PID and locks nothing, hence this lock file. It appears whole or not at all
 * (written aside, then hard-linked into place, which fails if it exists) and names its holder; the holder
 * touches it every few seconds. A lock is taken over when its process is gone (same host), or when it has not
 * been touched for a minute (another host, e.g. a container recreated on the same volume).
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
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `process ${holder.pid} (${holder.command} on ${holder.hostname}, since ${holder.since}${holder.url ? `, serving ${holder.url}` : ''})`
      : 'another process (it is starting)';
    super(
      `the embedded database in ${dataDir} is in use by ${who}. Two processes must not open it at once: stop that ` +
        'one first (or, for a shared database, set DATABASE_URL to a PostgreSQL server).',
    );
    this.name = 'DataDirectoryLockedError';
  }
}

export const LOCK_FILE = 'grid-registry.lock';
const HEARTBEAT_MS = 10_000;
/** A lock from another host untouched this long is taken as its holder's leftover. */
const STALE_MS = 60_000;
/** A lock file that cannot be read yet is being written, unless it is older than this. */
const UNREADABLE_GRACE_MS = 5_000;

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
  const file = lockFilePath(dataDir);
  const holder = readHolder(file);
  return holder && !isStale(file, holder) ? holder : null;
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
  if (!createExclusively(file, me)) {
    const holder = readHolder(file);
    if (!isStale(file, holder)) throw new DataDirectoryLockedError(dataDir, holder);
    fs.rmSync(file, { force: true });
    // Two processes may find the same stale lock: whoever links first has it.
    if (!createExclusively(file, me)) throw new DataDirectoryLockedError(dataDir, readHolder(file));
  }
  let released = false;
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // removed from under us: nothing to keep alive
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.removeListener('exit', release);
    // Only our own lock: never delete one a later process took over.
    if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  // A process that exits without closing the database (process.exit in a CLI) still lets go.
  process.on('exit', release);
  return {
    file,
    setUrl(url) {
      if (released) return;
      const aside = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(aside, JSON.stringify({ ...me, url }));
      fs.renameSync(aside, file); // replaces it whole
    },
    release,
  };
}

/** Writes the lock aside and links it into place: false when a lock exists already. */
function createExclusively(file: string, holder: LockHolder): boolean {
  const aside = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(aside, JSON.stringify(holder));
  try {
    fs.linkSync(aside, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A file system without hard links: an exclusive create (whose content lands a moment later).
    try {
      fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Whether a lock may be taken over: its process is gone, or it has not been kept alive. */
function isStale(file: string, holder: LockHolder | null): boolean {
  if (!holder) return ageMs(file) > UNREADABLE_GRACE_MS;
  if (holder.hostname !== os.hostname()) return ageMs(file) > STALE_MS;
  if (holder.pid === process.pid) return true; // a PID reused after a restart (containers): not a live holder
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM'; // EPERM: alive, but someone else's
  }
}
