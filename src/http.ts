import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Config } from './config';
import { createContext, type Context } from './context';
import type { Database } from './db/knex';
import { classifyError, HTTP_STATUS, rateLimited, serviceUnavailable, unauthenticated, type ErrorCode } from './errors';
import type { ConcurrencyGate } from './limits/concurrency';
import type { RateLimiter } from './limits/rate-limit';
import { tooLarge } from './limits/response-budget';
import type { Logger } from './logger';
import type { Authenticator } from './modules/auth/authenticate';
import { IdentityProviderUnavailableError, InvalidTokenError } from './modules/auth/jwt';
import type { Viewer } from './modules/auth/viewer';
import { ClientGoneError } from './modules/grid/export';
import { ROUTES } from './modules';
import { RouteError, type RouteHandler } from './modules/module';

export interface HttpDeps {
  apollo: ApolloServer<Context>;
  log: Logger;
  config: Config;
  database: Database;
  authenticator: Authenticator;
  limiter: RateLimiter;
  gate: ConcurrencyGate;
}

/**
 * Statuses of the plain HTTP routes (the export), which have no GraphQL body to carry a code in: a refusal is
 * 403, a statement cut off by a timeout is 503.
 */
const PLAIN_STATUS: Partial<Record<ErrorCode, number>> = { FORBIDDEN: 403, REQUEST_TIMEOUT: 503 };

/** A failure answered with a status and a JSON body (GraphQL-shaped on /graphql). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  static from(err: GraphQLError): HttpError {
    const code = err.extensions.code as ErrorCode;
    const retry = err.extensions.retryAfterSeconds;
    return new HttpError(PLAIN_STATUS[code] ?? HTTP_STATUS[code] ?? 400, err.message, code, typeof retry === 'number' ? retry : undefined);
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const READY_TIMEOUT_MS = 2000;

/** Who is calling and from where: the viewer and the key the per-client limits count under. */
interface Caller {
  viewer: Viewer;
  clientKey: string;
}

/**
 * The whole HTTP surface: `/graphql` (Apollo), the modules' routes (`/export/grids.geojson`, ...), `/healthz` (the process is up),
 * `/readyz` (the database answers). Plain node:http: there is nothing here a framework would simplify, and
 * every request on the mobile resolve path skips a middleware stack. Every API request is authenticated
 * (a bad credential is 401, never anonymous) and counted against its client's rate limit (429) first.
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
          url: req.url?.slice(0, 500),
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        },
        'request',
      );
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    route(deps, req, res, url, requestId).catch((err: unknown) => {
      if (err instanceof ClientGoneError) {
        deps.log.info({ reqId: requestId }, err.message);
        return;
      }
      const known = err instanceof HttpError ? err : classified(err);
      if (known && !res.headersSent) {
        sendError(res, url.pathname === '/graphql', known);
        return;
      }
      deps.log.error({ reqId: requestId, err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
      else res.destroy();
    });
  };
}

function classified(err: unknown): HttpError | null {
  const e = classifyError(err);
  return e ? HttpError.from(e) : null;
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
  switch (url.pathname) {
    case '/graphql':
      return graphql(deps, req, res, url, requestId, await admit(deps, req));
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      try {
        await deps.database.ping(READY_TIMEOUT_MS);
        return sendJson(res, 200, { status: 'ready' });
      } catch (err) {
        deps.log.warn({ reqId: requestId, err }, 'readiness check failed');
        res.setHeader('retry-after', '5');
        return sendJson(res, 503, { status: 'unavailable', reason: 'database unreachable' });
      }
    case '/':
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    default: {
      const methods = ROUTES.get(url.pathname);
      if (!methods) throw new HttpError(404, `no route for ${url.pathname.slice(0, 100)}; the API is at /graphql`);
      const asked = (req.method ?? 'GET').toUpperCase();
      const method = asked === 'HEAD' ? 'GET' : asked;
      const handler = method === 'GET' || method === 'POST' ? methods.get(method) : undefined;
      if (!handler) {
        res.setHeader('allow', [...methods.keys()].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', '));
        throw new HttpError(405, `${url.pathname.slice(0, 100)} answers ${[...methods.keys()].join(' and ')}, not ${asked.slice(0, 20)}`);
      }
      return moduleRoute(deps, handler, req, res, url, requestId, await admit(deps, req));
    }
  }
}

/** Authenticates the caller (401 on a bad credential) and takes one request from their rate limit (429). */
async function admit(deps: HttpDeps, req: IncomingMessage): Promise<Caller> {
  const address = `ip:${clientAddress(req, deps.config.trustProxy)}`;
  let viewer: Viewer;
  try {
    viewer = await deps.authenticator.authenticate(req.headers.authorization);
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      // A refused credential still counts against the address: guessing keys or tokens is rate limited too.
      takeFromRateLimit(deps, address);
      throw HttpError.from(unauthenticated(err.message));
    }
    if (err instanceof IdentityProviderUnavailableError) throw HttpError.from(serviceUnavailable(err.message, 5));
    throw err;
  }
  const clientKey = viewer.kind === 'user' ? `user:${viewer.subject}` : viewer.kind === 'service' ? `key:${viewer.keyId}` : address;
  takeFromRateLimit(deps, clientKey);
  return { viewer, clientKey };
}

function takeFromRateLimit(deps: HttpDeps, clientKey: string): void {
  const decision = deps.limiter.take(clientKey);
  if (decision.ok) return;
  const message = `too many requests: the limit is ${deps.limiter.perMinute} a minute per client (RATE_LIMIT_PER_MINUTE); retry in ${decision.retryAfterSeconds} s`;
  throw HttpError.from(rateLimited(message, decision.retryAfterSeconds));
}

/**
 * The client's address: the connection's, or behind a reverse proxy (TRUST_PROXY) the one the proxy appended
 * to X-Forwarded-For, the last entry (earlier entries are whatever the client claimed).
 */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) {
    const hops = forwarded.split(',').map((h) => h.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1];
  }
  return req.socket.remoteAddress ?? 'unknown';
}

async function graphql(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: Caller): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const body = method === 'POST' ? await readJsonBody(req, deps.config.limits.maxRequestBytes) : undefined;
  const { database, config, log } = deps;
  const response = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () =>
      createContext({
        requestId,
        viewer: caller.viewer,
        db: database.knex,
        log: log.child({ reqId: requestId }),
        config,
        clientKey: caller.clientKey,
        gate: deps.gate,
        cancellable: database.kind === 'postgres',
        onApiKeyRevoked: deps.authenticator.forgetApiKey,
      }),
  });
  if (response.body.kind === 'complete' && Buffer.byteLength(response.body.string) > config.limits.maxResponseBytes) {
    // The backstop behind the budget charged while resolving: nothing bigger than the limit goes out.
    const error = tooLarge(config.limits.maxResponseBytes);
    sendJson(res, 200, { errors: [{ message: error.message, extensions: { code: 'RESPONSE_TOO_LARGE', limitBytes: config.limits.maxResponseBytes } }] });
    return;
  }
  res.statusCode = response.status ?? 200;
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A module's plain route (src/modules/index.ts), with its refusals turned into statuses. */
async function moduleRoute(deps: HttpDeps, handler: RouteHandler, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, caller: Caller): Promise<void> {
  try {
    await handler({
      method: req.method?.toUpperCase() === 'POST' ? 'POST' : 'GET',
      url,
      headers: req.headers,
      body: (maxBytes, setting) => limitedBody(req, maxBytes, setting),
      requestId,
      res,
      viewer: caller.viewer,
      clientKey: caller.clientKey,
      db: deps.database.knex,
      gate: deps.gate,
      config: deps.config,
    });
  } catch (err) {
    if (err instanceof RouteError) throw new HttpError(err.status, err.message, err.code);
    if (err instanceof GraphQLError) throw HttpError.from(err);
    throw err;
  }
}

class UploadAbandoned extends ClientGoneError {
  override readonly message = 'the client closed the connection during its upload';
}

/**
 * A request body streamed to a route, cut at `maxBytes`: a declared length above it is refused before anything
 * is read, and a body that grows past it fails the stream (either way 413, naming the setting to raise). The
 * request itself is never destroyed here, so the route's answer still reaches the client; what it does not
 * read is discarded once the answer is sent.
 */
function limitedBody(req: IncomingMessage, maxBytes: number, setting: string): Readable {
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

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
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

function sendError(res: ServerResponse, graphqlShaped: boolean, err: HttpError): void {
  if (err.retryAfterSeconds) res.setHeader('retry-after', String(err.retryAfterSeconds));
  if (graphqlShaped) {
    sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code ?? 'BAD_REQUEST', ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}) } }] });
  } else {
    sendJson(res, err.status, { error: err.message, ...(err.code ? { code: err.code } : {}) });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

