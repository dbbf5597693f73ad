import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Config } from '../../config';
import { ROLES, type AuthenticatedViewer, type Viewer, ANONYMOUS } from './viewer';
import type { Role } from '../../generated/graphql';

export class InvalidTokenError extends Error {}

const ALGORITHM = 'HS256';

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signToken(
  jwt: Config['jwt'],
  claims: { subject: string; role: Role; grid?: string | null; name?: string | null },
  expiresIn = '12h',
): Promise<string> {
  return new SignJWT({ role: claims.role, grid: claims.grid ?? undefined, name: claims.name ?? undefined })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(claims.subject)
    .setIssuer(jwt.issuer)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keyOf(jwt.secret));
}

/** The viewer an `Authorization` header stands for: anonymous without one, an error for a bad one. */
export async function viewerFromAuthorization(jwt: Config['jwt'], header: string | undefined): Promise<Viewer> {
  if (!header) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new InvalidTokenError('Authorization header must be "Bearer <token>"');
  try {
    const { payload } = await jwtVerify(match[1], keyOf(jwt.secret), { issuer: jwt.issuer, algorithms: [ALGORITHM] });
    const role = payload.role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
      throw new InvalidTokenError(`token role must be one of ${ROLES.join(', ')}`);
    }
    if (!payload.sub) throw new InvalidTokenError('token has no subject (sub)');
    const grid = typeof payload.grid === 'string' && payload.grid !== '' ? payload.grid : null;
    const viewer: AuthenticatedViewer = {
      kind: 'user',
      subject: payload.sub,
      name: typeof payload.name === 'string' ? payload.name : null,
      role: role as Role,
      jurisdictionCode: grid,
    };
    return viewer;
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('token has expired');
    if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(`token rejected: ${err.code}`);
    throw err;
  }
}
