import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Config } from '../../config';
import { LocalizedError, msg } from '../../i18n';
import type { Role } from '../../generated/graphql';
import { GRID_CODE } from './policy';
import { ROLES, type AuthenticatedViewer } from './viewer';

/**
 * Bearer tokens. Two ways to sign them:
 * - HS256 with JWT_SECRET: development, tests, and deployments without an identity provider (`npm run token`);
 * - RS256 / ES256 from the organisation's identity provider, verified against its key set (JWT_JWKS_URL).
 * Either way the token must name the issuer (and audience, when configured), expire (`exp`), live no longer
 * than JWT_MAX_LIFETIME_HOURS, and carry claims that pass the schema below: a claim that does not is refused
 * (401), never read as "no limit".
 */
export class InvalidTokenError extends LocalizedError {}

/** The identity provider's key set (JWT_JWKS_URL) did not answer: the request is answered 503. */
export class IdentityProviderUnavailableError extends LocalizedError {}

const ASYMMETRIC = ['RS256', 'ES256'] as const;

/**
 * The claims the API reads. `grid` (the jurisdiction) is optional: absent means the whole deployment, which is
 * what a city-level account is; present, it must be a grid code (6 digits, then whole 3-digit segments) of a
 * current grid. A number, an array, null or "" are refused.
 */
const claimsSchema = z.object({
  sub: z
    .string({ error: 'must be the account name, a string' })
    .min(1, 'is empty')
    .max(200)
    .regex(/^[^\p{Cc}]+$/u, 'holds a control character'),
  role: z.enum(ROLES as [Role, ...Role[]], { error: `must be one of ${ROLES.join(', ')}` }),
  grid: z
    .string({ error: 'must be a grid code as a string, e.g. "130105001" (leave it out for the whole deployment)' })
    .regex(GRID_CODE, 'must be a grid code: 6 digits, then 3 per level (e.g. 130105001)')
    .optional(),
  name: z.string({ error: 'must be a string' }).max(100).optional(),
});

export interface TokenClaims {
  subject: string;
  role: Role;
  grid?: string | null;
  name?: string | null;
}

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** An HS256 token (`npm run token`, tests). `expiresIn` is a jose time span ("12h", "30m"). */
export async function signToken(jwt: Pick<Config['jwt'], 'secret' | 'issuer' | 'audience'>, claims: TokenClaims, expiresIn = '12h'): Promise<string> {
  if (!jwt.secret) throw new Error('JWT_SECRET is not set: this deployment accepts identity-provider tokens only');
  const token = new SignJWT({ role: claims.role, ...(claims.grid ? { grid: claims.grid } : {}), ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.subject)
    .setIssuer(jwt.issuer)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (jwt.audience) token.setAudience(jwt.audience);
  return token.sign(secretKey(jwt.secret));
}

export interface TokenVerifierDeps {
  /** Whether a current grid has this code (the jurisdiction claim must name one). */
  gridExists(code: string): Promise<boolean>;
}

export type TokenVerifier = (token: string) => Promise<AuthenticatedViewer>;

export function createTokenVerifier(jwt: Config['jwt'], deps: TokenVerifierDeps): TokenVerifier {
  const jwks = jwt.jwksUrl ? createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 }) : null;
  const options = { issuer: jwt.issuer, ...(jwt.audience ? { audience: jwt.audience } : {}), requiredClaims: ['exp', 'sub'] };

  async function verified(token: string): Promise<JWTPayload> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new InvalidTokenError(msg('auth.notJwt'));
    }
    if (alg === 'HS256' && jwt.secret) {
      return (await jwtVerify(token, secretKey(jwt.secret), { ...options, algorithms: ['HS256'] })).payload;
    }
    if (jwks && (ASYMMETRIC as readonly string[]).includes(alg ?? '')) {
      try {
        return (await jwtVerify(token, jwks, { ...options, algorithms: [...ASYMMETRIC] })).payload;
      } catch (err) {
        // The identity provider's key set could not be fetched (timeout, not 200, not JSON, network down):
        // not the token's fault, and no reason for the client to throw a good token away.
        const unreachable =
          err instanceof joseErrors.JWKSTimeout ||
          (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC') ||
          (err instanceof TypeError && /fetch failed/i.test(err.message));
        if (unreachable) throw new IdentityProviderUnavailableError(msg('auth.idpUnreachable', { detail: err.message }));
        throw err;
      }
    }
    const accepted = [...(jwt.secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC : [])];
    throw new InvalidTokenError(msg('auth.algorithm', { alg: alg ?? 'no algorithm', accepted: accepted.join(', ') || 'none' }));
  }

  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await verified(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof IdentityProviderUnavailableError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError(msg('auth.expired'));
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new InvalidTokenError(msg('auth.claim', { claim: err.claim, missing: err.reason === 'missing' ? 'yes' : 'no' }));
      if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(msg('auth.rejected', { reason: err.code }));
      throw err;
    }
    // Measured from issue, or from now when `iat` is missing or claims the future (which would stretch it).
    const now = Math.floor(Date.now() / 1000);
    const lifetime = (payload.exp ?? 0) - Math.min(payload.iat ?? now, now);
    if (lifetime > jwt.maxLifetimeSeconds) {
      throw new InvalidTokenError(msg('auth.lifetime', { hours: Math.round(lifetime / 3600), max: jwt.maxLifetimeSeconds / 3600 }));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const problems = claims.error.issues.map((i) => `claim "${i.path.join('.')}" ${i.message}`);
      throw new InvalidTokenError(msg('auth.rejected', { reason: problems.join('; ') }));
    }
    const { sub, role, grid, name } = claims.data;
    if (grid !== undefined && !(await deps.gridExists(grid))) {
      throw new InvalidTokenError(msg('auth.gridClaim', { grid }));
    }
    return { kind: 'user', subject: sub, name: name ?? null, role, jurisdictionCode: grid ?? null };
  };
}
