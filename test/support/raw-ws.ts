import WebSocket from 'ws';

/**
 * A graphql-transport-ws socket driven message by message (test/support/live.ts has the graphql-ws client): for
 * what a well-behaved client never sends, and to see close codes and the raw messages.
 */
export interface RawSocket {
  socket: WebSocket;
  messages: any[];
  /** How the server closed it. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: object | string): void;
  /** The first message `accept` takes (rejects if the socket closes first). */
  message(accept: (m: any) => boolean): Promise<any>;
}

export function rawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
  const messages: any[] = [];
  const waiters = new Set<() => void>();
  const wake = () => [...waiters].forEach((w) => w());
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      wake();
    }),
  );
  const raw: RawSocket = {
    socket,
    messages,
    closed,
    send: (m) => socket.send(typeof m === 'string' ? m : JSON.stringify(m)),
    message: (accept) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(accept);
          if (found || socket.readyState === socket.CLOSED) waiters.delete(check);
          if (found) resolve(found);
          else if (socket.readyState === socket.CLOSED) reject(new Error(`closed before the message came; got ${JSON.stringify(messages)}`));
        };
        waiters.add(check);
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(raw));
    socket.once('error', reject);
  });
}

/** Opens a socket and signs in with `payload` (the connection params); resolves on connection_ack. */
export async function signedIn(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawSocket> {
  const raw = await rawSocket(url, headers);
  raw.send({ type: 'connection_init', payload });
  await raw.message((m) => m.type === 'connection_ack');
  return raw;
}

export const subscribeMessage = (id: string, query: string, variables: Record<string, unknown> = {}) => ({ id, type: 'subscribe', payload: { query, variables } });
