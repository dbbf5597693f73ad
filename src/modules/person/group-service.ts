import type { Context } from '../../context';
import type { VisitRow } from './mappers';

/** Special and care groups: tags, follow-up plans, visits, overdue visits, expiring permits. */
export class GroupService {
  constructor(private readonly ctx: Context) {}

  async visitForNode(_id: string): Promise<VisitRow | null> {
    void this.ctx;
    return null;
  }
}
