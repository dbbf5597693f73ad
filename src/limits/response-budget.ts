import { responseTooLarge } from '../errors';

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
  return responseTooLarge(
    `the response would exceed ${Math.round(limitBytes / 1024 / 1024)} MB (MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages (first), ` +
      'simplify boundaries (boundary(simplifyMeters: …)), or use GET /export/grids.geojson for bulk geometry',
    limitBytes,
  );
}
