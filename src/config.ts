import { z } from 'zod';
import path from 'node:path';

/**
 * The only reader of process.env. Every setting the service understands is declared here, and a bad
 * value stops start-up with one message listing every problem (not just the first one found).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('0.0.0.0'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ISSUER: z.string().min(1).default('grid-registry'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    SLOW_QUERY_MS: z.coerce.number().int().min(0).default(200),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
    MAX_BOUNDARY_VERTICES: z.coerce.number().int().min(4).max(1_000_000).default(10_000),
    BOUNDARY_TOLERANCE_SQM: z.coerce.number().min(0).max(10_000).default(10),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
  });

export interface Config {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  jwt: { secret: string; issuer: string };
  logLevel: (typeof LOG_LEVELS)[number];
  slowQueryMs: number;
  dbPoolMax: number;
  seedDemo: 'auto' | 'never';
  boundary: {
    /** Most vertices a boundary may have. */
    maxVertices: number;
    /** Area (m²) a boundary may stick out of its parent or overlap a sibling by: digitising slivers. */
    toleranceSqm: number;
  };
}

/** A development-only signing key, so `npm start` and `npm run token` work with nothing configured. */
const DEV_JWT_SECRET = 'grid-registry-development-secret-not-for-production';

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
        const shown = value === undefined || /SECRET|URL/.test(key) ? '' : ` (got "${value}")`;
        return `${key} ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    jwt: { secret: e.JWT_SECRET ?? DEV_JWT_SECRET, issuer: e.JWT_ISSUER },
    logLevel: e.LOG_LEVEL,
    slowQueryMs: e.SLOW_QUERY_MS,
    dbPoolMax: e.DB_POOL_MAX,
    seedDemo: e.SEED_DEMO,
    boundary: { maxVertices: e.MAX_BOUNDARY_VERTICES, toleranceSqm: e.BOUNDARY_TOLERANCE_SQM },
  };
}
