import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip, type BrotliCompress, type Gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import { addVary } from './cors';

/**
 * Compression of streamed HTTP bodies (the GeoJSON export): the encoding the client prefers by its
 * `Accept-Encoding` (q-values, then the order it lists them; negotiator reads the header), and a streaming
 * compressor for it. Settings favour speed: brotli quality 5 and gzip level 6 compress GeoJSON 5–7× at tens
 * of MB/s, where brotli's default quality 11 would make the export CPU-bound.
 */
export type BodyEncoding = 'br' | 'gzip';

export function negotiateEncoding(headers: IncomingHttpHeaders): BodyEncoding | null {
  const chosen = new Negotiator({ headers }).encoding(['br', 'gzip', 'identity']);
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

export function compressStream(encoding: BodyEncoding): BrotliCompress | Gzip {
  return encoding === 'br'
    ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
    : createGzip({ level: 6 });
}


const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Compression of whole answers held in memory (GraphQL responses, the pages' assets): brotli or gzip by the
 * client's Accept-Encoding, above a size (COMPRESSION_MIN_BYTES) under which it would cost more than it saves.
 * Brotli at quality 5 is about as fast as gzip and compresses JSON a fifth better; its default, 11, is meant for
 * files compressed once, not for each answer. Compression runs on libuv's thread pool, off the event loop.
 */
export function compress(body: Buffer, encoding: BodyEncoding, quality: 'fast' | 'best' = 'fast'): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(body, { level: quality === 'best' ? 9 : 6 });
  return brotli(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality === 'best' ? 11 : 5,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

/**
 * Sends `body` with the headers already set on `res`, compressed when the client accepts it and it is at least
 * `minBytes` long. `Vary: Accept-Encoding` either way: a cache must not hand a compressed answer to a client
 * that cannot read it, nor the plain one to every client.
 */
export async function sendCompressible(headers: IncomingHttpHeaders, res: ServerResponse, body: string | Buffer, minBytes: number): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  addVary(res, 'Accept-Encoding');
  const encoding = bytes.length >= minBytes ? negotiateEncoding(headers) : null;
  const out = encoding ? await compress(bytes, encoding) : bytes;
  if (encoding) res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', String(out.length));
  res.end(out);
}
