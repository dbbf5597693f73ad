import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../src/config';

/** 32 bytes, base64: production configurations need a key for personal data. */
const TEST_PII_KEY = Buffer.alloc(32, 7).toString('base64');

describe('config', () => {
  it('has working defaults for a development machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 4000, databaseUrl: undefined, logLevel: 'info', isProduction: false });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.jwt.issuer).toBe('grid-registry');
  });

  it('reads every setting', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u@db:5432/grids',
      PORT: '8080',
      DATA_DIR: '/var/lib/grids',
      JWT_SECRET: 'x'.repeat(32),
      PII_KEY: TEST_PII_KEY,
      JWT_ISSUER: 'zhengzhou',
      LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      isProduction: true,
      databaseUrl: 'postgres://u@db:5432/grids',
      port: 8080,
      dataDir: '/var/lib/grids',
      jwt: { secret: 'x'.repeat(32), issuer: 'zhengzhou' },
      logLevel: 'warn',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });

  it('lists every problem in one error, naming each variable', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'staging', PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', JWT_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(5);
    expect(message).toMatch(/^Invalid configuration:/);
    for (const key of ['NODE_ENV', 'PORT', 'DATABASE_URL', 'LOG_LEVEL', 'JWT_SECRET']) {
      expect(problems.some((p) => p.startsWith(`${key} `))).toBe(true);
    }
    expect(message).toContain('(got "eighty")');
    // Secrets and URLs (which carry passwords) are never echoed back.
    expect(message).not.toContain('short');
    expect(message).not.toContain('mysql://x');
  });

  it('requires a real JWT secret (or an identity provider) in production, and refuses the published development key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PII_KEY: TEST_PII_KEY })).toThrow(/JWT_SECRET or JWT_JWKS_URL is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', PII_KEY: TEST_PII_KEY, JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET is the development key published in the repository/);
    expect(loadConfig({ NODE_ENV: 'production', PII_KEY: TEST_PII_KEY, JWT_JWKS_URL: 'https://idp.example.gov.cn/jwks.json' }).jwt).toMatchObject({ secret: null, jwksUrl: 'https://idp.example.gov.cn/jwks.json' });
  });

  it('listens on loopback by default, except in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', PII_KEY: TEST_PII_KEY, JWT_SECRET: 'x'.repeat(32) }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('reads the limits, with the defaults the README documents', () => {
    expect(loadConfig({}).limits).toEqual({
      requestTimeoutMs: 30_000,
      maxCost: 5_000,
      maxDepth: 15,
      maxAliases: 15,
      maxTokens: 1_000,
      maxDirectives: 50,
      maxCharacters: 15_000,
      maxResponseBytes: 10 * 1024 * 1024,
      maxRequestBytes: 5 * 1024 * 1024,
      importMaxBytes: 256 * 1024 * 1024,
      ratePerMinute: 600,
      rateBurst: 120,
      expensiveMaxConcurrent: 4,
      expensiveMaxPerClient: 2,
      maxFilterVertices: 2_000,
    });
    expect(loadConfig({}).db).toEqual({ poolMax: 10, statementTimeoutMs: 10_000, longStatementTimeoutMs: 120_000, acquireTimeoutMs: 3_000 });
    expect(loadConfig({})).toMatchObject({
      publicUrl: 'http://localhost:4000',
      tenants: { registrationsPerHour: 5, gateAccessDays: 15 },
      population: { households: { min: 50, max: 70 } },
    });
    expect(() => loadConfig({ HOUSEHOLD_STANDARD_MIN: '80', HOUSEHOLD_STANDARD_MAX: '70' })).toThrow(/HOUSEHOLD_STANDARD_MIN.*above HOUSEHOLD_STANDARD_MAX/);
    expect(loadConfig({ MAX_QUERY_COST: '20000', RATE_LIMIT_PER_MINUTE: '0', TRUST_PROXY: 'true' })).toMatchObject({ limits: { maxCost: 20_000, ratePerMinute: 0 }, trustProxy: true });
  });
});
