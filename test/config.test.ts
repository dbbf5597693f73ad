import { ConfigError, loadConfig } from '../src/config';

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

  it('requires a real JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required when NODE_ENV=production/);
  });
});
