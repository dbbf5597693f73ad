import { forbidden, unauthenticated } from '../../errors';
import type { AuthenticatedViewer, Viewer } from '../auth/viewer';

/** Who may draw and edit grids: GIS staff and administrators. */
const EDITOR_ROLES = new Set(['ADMIN', 'GIS_EDITOR']);

export type Editor = AuthenticatedViewer;

export function requireEditor(viewer: Viewer): Editor {
  if (viewer.kind !== 'user') throw unauthenticated('editing grids needs a bearer token (role GIS_EDITOR or ADMIN)');
  if (!EDITOR_ROLES.has(viewer.role)) throw forbidden(`editing grids needs role GIS_EDITOR or ADMIN; yours is ${viewer.role}`);
  return viewer;
}
