import { z } from 'zod';
import path from 'node:path';
import { DEVELOPMENT_ORIGINS, parseCorsOrigins } from './http/cors';
import { LOCALES, posixLocale, type Locale } from './i18n/locale';
import { limitsConfig, LIMIT_SETTINGS, type LimitsConfig } from './config/limits';
import { piiKeyProblems, piiKeys, type PiiKeys } from './config/pii-keys';
import { flag, int } from './config/values';

export { DEV_PII_KEY, parsePiiKeys } from './config/pii-keys';

/**
 * The only reader of process.env. Every setting the service understands is declared here, and a bad
 * value stops start-up with one message listing every problem (not just the first one found).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A development-only signing key, so `npm start` and `npm run token` work with nothing configured. */
export const DEV_JWT_SECRET = 'grid-registry-development-secret-not-for-production';

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    PORT: int(0, 65535).default(4000),
    HOST: z.string().min(1).optional(),
    TRUST_PROXY: flag.default(false),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: z.string().url('must be an https:// (or http://) URL of a JSON Web Key Set').optional(),
    JWT_ISSUER: z.string().min(1).default('grid-registry'),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_MAX_LIFETIME_HOURS: z.coerce.number().positive().max(24 * 31).default(24),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    SLOW_QUERY_MS: int(0, 3_600_000).default(200),
    DB_POOL_MAX: int(1, 200).default(10),
    DB_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(10_000),
    DB_LONG_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
    DB_ACQUIRE_TIMEOUT_MS: int(100, 600_000).default(3_000),
    ...LIMIT_SETTINGS,
    UPLOAD_DIR: z.string().min(1).optional(),
    UPLOAD_MAX_BYTES: int(1024, 1_073_741_824).default(10 * 1024 * 1024),
    UPLOAD_UNATTACHED_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
    OUTBOX_RETENTION_DAYS: z.coerce.number().min(2).max(3650).default(30),
    WS_MAX_CONNECTIONS: int(1, 10_000_000).default(20_000),
    WS_MAX_CONNECTIONS_PER_CLIENT: int(1, 1_000_000).default(20),
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 100_000).default(100),
    WS_MAX_MESSAGE_BYTES: int(1024, 100 * 1024 * 1024).default(64 * 1024),
    SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
    MAX_BOUNDARY_VERTICES: int(4, 1_000_000).default(10_000),
    BOUNDARY_TOLERANCE_SQM: z.coerce.number().min(0).max(10_000).default(10),
    PII_KEY: z.string().optional(),
    PII_INDEX_KEY: z.string().optional(),
    PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?$/, 'must be the http:// or https:// address clients reach the service at, without query or fragment')
      .optional(),
    TENANT_REGISTRATION_PER_HOUR: int(0, 10_000).default(5),
    TENANT_GATE_ACCESS_DAYS: int(1, 3650).default(15),
    RESIDENT_REPORTS_PER_HOUR: int(0, 100_000).default(10),
    TRACKING_LOOKUPS_PER_MINUTE: int(0, 100_000).default(30),
    HOUSEHOLD_STANDARD_MIN: int(0, 100_000).default(50),
    HOUSEHOLD_STANDARD_MAX: int(0, 100_000).default(70),
    CORS_ORIGINS: z.string().optional(),
    DEFAULT_LOCALE: z.enum(LOCALES).default('zh-CN'),
    LC_ALL: z.string().optional(),
    LC_MESSAGES: z.string().optional(),
    LANG: z.string().optional(),
    COMPRESSION_MIN_BYTES: int(0, 1_000_000_000).default(1024),
    QUERY_PAGE: flag.optional(),
    EDITOR_BASEMAP_URL: z
      .string()
      .regex(/^https?:\/\/[^\s]*\{z\}[^\s]*$/, 'must be an http(s) raster tile URL template with {z}, {x} and {y}, e.g. http://tiles.intranet/{z}/{x}/{y}.png')
      .refine((v) => v.includes('{x}') && v.includes('{y}'), 'must contain {x} and {y} as well as {z}')
      .optional(),
    EDITOR_BASEMAP_CRS: z.enum(['WGS84', 'GCJ02', 'BD09']).default('WGS84'),
  })
  .superRefine((env, ctx) => {
    if (env.HOUSEHOLD_STANDARD_MIN > env.HOUSEHOLD_STANDARD_MAX) {
      ctx.addIssue({ code: 'custom', path: ['HOUSEHOLD_STANDARD_MIN'], message: `is above HOUSEHOLD_STANDARD_MAX (${env.HOUSEHOLD_STANDARD_MAX})` });
    }
    if (env.CORS_ORIGINS) {
      const parsed = parseCorsOrigins(env.CORS_ORIGINS);
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', path: ['CORS_ORIGINS'], message: parsed.problem });
    }
    for (const p of piiKeyProblems(env)) ctx.addIssue({ code: 'custom', path: [p.key], message: p.message });
    if (env.NODE_ENV !== 'production') return;
    if (!env.JWT_SECRET && !env.JWT_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'or JWT_JWKS_URL is required when NODE_ENV=production' });
    }
    if (env.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is the development key published in the repository; set a secret of your own' });
    }
  });

export interface Config {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy that sets it). */
  trustProxy: boolean;
  jwt: {
    /** HS256 key (development, tests, small deployments); null when only JWKS tokens are accepted. */
    secret: string | null;
    /** The identity provider's key set for RS256/ES256 tokens. */
    jwksUrl: string | null;
    issuer: string;
    audience: string | null;
    /** Longest a token may be valid for (exp − iat), seconds. */
    maxLifetimeSeconds: number;
  };
  logLevel: (typeof LOG_LEVELS)[number];
  slowQueryMs: number;
  db: {
    poolMax: number;
    /** statement_timeout of every pooled connection, ms. */
    statementTimeoutMs: number;
    /** statement_timeout that coverage and imports set for themselves, ms. */
    longStatementTimeoutMs: number;
    /** How long a request waits for a pooled connection before it is answered 503, ms. */
    acquireTimeoutMs: number;
  };
  limits: LimitsConfig;
  seedDemo: 'auto' | 'never';
  boundary: {
    /** Most vertices a boundary may have. */
    maxVertices: number;
    /** Area (m²) a boundary may stick out of its parent or overlap a sibling by: digitising slivers. */
    toleranceSqm: number;
  };
  /**
   * The address clients reach the service at (no trailing slash): printed into links that leave the API, such as
   * the tenant registration URL of a building's QR code.
   */
  publicUrl: string;
  /** Tenants' self-registration (一进一融一出). */
  tenants: {
    /** Registrations one client may submit an hour (0: no limit). */
    registrationsPerHour: number;
    /** Days without a passage after which a tenant's gate access lapses. */
    gateAccessDays: number;
  };
  /** Residents' own reports (扫码 / 随手拍, Open311) and the public lookup by tracking code, per client; 0: no limit. */
  residents: {
    reportsPerHour: number;
    trackingLookupsPerMinute: number;
  };
  /** Photos uploaded to `POST /uploads` (incident photos). */
  uploads: {
    /** Where the files are kept: UPLOAD_DIR, else `$DATA_DIR/uploads`. */
    dir: string;
    /** Largest file taken, bytes. */
    maxBytes: number;
    /** An upload no report or progress entry attached within this long is deleted (file and row), ms. */
    unattachedMaxAgeMs: number;
  };
  /** What the scheduler's housekeeping pass deletes (src/modules/incident/housekeeping.ts). */
  housekeeping: {
    /** Outbox notices (and their delivery records) older than this are deleted, ms. */
    outboxRetentionMs: number;
  };
  /** graphql-ws at /graphql (src/graphql/ws.ts), per API instance. */
  subscriptions: {
    /** Open sockets in all; more are refused at the upgrade (503). */
    maxConnections: number;
    /** Open sockets per client (token subject, API key, else address); more are closed with 4429. */
    maxConnectionsPerClient: number;
    /** Running subscriptions per socket; more are answered with an error. */
    maxSubscriptionsPerConnection: number;
    /** Largest message a client may send, bytes (a bigger one closes the socket, 1009). */
    maxMessageBytes: number;
  };
  /** Population figures. */
  population: {
    /** The households a micro-grid should hold (`Grid.householdCoverage`'s default range), inclusive. */
    households: { min: number; max: number };
  };
  /**
   * Origins whose pages may call the API from a browser (CORS): entries as src/http/cors.ts reads them. Default:
   * none in production; http://localhost, 127.0.0.1 and [::1] on any port elsewhere.
   */
  corsOrigins: string[];
  /** The language of messages when a request's Accept-Language names none the catalogue has. */
  defaultLocale: Locale;
  /** The language of the command-line tools' output: LC_ALL / LC_MESSAGES / LANG when zh… or en…, else DEFAULT_LOCALE. */
  cliLocale: Locale;
  /** GraphQL responses (and the pages' assets) at least this long are compressed by Accept-Encoding. */
  compressionMinBytes: number;
  /** Whether GET /graphql from a browser answers the query page (GraphiQL): by default, outside production. */
  queryPage: boolean;
  /**
   * The map editor's optional raster basemap (an intranet tile server; none by default: the grids are the map)
   * and the coordinate system its tiles are drawn in, which the editor then shows and sends grids in.
   */
  editor: { basemapUrl: string | null; basemapCrs: 'WGS84' | 'GCJ02' | 'BD09' };
  /** Keys of personal data (src/shared/pii.ts). */
  pii: PiiKeys;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in env files mean "not set", as most deploy tools write them.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.') || '(environment)';
        const value = typeof issue.path[0] === 'string' ? source[issue.path[0]] : undefined;
        const shown = value === undefined || /SECRET|URL|KEY/.test(key) ? '' : ` (got "${value}")`;
        return `${key} ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  return {
    env: e.NODE_ENV,
    isProduction,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    port: e.PORT,
    // Loopback unless said otherwise: a developer's `npm start` is not reachable from the office network.
    // Production listens on every interface (a container behind its load balancer).
    host: e.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
    trustProxy: e.TRUST_PROXY,
    jwt: {
      // The published development key only where nothing else is configured: a server set up for an identity
      // provider must not also accept tokens anyone can sign, whatever NODE_ENV says.
      secret: e.JWT_SECRET ?? (isProduction || e.JWT_JWKS_URL ? null : DEV_JWT_SECRET),
      jwksUrl: e.JWT_JWKS_URL ?? null,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE ?? null,
      maxLifetimeSeconds: Math.round(e.JWT_MAX_LIFETIME_HOURS * 3600),
    },
    logLevel: e.LOG_LEVEL,
    slowQueryMs: e.SLOW_QUERY_MS,
    db: {
      poolMax: e.DB_POOL_MAX,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      longStatementTimeoutMs: e.DB_LONG_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: e.DB_ACQUIRE_TIMEOUT_MS,
    },
    limits: limitsConfig(e),
    seedDemo: e.SEED_DEMO,
    boundary: { maxVertices: e.MAX_BOUNDARY_VERTICES, toleranceSqm: e.BOUNDARY_TOLERANCE_SQM },
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    tenants: { registrationsPerHour: e.TENANT_REGISTRATION_PER_HOUR, gateAccessDays: e.TENANT_GATE_ACCESS_DAYS },
    residents: { reportsPerHour: e.RESIDENT_REPORTS_PER_HOUR, trackingLookupsPerMinute: e.TRACKING_LOOKUPS_PER_MINUTE },
    population: { households: { min: e.HOUSEHOLD_STANDARD_MIN, max: e.HOUSEHOLD_STANDARD_MAX } },
    uploads: {
      dir: path.resolve(e.UPLOAD_DIR ?? path.join(e.DATA_DIR, 'uploads')),
      maxBytes: e.UPLOAD_MAX_BYTES,
      unattachedMaxAgeMs: Math.round(e.UPLOAD_UNATTACHED_HOURS * 3600_000),
    },
    housekeeping: { outboxRetentionMs: Math.round(e.OUTBOX_RETENTION_DAYS * 86_400_000) },
    subscriptions: {
      maxConnections: e.WS_MAX_CONNECTIONS,
      maxConnectionsPerClient: e.WS_MAX_CONNECTIONS_PER_CLIENT,
      maxSubscriptionsPerConnection: e.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
    },
    pii: piiKeys(e.PII_KEY, e.PII_INDEX_KEY),
    corsOrigins: corsOrigins(e.CORS_ORIGINS, isProduction),
    defaultLocale: e.DEFAULT_LOCALE,
    cliLocale: posixLocale(e, e.DEFAULT_LOCALE),
    compressionMinBytes: e.COMPRESSION_MIN_BYTES,
    queryPage: e.QUERY_PAGE ?? !isProduction,
    editor: { basemapUrl: e.EDITOR_BASEMAP_URL ?? null, basemapCrs: e.EDITOR_BASEMAP_CRS },
  };
}

function corsOrigins(value: string | undefined, isProduction: boolean): string[] {
  if (value === undefined) return isProduction ? [] : [...DEVELOPMENT_ORIGINS];
  const parsed = parseCorsOrigins(value);
  return 'origins' in parsed ? parsed.origins : [];
}
