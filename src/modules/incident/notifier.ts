import type { Logger } from '../../logger';

/**
 * How an assignment reaches a grid worker whose app has no open subscription (the phone asleep, the app closed):
 * the SLA scheduler's pass (scheduler.ts) hands every assignment no socket took within a few seconds to a
 * notifier, once. The default only logs; an SMS gateway or a push service (个推, 极光, APNs/FCM) implements
 * `send` and is given to `startApp` (`StartOptions.notifier`). A failed send is logged and not retried here:
 * the provider's own queue retries, and the worker still finds it in `myAssignments(since:)`.
 */
export interface AssignmentNotice {
  /** The outbox row (the `cursor` the app will see). */
  cursor: string;
  incidentId: string;
  title: string;
  workerId: string;
  workerName: string;
  /** The worker's mobile number, for an SMS gateway. */
  phone: string;
  account: string | null;
}

export interface Notifier {
  readonly name: string;
  send(notice: AssignmentNotice): Promise<void>;
}

export function logNotifier(log: Logger): Notifier {
  return {
    name: 'log',
    async send(n) {
      log.info({ cursor: n.cursor, incidentId: n.incidentId, workerId: n.workerId }, `assignment "${n.title}" for ${n.workerName} not taken by an open app: would be sent by SMS / push`);
    },
  };
}
