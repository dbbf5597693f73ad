import type { Context } from '../../context';

/** Reveals, erasure and the audit log. */
export class PrivacyService {
  constructor(private readonly ctx: Context) {}
}
