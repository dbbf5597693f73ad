import { parentPort, workerData } from 'node:worker_threads';
import { RowValidator, type RawBatch, type ValidationSettings } from './import-validate';

/**
 * A worker thread of a people import (import-pool.ts): checks and seals the batches it is sent, one at a time,
 * and posts each back. Personal values cross threads in clear only inside this process.
 */
const validator = new RowValidator(workerData as ValidationSettings);

parentPort!.on('message', (batch: RawBatch) => {
  try {
    parentPort!.postMessage(validator.validate(batch));
  } catch (err) {
    parentPort!.postMessage({ seq: batch.seq, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
