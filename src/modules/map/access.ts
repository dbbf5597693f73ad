import type { Knex } from 'knex';
import { assertPermitted, can } from '../auth/policy';
import type { Viewer } from '../auth/viewer';
import type { MapLayer } from './layers';
import { currentGridsByCodes } from '../grid/repo';
import type { LayerScope } from './repo';

/**
 * Who sees what of a layer, decided by the policy exactly as the GraphQL services decide it: the layer's action
 * first (anonymous callers get UNAUTHENTICATED → 401 where GraphQL refuses them, FORBIDDEN → 403 for a role or
 * API key without it), then the jurisdiction. A caller the action reaches everywhere (`can(viewer, action,
 * null)`: unscoped actions like reading grids, or a whole-deployment principal) sees every row; a scoped caller
 * sees their jurisdiction's subtree, as `facilities(filter:)` lists it.
 */
export async function layerScope(db: Knex, viewer: Viewer, layer: MapLayer): Promise<LayerScope> {
  // AUTH
  const principal = assertPermitted(viewer, layer.action);
  if (can(viewer, layer.action, null)) return { kind: 'everywhere' };
  if (!principal?.jurisdictionCode) return { kind: 'nothing' };
  const [root] = await currentGridsByCodes(db, [principal.jurisdictionCode]);
  const rootId = root?.id;
  return rootId ? { kind: 'subtree', rootId, account: viewer.kind === 'user' ? viewer.subject : null } : { kind: 'nothing' };
}

/** Whether the viewer may read the layer at all (the layer lists show only those). */
export function mayRead(viewer: Viewer, layer: MapLayer): boolean {
  // A scoped caller may read the layer where their own jurisdiction's root lies.
  const root = viewer.kind === 'anonymous' ? null : viewer.jurisdictionCode;
  return can(viewer, layer.action, root ? { code: root } : null);
}

/** What a cached answer depends on besides the URL: the rows the caller may see. */
export function scopeKey(scope: LayerScope): string {
  return scope.kind === 'subtree' ? `subtree:${scope.rootId}:${scope.account ?? ''}` : scope.kind;
}
