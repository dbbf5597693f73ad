import { assertPermitted } from '../auth/policy';
import { RouteError, type RouteRequest } from '../module';
import { ExportRequestError, exportFilter, streamGridsGeoJSON } from './export';

/** How long an export's next page waits for a slot of the cap on expensive work before the export is cut. */
const EXPORT_PAGE_WAIT_MS = 30_000;

/**
 * `GET /export/grids.geojson?level=&ancestor=&asOf=&bbox=&simplifyMeters=&precision=&crs=`: grids streamed as one
 * GeoJSON FeatureCollection (compressed by Accept-Encoding, ETag and 304).
 */
export async function exportGridsRoute({ url, res, headers, viewer, clientKey, db, gate }: RouteRequest): Promise<void> {
  assertPermitted(viewer, 'grid:export');
  let filter;
  try {
    filter = await exportFilter(db, url.searchParams);
  } catch (err) {
    if (err instanceof ExportRequestError) throw new RouteError(400, err.message, 'BAD_USER_INPUT');
    throw err;
  }
  // Exempt from the response-size cap (it streams page by page); each page's query under the cap on
  // expensive work.
  await streamGridsGeoJSON(db, filter, { res, headers, shared: viewer.kind === 'anonymous' }, {
    first: (work) => gate.run('export', clientKey, work),
    next: (work) => gate.runWhenFree('export', clientKey, work, EXPORT_PAGE_WAIT_MS),
  });
}
