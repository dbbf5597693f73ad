import { createHash } from 'node:crypto';

/**
 * Deterministic ids: seeding twice (or on two machines) gives every grid and worker the same id, so links,
 * bookmarks and test expectations survive a re-seed. Formatted as a name-based UUID (version 5 nibble,
 * RFC 4122 variant) over SHA-1 of a prefixed name.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function gridIdFromCode(code: string): string {
  return uuidFromName(`grid:${code}`);
}

/**
 * Workers are keyed by the grid they were generated for and their role (e.g. `130105001002001:FULL_TIME`),
 * not by a running number, so the demo district and the benchmark city can share a database.
 */
export function workerIdFromKey(key: string): string {
  return uuidFromName(`worker:${key}`);
}

export function assignmentIdFromKey(key: string): string {
  return uuidFromName(`assignment:${key}`);
}
