import { decodeJwt } from 'jose';
import type WebSocket from 'ws';

/**
 * What keeps one client from holding a subscription server (src/graphql/ws.ts): open sockets counted per client,
 * and a socket closed when the bearer token it signed in with expires.
 */

/** Close codes a graphql-ws client treats as final (it does not reconnect by itself): sign in again, or open fewer. */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_TOO_MANY = 4429;

/** Open sockets by client key (`user:<sub>`, `key:<id>`, `ip:<address>`), each counted until it closes. */
export class SocketCounts {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** Counts `socket` for `clientKey` until it closes; false (nothing counted) when the client is at its cap or the socket is gone. */
  admit(clientKey: string, socket: WebSocket): boolean {
    const n = this.open.get(clientKey) ?? 0;
    if (n >= this.maxPerClient || socket.readyState !== socket.OPEN) return false;
    this.open.set(clientKey, n + 1);
    socket.once('close', () => {
      const left = (this.open.get(clientKey) ?? 1) - 1;
      if (left > 0) this.open.set(clientKey, left);
      else this.open.delete(clientKey);
    });
    return true;
  }

  of(clientKey: string): number {
    return this.open.get(clientKey) ?? 0;
  }
}

/** When a `Bearer <jwt>` credential (already verified) expires, ms since the epoch; null for API keys. */
export function bearerExpiry(authorization: string | undefined): number | null {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!token) return null;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** setTimeout's longest wait (about 24.8 days): a token living longer is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Closes `socket` with 4401 once `expiresAtMs` has passed: its subscriptions end with it (each was authorised
 * for the token's holder, and notices keep being resolved as them), and the client signs in again with a fresh
 * token and resubscribes with `since`.
 */
export function closeOnExpiry(socket: WebSocket, expiresAtMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAtMs - Date.now();
    if (left <= 0) {
      socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired: reconnect with a fresh token');
      return;
    }
    timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  check();
  socket.once('close', () => clearTimeout(timer));
}
