import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { ClientGoneError } from '../modules/grid/export';
import { RouteError } from '../modules/module';
import { HttpError } from './answer';

/**
 * Request bodies, read within their limits: a GraphQL request's JSON (MAX_REQUEST_BYTES), and a plain route's
 * body streamed to it (an upload) under the limit the route names.
 */

class UploadAbandoned extends ClientGoneError {
  override readonly message = 'the client closed the connection during its upload';
}

/**
 * A request body streamed to a route, cut at `maxBytes`: a declared length above it is refused before anything
 * is read, and a body that grows past it fails the stream (either way 413, naming the setting to raise). The
 * request itself is never destroyed here, so the route's answer still reaches the client; what it does not
 * read is discarded once the answer is sent.
 */
export function limitedBody(req: IncomingMessage, maxBytes: number, setting: string): Readable {
  const tooLarge = (declared?: number) =>
    new RouteError(413, `request body${declared ? ` of ${declared} bytes` : ''} exceeds ${maxBytes} bytes (${setting})`, 'PAYLOAD_TOO_LARGE');
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw tooLarge(declared);
  let size = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size <= maxBytes) return done(null, chunk);
      req.unpipe(body);
      done(tooLarge());
    },
  });
  // A client gone before the end of its body ends the stream with that, for the reader to see.
  req.on('close', () => {
    if (!req.complete) body.destroy(new UploadAbandoned());
  });
  req.on('error', (err) => body.destroy(err));
  return req.pipe(body);
}

/** A GraphQL request's body: JSON (or the text, for Apollo to refuse), at most `maxBytes`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `request body of ${declared} bytes exceeds ${maxBytes} (MAX_REQUEST_BYTES)`, 'BAD_USER_INPUT');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body exceeds ${maxBytes} bytes (MAX_REQUEST_BYTES)`, 'BAD_USER_INPUT');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json')) return text; // Apollo answers a non-JSON POST with a clear 400 of its own.
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON', 'BAD_REQUEST');
  }
}
