import { badInput } from '../errors';
import { msg } from '../i18n';

/**
 * Relay object identification and cursor connections. Global ids are `base64url("<Type>:<uuid>")`: opaque to
 * clients, but they say which type (and so which module, src/modules/index.ts) to look in, which `node(id:)` needs.
 */
export type NodeType = string;
const TYPE_NAME = /^[A-Z][A-Za-z]{0,63}$/;
/** A database id (uuid), as ids in global ids and cursors must be. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** The type and database id behind a global id, or null when it is not one of ours. */
export function fromGlobalId(globalId: string): { type: NodeType; id: string } | null {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return null;
  const type = decoded.slice(0, sep);
  const id = decoded.slice(sep + 1);
  return TYPE_NAME.test(type) && UUID.test(id) ? { type, id } : null;
}

/** A global id argument that must name an object of `type`; `field` names the argument in the error. */
export function expectGlobalId(globalId: string, type: NodeType, field: string): string {
  const parsed = fromGlobalId(globalId);
  if (!parsed || parsed.type !== type) {
    throw badInput(msg('input.notAnId', { field, type, got: globalId.slice(0, 100) }), field);
  }
  return parsed.id;
}

export const PAGE_SIZE = { default: 20, max: 100 } as const;

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return PAGE_SIZE.default;
  if (!Number.isInteger(first) || first < 1 || first > PAGE_SIZE.max) {
    throw badInput(msg('input.pageSize', { field, max: PAGE_SIZE.max, got: first }), field);
  }
  return first;
}

/**
 * Cursors are keyset positions (the sort key of the last row seen), not offsets, so a page stays correct
 * while rows are inserted before it and deep pages cost the same as the first.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number, field = 'after'): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(msg('input.cursor', { field, got: cursor.slice(0, 100) }), field);
}

/**
 * The (code, id) keyset position of a grid cursor, as every GridConnection issues them: a forged one (a code
 * that is not digits, an id that is not a uuid) is refused here rather than by the database.
 */
export function decodeGridCursor(after: string, field = 'after'): [string, string] {
  const [code, id] = decodeCursor(after, 2, field);
  if (typeof code !== 'string' || typeof id !== 'string' || !/^\d{1,21}$/.test(code) || !UUID.test(id)) {
    throw badInput(msg('input.gridCursor', { field, got: after.slice(0, 100) }), field);
  }
  return [code, id];
}
