import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { negotiateEncoding, type BodyEncoding } from '../shared/http-compression';
import { addVary } from './cors';

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
