import type { Context } from '../../context';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import { pageSize } from '../../graphql/relay';
import { assertPrincipal } from '../auth/policy';
import { label } from '../grid/edit-service';
import type { GridRow } from '../grid/mappers';
import { pageOfLocated, type LocatedPage } from '../location/repo-list';
import type { LocatedRow } from '../location/mappers';
import { KEY_PLACES } from '../place/repo';
import type { KeyPlaceRow } from '../place/mappers';
import { notCoveredByCamera } from './coverage-repo';
import type { CameraCoverageSource } from './mappers';

export interface CameraCountFigures {
  keyPlaceCount: number;
  coveredKeyPlaceCount: number;
  /** Null when there are no key places: a share of nothing is no answer (1 would read as "all covered"). */
  keyPlaceCoverage: number | null;
  onlineCameraCount: number;
}

/**
 * Camera coverage of a grid's subtree (视频监控覆盖): which key places an ONLINE camera sees, and how much of
 * the grid's area. Security data like the cameras themselves (`facility:read` on the grid). The figures are
 * computed in PostGIS as expensive work, each part only when a field asks for it.
 */
export class CameraCoverageService {
  constructor(private readonly ctx: Context) {}

  /** `Grid.cameraCoverage`: checks the caller and the grid; the figures are loaded by the fields. */
  coverage(grid: GridRow): CameraCoverageSource {
    // AUTH
    assertPrincipal(this.ctx.viewer, 'facility:read', grid, `the camera coverage of ${label(grid)}`);
    // VALIDATION: cameras keep no history of where they pointed or whether they were online.
    if (grid.as_of) throw badInput(msg('facility.coverageNow', { code: grid.code }), 'cameraCoverage');
    return { grid };
  }

  async counts(source: CameraCoverageSource): Promise<CameraCountFigures> {
    const row = await this.ctx.loaders.facility.cameraCounts.load(source.grid.id);
    return {
      keyPlaceCount: row.key_place_count,
      coveredKeyPlaceCount: row.covered_key_place_count,
      keyPlaceCoverage: row.key_place_count > 0 ? row.covered_key_place_count / row.key_place_count : null,
      onlineCameraCount: row.online_camera_count,
    };
  }

  /** The share (0–1) of the grid's area some ONLINE camera sees. */
  async areaCoverage(source: CameraCoverageSource): Promise<number> {
    const row = await this.ctx.loaders.facility.cameraArea.load(source.grid.id);
    if (!row) throw new Error(`the database returned no camera area for ${source.grid.code}`);
    return row.area_sqm > 0 ? Math.min(1, row.covered_sqm / row.area_sqm) : 0;
  }

  /** The key places of the subtree no ONLINE camera sees, by name. */
  uncovered(source: CameraCoverageSource, args: { first?: number | null; after?: string | null }): Promise<LocatedPage<KeyPlaceRow>> {
    return pageOfLocated<KeyPlaceRow>(this.ctx.db, KEY_PLACES, { subtreeOf: source.grid.id, where: notCoveredByCamera }, pageSize(args.first), args.after);
  }

  /** `KeyPlace.coveredByCamera`: null for callers who may not read facilities where the key place lies. */
  async coveredByCamera(keyPlace: LocatedRow): Promise<boolean | null> {
    if (!(await this.ctx.services.facility.mayReadAt(keyPlace))) return null;
    return this.ctx.loaders.facility.keyPlaceCovered.load(keyPlace.id);
  }
}
