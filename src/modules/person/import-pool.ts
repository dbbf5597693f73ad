import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RowValidator, type RawBatch, type ValidatedBatch, type ValidationSettings } from './import-validate';

/**
 * Where a people import checks and seals its rows (about 40 µs a row, most of the import's JavaScript): on
 * `threads` worker threads, batches handed to the least busy, so parsing and the database writes on the main
 * thread run beside them; with 0 threads, on the main thread (tests, tiny files).
 */
export interface ValidationPool {
  validate(batch: RawBatch): Promise<ValidatedBatch>;
  close(): Promise<void>;
}

export function createValidationPool(threads: number, settings: ValidationSettings): ValidationPool {
  return threads > 0 ? new WorkerPool(threads, settings) : new InlinePool(settings);
}

class InlinePool implements ValidationPool {
  private readonly validator: RowValidator;

  constructor(settings: ValidationSettings) {
    this.validator = new RowValidator(settings);
  }

  async validate(batch: RawBatch): Promise<ValidatedBatch> {
    // A turn of the event loop between batches, so a stalled reader or a cancelled request is noticed.
    await new Promise((resolve) => setImmediate(resolve));
    return this.validator.validate(batch);
  }

  async close(): Promise<void> {}
}

type Answer = ValidatedBatch | { seq: number; error: string };

interface Pending {
  resolve: (batch: ValidatedBatch) => void;
  reject: (err: Error) => void;
}

class WorkerPool implements ValidationPool {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[];
  private failure: Error | null = null;

  constructor(threads: number, settings: ValidationSettings) {
    this.workers = Array.from({ length: threads }, () => {
      const slot = { worker: startWorker(settings), pending: new Map<number, Pending>() };
      slot.worker.on('message', (answer: Answer) => {
        const waiting = slot.pending.get(answer.seq);
        slot.pending.delete(answer.seq);
        if ('error' in answer) waiting?.reject(new Error(`a validation thread failed: ${answer.error}`));
        else waiting?.resolve(answer);
      });
      const fail = (err: Error) => {
        this.failure ??= err;
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => {
        if (slot.pending.size > 0) fail(new Error(`a validation thread stopped (exit code ${code})`));
      });
      return slot;
    });
  }

  validate(batch: RawBatch): Promise<ValidatedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return new Promise((resolve, reject) => {
      slot.pending.set(batch.seq, { resolve, reject });
      slot.worker.postMessage(batch);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * The worker runs the TypeScript sources as the rest of the service does (through tsx, registered in the
 * thread), or the compiled file beside this one.
 */
function startWorker(settings: ValidationSettings): Worker {
  // A row leaves ~1 KB of short-lived garbage (cells, sealed buffers, JSON): a young generation this size is
  // scavenged a few times less often than the default, which took a quarter of a thread's time.
  const options = { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: 96 } };
  const entry = path.join(__dirname, `import-worker${path.extname(__filename)}`);
  if (!entry.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
