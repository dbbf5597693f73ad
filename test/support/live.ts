import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A second API instance in a process of its own (`node --import tsx src/main.ts`) on the same database, for the
 * cross-instance dispatch tests and the dispatch benchmark. Resolves once it prints its ready line.
 */
export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const root = path.resolve(__dirname, '../..');
  // A variable given as '' is left out (DATABASE_URL: '' starts the embedded database).
  const merged: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env };
  for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the second server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /Grid registry ready: (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ url: ready[1], stop });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the second server exited (${code}):\n${output}`));
    });
  });
}

/** A graphql-ws client of `url` (http://…/graphql), signed in with `authorization` when given. */
export function wsClient(url: string, authorization?: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Received<T = any> {
  next: T[];
  errors: any[];
  /** Resolves with the first message `accept` takes (or rejects on an error), within `ms`. */
  waitFor(accept: (value: T) => boolean, ms?: number): Promise<T>;
  stop(): void;
}

/** Subscribes and records what arrives. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Received<T> {
  const next: T[] = [];
  const errors: any[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const stop = client.subscribe<T>({ query, variables }, {
    next: (v) => {
      if (v.errors) errors.push(...v.errors);
      if (v.data) next.push(v.data as T);
      wake();
    },
    error: (e) => {
      errors.push(...(Array.isArray(e) ? e : [e]));
      wake();
    },
    complete: wake,
  });
  return {
    next,
    errors,
    stop,
    waitFor(accept, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing matching within ${ms} ms; got ${JSON.stringify(next)} errors ${JSON.stringify(errors)}`)), ms);
        const check = () => {
          const hit = next.find(accept);
          if (hit) {
            clearTimeout(timer);
            return resolve(hit);
          }
          if (errors.length) {
            clearTimeout(timer);
            return reject(Object.assign(new Error('subscription failed'), { errors }));
          }
          waiters.push(check);
        };
        check();
      });
    },
  };
}
