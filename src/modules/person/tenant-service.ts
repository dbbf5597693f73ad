import type { Context } from '../../context';
import type { TenantRegistrationRow } from './mappers';

/** Tenants' self-registration (一进一融一出) and the gate access of confirmed tenants. */
export class TenantService {
  constructor(private readonly ctx: Context) {}

  async registrationForNode(_id: string): Promise<TenantRegistrationRow | null> {
    void this.ctx;
    return null;
  }
}
