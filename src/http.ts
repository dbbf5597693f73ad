import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Context } from './context';
import type { Logger } from './logger';
import type { Knex } from 'knex';
import { ExportRequestError, exportFilter, streamGridsGeoJSON } from './modules/grid/export';

export interface HttpDeps {
  apollo: ApolloServer<Context>;
  log: Logger;
  /** Builds the GraphQL context for a request (viewer from the Authorization header, loaders, ...). */
  context: (req: IncomingMessage, requestId: string) => Promise<Context>;
  /** Resolves when the database answers; rejects otherwise. */
  databaseReady: () => Promise<void>;
  /** The database, for the plain-HTTP endpoints (exports). */
  db: Knex;
  maxBodyBytes: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The whole HTTP surface: `/graphql` (Apollo), `/healthz` (the process is up), `/readyz` (the database
 * answers). Plain node:http: there is nothing here a framework would simplify, and every request on the
 * mobile resolve path skips a middleware stack.
 */
export function createRequestHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      deps.log.info(
        {
          reqId: requestId,
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        },
        'request',
      );
    });
    route(deps, req, res, requestId).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
      } else {
        deps.log.error({ reqId: requestId, err }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
        else res.destroy();
      }
    });
  };
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/graphql':
      return graphql(deps, req, res, url, requestId);
    case '/export/grids.geojson':
      return exportGrids(deps, res, url);
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      try {
        await deps.databaseReady();
        return sendJson(res, 200, { status: 'ready' });
      } catch (err) {
        deps.log.warn({ reqId: requestId, err }, 'readiness check failed');
        return sendJson(res, 503, { status: 'unavailable', reason: 'database unreachable' });
      }
    case '/':
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    default:
      throw new HttpError(404, `no route for ${url.pathname}; the API is at /graphql`);
  }
}

async function graphql(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const body = method === 'POST' ? await readJsonBody(req, deps.maxBodyBytes) : undefined;
  const response = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: () => deps.context(req, requestId),
  });
  res.statusCode = response.status ?? 200;
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

async function exportGrids(deps: HttpDeps, res: ServerResponse, url: URL): Promise<void> {
  let filter;
  try {
    filter = await exportFilter(deps.db, url.searchParams);
  } catch (err) {
    if (err instanceof ExportRequestError) throw new HttpError(400, err.message);
    throw err;
  }
  await streamGridsGeoJSON(deps.db, filter, res);
}

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json')) return text; // Apollo answers a non-JSON POST with a clear 400 of its own.
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
