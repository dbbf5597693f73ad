import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Knex } from 'knex';
import { UUID } from '../../graphql/relay';
import type { Problems } from '../../shared/payload';
import { msg } from '../../i18n';
import { assertPermitted, mayReadIncident } from '../auth/policy';
import { RouteError, type RouteRequest } from '../module';
import { bad } from '../person/group-checks';
import { PHOTO_TYPES, type PhotoInput } from './checks';
import * as repo from './repo';

/**
 * Photos as files: `POST /uploads` takes one image as the request body (at most UPLOAD_MAX_BYTES, streamed to
 * UPLOAD_DIR, its type read from its first bytes, not trusted from the header) and answers its id and URL; a
 * report or a progress entry then names it (`photos: [{ uploadId }]`), which attaches it to that incident.
 * `GET /uploads/<id>` serves it to whoever may read the incident (before that, to the uploader only).
 */

type PhotoType = (typeof PHOTO_TYPES)[number];

/** The image type a file's first bytes show (JPEG, PNG, WebP, HEIC), or null. */
export function sniffImage(head: Buffer): PhotoType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp' && ['heic', 'heix', 'mif1', 'msf1', 'heis'].includes(head.subarray(8, 12).toString('latin1'))) return 'image/heic';
  return null;
}

const HEAD_BYTES = 16;

export async function uploadRoute(request: RouteRequest): Promise<void> {
  const { headers, res, viewer, db, config } = request;
  // AUTH before a byte of the body is read: staff who report and handle incidents.
  const principal = assertPermitted(viewer, 'incident:report')!;
  const declared = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && !(PHOTO_TYPES as readonly string[]).includes(declared)) {
    throw new RouteError(415, msg('upload.type', { types: PHOTO_TYPES.join(', '), got: declared.slice(0, 80) }), 'UNSUPPORTED_MEDIA_TYPE');
  }
  await fs.promises.mkdir(config.uploads.dir, { recursive: true });
  const id = randomUUID();
  const temporary = path.join(config.uploads.dir, `.${id}.part`);
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let bytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      bytes += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(request.body(config.uploads.maxBytes, 'UPLOAD_MAX_BYTES'), measure, fs.createWriteStream(temporary, { flags: 'wx' }));
    const type = sniffImage(head);
    if (bytes === 0) throw new RouteError(400, msg('upload.empty'), 'BAD_USER_INPUT');
    if (!type) throw new RouteError(415, msg('upload.notImage', { types: PHOTO_TYPES.join(', ') }), 'UNSUPPORTED_MEDIA_TYPE');
    if (declared && declared !== 'application/octet-stream' && declared !== type) {
      throw new RouteError(415, msg('upload.mismatch', { declared, type }), 'UNSUPPORTED_MEDIA_TYPE');
    }
    await fs.promises.rename(temporary, path.join(config.uploads.dir, id));
    await db.raw(
      `/* insertIncidentUpload */ INSERT INTO incident_upload (id, content_type, bytes, sha256, uploaded_by) VALUES (?, ?, ?, ?, ?)`,
      [id, type, bytes, hash.digest('hex'), principal.subject],
    );
    const body = { id, url: uploadUrl(config.publicUrl, id), contentType: type, bytes };
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  } finally {
    await fs.promises.rm(temporary, { force: true });
  }
}

export const uploadUrl = (publicUrl: string, id: string) => `${publicUrl}/uploads/${id}`;

export async function uploadedFileRoute(request: RouteRequest): Promise<void> {
  const { url, res, viewer, db, config } = request;
  assertPermitted(viewer, 'incident:read');
  const id = url.pathname.slice('/uploads/'.length);
  const notFound = () => new RouteError(404, msg('upload.notFound', { id: id.slice(0, 40) }), 'NOT_FOUND');
  if (!UUID.test(id)) throw notFound();
  const { rows } = await db.raw('/* incidentUpload */ SELECT content_type, bytes::float8 AS bytes, uploaded_by, incident_id FROM incident_upload WHERE id = ?', [id]);
  const upload = rows[0];
  if (!upload) throw notFound();
  if (upload.incident_id) {
    const [incident] = await repo.incidentsByIds(db, [upload.incident_id]);
    if (!incident || !mayReadIncident(viewer, incident)) throw new RouteError(403, msg('upload.outside'), 'FORBIDDEN');
  } else if (viewer.kind === 'anonymous' || viewer.subject !== upload.uploaded_by) {
    throw notFound();
  }
  res.writeHead(200, {
    'content-type': upload.content_type,
    'content-length': String(upload.bytes),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=3600',
  });
  await pipeline(fs.createReadStream(path.join(config.uploads.dir, id)), res);
}

/**
 * The photos of an entry, ready to insert: URLs as given; uploads looked up (and locked), which must be the
 * caller's own and not yet attached to an incident. Problems name the photo.
 */
export async function resolvePhotos(trx: Knex.Transaction, photos: readonly PhotoInput[], uploadedBy: string, publicUrl: string, problems: Problems): Promise<repo.NewPhoto[]> {
  const ids = photos.flatMap((p) => ('uploadId' in p ? [p.uploadId] : []));
  const { rows } = ids.length
    ? await trx.raw(
        `/* incidentUploadsToAttach */ SELECT id, content_type, bytes::float8 AS bytes FROM incident_upload
         WHERE id = ANY(?::uuid[]) AND uploaded_by = ? AND incident_id IS NULL FOR UPDATE`,
        [ids, uploadedBy],
      )
    : { rows: [] };
  const found = new Map<string, { content_type: string; bytes: number }>(rows.map((r: { id: string; content_type: string; bytes: number }) => [r.id, r]));
  return photos.flatMap((p, i) => {
    if (!('uploadId' in p)) return [p];
    const upload = found.get(p.uploadId);
    if (!upload) {
      problems.add(bad(`input.photos[${i}].uploadId`, msg('upload.unused', { field: `photos[${i}].uploadId` })));
      return [];
    }
    return [{ url: uploadUrl(publicUrl, p.uploadId), contentType: upload.content_type, bytes: upload.bytes, uploadId: p.uploadId }];
  });
}
