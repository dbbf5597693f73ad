import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Config } from './config';
import { createContext, type Context } from './context';
import { sendCompressible } from './http/compression';
import { addVary, applyCors, originPolicy, type OriginPolicy } from './http/cors';
import { ASSET_PREFIX, editorPage, editorSettings, queryPage, wantsQueryPage, WebPages } from './http/pages';
import { HttpError, sendError, sendJson } from './http/answer';
import { limitedBody, readJsonBody } from './http/body';
import { msg, negotiateLocale, render, type Locale } from './i18n';
import type { Database } from './db/knex';
import { classifyError, rateLimited, serviceUnavailable, unauthenticated } from './errors';
import type { ConcurrencyGate } from './limits/concurrency';
import type { RateLimiter } from './limits/rate-limit';
import { tooLarge } from './limits/response-budget';
import type { Logger } from './logger';
import type { Authenticator } from './modules/auth/authenticate';
import { IdentityProviderUnavailableError, InvalidTokenError } from './modules/auth/jwt';
import type { Viewer } from './modules/auth/viewer';
import { ClientGoneError } from './modules/grid/export';
import { findRoute } from './modules';
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

/** The deps with what the handler builds once from them: the CORS policy and the built pages. */
interface Http extends HttpDeps {
  origins: OriginPolicy;
  pages: WebPages;
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
export function createRequestHandler(httpDeps: HttpDeps) {
  const deps: Http = { ...httpDeps, origins: originPolicy(httpDeps.config.corsOrigins), pages: new WebPages() };
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
    // Preflights are answered here, before authentication: they carry no credentials.
    if (applyCors(req, res, deps.origins)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const locale = negotiateLocale(req.headers['accept-language'], deps.config.defaultLocale);
    route(deps, req, res, url, requestId, locale).catch((err: unknown) => {
      if (err instanceof ClientGoneError) {
        deps.log.info({ reqId: requestId }, err.message);
        return;
      }
      const known = err instanceof HttpError ? err : classified(err);
      if (known && !res.headersSent) {
        sendError(res, url.pathname === '/graphql', known, locale);
        return;
      }
      deps.log.error({ reqId: requestId, err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: render(msg('route.internal'), locale) });
      else res.destroy();
    });
  };
}

function classified(err: unknown): HttpError | null {
  const e = classifyError(err);
  return e ? HttpError.from(e) : null;
}

async function route(deps: Http, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, locale: Locale): Promise<void> {
  switch (url.pathname) {
    case '/graphql':
      // The same URL answers a browser with the query page and a client with JSON, by Accept: caches must know.
      addVary(res, 'Accept');
      if (wantsQueryPage(req, url)) return queryPage(deps.pages, deps.config.queryPage, req, res);
      return graphql(deps, req, res, url, requestId, locale, await admit(deps, req));
    case '/editor':
      return editorPage(deps.pages, deps.config.editor, req, res);
    case '/editor/config.json':
      return sendJson(res, 200, editorSettings(deps.config.editor));
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
      if (url.pathname.startsWith(ASSET_PREFIX) && (req.method === 'GET' || req.method === 'HEAD') && (await deps.pages.asset(req, res, url.pathname))) return;
      const methods = findRoute(url.pathname);
      if (!methods) throw new HttpError(404, msg('route.notFound', { path: url.pathname.slice(0, 100) }), 'NOT_FOUND');
      const asked = (req.method ?? 'GET').toUpperCase();
      const method = asked === 'HEAD' ? 'GET' : asked;
      const handler = method === 'GET' || method === 'POST' ? methods.get(method) : undefined;
      if (!handler) {
        res.setHeader('allow', [...methods.keys()].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', '));
        throw new HttpError(405, msg('route.method', { path: url.pathname.slice(0, 100), allowed: [...methods.keys()].join(' and '), asked: asked.slice(0, 20) }), 'METHOD_NOT_ALLOWED');
      }
      return moduleRoute(deps, handler, req, res, url, requestId, locale, await admit(deps, req));
    }
  }
}

/** Whose rate limit a request counts against: a token's subject, an API key, else the address (`ip:…`), on HTTP and sockets alike. */
export function clientKeyOf(viewer: Viewer, address: string): string {
  return viewer.kind === 'user' ? `user:${viewer.subject}` : viewer.kind === 'service' ? `key:${viewer.keyId}` : address;
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
      throw HttpError.from(unauthenticated(err.localized ?? err.message));
    }
    if (err instanceof IdentityProviderUnavailableError) throw HttpError.from(serviceUnavailable(err.localized ?? err.message, 5));
    throw err;
  }
  const clientKey = clientKeyOf(viewer, address);
  takeFromRateLimit(deps, clientKey);
  return { viewer, clientKey };
}

function takeFromRateLimit(deps: HttpDeps, clientKey: string): void {
  const decision = deps.limiter.take(clientKey);
  if (decision.ok) return;
  const message = msg('limit.rate', { perMinute: deps.limiter.perMinute, retry: decision.retryAfterSeconds });
  throw HttpError.from(rateLimited(message, decision.retryAfterSeconds));
}

/**
 * The client's address: the connection's, or behind a reverse proxy (TRUST_PROXY) the one the proxy appended
 * to X-Forwarded-For, the last entry (earlier entries are whatever the client claimed).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) {
    const hops = forwarded.split(',').map((h) => h.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1];
  }
  return req.socket.remoteAddress ?? 'unknown';
}

async function graphql(deps: Http, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, locale: Locale, caller: Caller): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const body = method === 'POST' ? await readJsonBody(req, deps.config.limits.maxRequestBytes) : undefined;
  const { config } = deps;
  const response = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => requestContext(deps, requestId, locale, caller),
  });
  if (response.body.kind === 'complete' && Buffer.byteLength(response.body.string) > config.limits.maxResponseBytes) {
    // The backstop behind the budget charged while resolving: nothing bigger than the limit goes out.
    const error = HttpError.from(tooLarge(config.limits.maxResponseBytes));
    sendJson(res, 200, { errors: [{ message: error.text(locale), extensions: { code: 'RESPONSE_TOO_LARGE', limitBytes: config.limits.maxResponseBytes } }] });
    return;
  }
  res.statusCode = response.status ?? 200;
  // Apollo's Vary (content negotiation) joins the one CORS set rather than replacing it.
  for (const [key, value] of response.headers) {
    if (key === 'vary') addVary(res, value);
    else res.setHeader(key, value);
  }
  if (response.body.kind === 'complete') {
    await sendCompressible(req.headers, res, response.body.string, config.compressionMinBytes);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A module's plain route (src/modules/index.ts), with its refusals turned into statuses. */
async function moduleRoute(deps: Http, handler: RouteHandler, req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, locale: Locale, caller: Caller): Promise<void> {
  let context: Context | undefined;
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
      locale,
      context: () => (context ??= requestContext(deps, requestId, locale, caller)),
    });
  } catch (err) {
    if (err instanceof RouteError) throw new HttpError(err.status, err.localized ?? err.message, err.code, undefined, err.field);
    if (err instanceof GraphQLError) throw HttpError.from(err);
    throw err;
  }
}

/** The per-request context of a GraphQL request, and of a plain route (/resolve calls the services GraphQL does). */
function requestContext(deps: Http, requestId: string, locale: Locale, caller: Caller): Context {
  return createContext({
    requestId,
    viewer: caller.viewer,
    db: deps.database.knex,
    log: deps.log.child({ reqId: requestId }),
    config: deps.config,
    locale,
    clientKey: caller.clientKey,
    gate: deps.gate,
    cancellable: deps.database.kind === 'postgres',
    onApiKeyRevoked: deps.authenticator.forgetApiKey,
  });
}
