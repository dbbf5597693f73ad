import { responseTooLarge } from '../errors';
import { msg } from '../i18n';

/**
 * How much a GraphQL response may hold (MAX_RESPONSE_BYTES). The big values (boundaries, coverage
 * geometry) are charged as they are produced, so a query that would answer hundreds of megabytes stops at the
 * limit instead of building it all in memory first; the HTTP layer checks the finished response as well.
 * Streaming endpoints (exports) are not charged: they bound their own pages and never hold the whole answer.
 */
export class ResponseBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limitBytes) throw tooLarge(this.limitBytes);
  }
}

export function tooLarge(limitBytes: number) {
  return responseTooLarge(msg('limit.responseTooLarge', { mb: Math.round(limitBytes / 1024 / 1024) }), limitBytes);
}
