import type { Context } from '../../context';

/** Registering, updating and moving people; households and house owners. */
export class PersonEditService {
  constructor(private readonly ctx: Context) {}
}
