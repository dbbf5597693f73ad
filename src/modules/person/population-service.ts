import type { Context } from '../../context';

/** Population figures (counts only), rolled up by grid. */
export class PopulationService {
  constructor(private readonly ctx: Context) {}
}
