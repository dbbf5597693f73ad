import { msg } from '../../i18n';
import { assertPermitted } from '../auth/policy';
import { RouteError, type RouteRequest } from '../module';
import { ImportInputError, parseMapping, type ImportField } from './import-columns';
import type { TextEncoding } from './import-parse';
import { importPeople } from './import-service';

/**
 * `POST /import/people?dryRun=true&reason=…&fileName=…&encoding=gbk&mapping={…}`: the body is the file itself,
 * `text/csv` or XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), at most
 * IMPORT_MAX_BYTES, streamed. ADMIN or DISPATCHER (`person:import`), each row's house within their
 * jurisdiction. Answers the import report as JSON: 200 when written (or a clean dry run), 422 when rows were
 * refused (nothing written), 400 for a file that cannot be read or lacks a required column.
 */
const ACCEPTED = new Set([
  'text/csv',
  'application/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel',
  'application/octet-stream',
]);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Worker threads of one upload: the server keeps a core for everyone else's requests. */
const THREADS = 1;

export async function importPeopleRoute(request: RouteRequest): Promise<void> {
  const { url, headers, res, viewer, db, gate, clientKey, config, requestId, locale } = request;
  // AUTH before a byte of the body is read
  assertPermitted(viewer, 'person:import');
  const [type, ...params] = (headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (!ACCEPTED.has(type)) {
    throw new RouteError(415, msg('import.contentType', { xlsx: XLSX, got: type.slice(0, 80) }), 'UNSUPPORTED_MEDIA_TYPE');
  }
  const q = url.searchParams;
  const dryRun = flag(q.get('dryRun'));
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  const encoding = encodingOf(q.get('encoding') ?? charset ?? null);
  const mapping = mappingOf(q.get('mapping'));
  const fileName = fileNameOf(q.get('fileName'), headers['content-disposition'], type === XLSX ? 'upload.xlsx' : 'upload.csv');
  const reason = q.get('reason');
  if (reason !== null && reason.length > 500) throw new RouteError(400, msg('import.reasonLength'), 'BAD_USER_INPUT', 'reason');

  const report = await gate.run('import', clientKey, async () => {
    try {
      return await importPeople({ db, config, viewer, requestId }, request.body(config.limits.importMaxBytes, 'IMPORT_MAX_BYTES'), {
        fileName,
        dryRun,
        reason,
        encoding,
        mapping,
        threads: THREADS,
        locale,
      });
    } catch (err) {
      if (err instanceof ImportInputError) throw new RouteError(400, err.localized ?? err.message, 'BAD_USER_INPUT');
      throw err;
    }
  });
  res.writeHead(report.refusedRows > 0 ? 422 : 200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(report));
}

function flag(value: string | null): boolean {
  if (value === null || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new RouteError(400, msg('import.dryRun', { got: value.slice(0, 20) }), 'BAD_USER_INPUT', 'dryRun');
}

function encodingOf(value: string | null): TextEncoding | undefined {
  if (value === null) return undefined;
  const v = value.toLowerCase().replace(/_/g, '-');
  if (v === 'utf-8' || v === 'utf8') return 'utf-8';
  if (['gbk', 'gb2312', 'gb18030', 'cp936'].includes(v)) return 'gb18030';
  throw new RouteError(400, msg('import.encoding', { got: value.slice(0, 20) }), 'BAD_USER_INPUT', 'encoding');
}

function mappingOf(value: string | null): Map<string, ImportField> | undefined {
  if (value === null) return undefined;
  try {
    return parseMapping(JSON.parse(value));
  } catch (err) {
    const detail = err instanceof SyntaxError ? msg('import.mappingJson', { detail: err.message }) : msg('import.mapping', { detail: err instanceof ImportInputError ? (err.localized ?? err.message) : (err as Error).message });
    throw new RouteError(400, detail, 'BAD_USER_INPUT', 'mapping');
  }
}

/** `fileName=`, else the filename of a Content-Disposition header, else a default: a name for the report and the audit row. */
function fileNameOf(given: string | null, disposition: string | undefined, fallback: string): string {
  const fromHeader = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
  let name = given ?? fromHeader ?? fallback;
  try {
    name = decodeURIComponent(name);
  } catch {
    // kept as sent
  }
  // No paths, no control characters, a sane length: the name is shown and stored.
  return name.replace(/^.*[\\/]/, '').replace(/\p{Cc}/gu, '').slice(0, 200) || fallback;
}
