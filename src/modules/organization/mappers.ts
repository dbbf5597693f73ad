import type { OrganizationKind, RiskLevel } from '../../generated/graphql';
import type { LocatedPage } from '../location/repo-list';
import type { LocatedRow } from '../location/mappers';

/** A row of `organization` as the repository returns it (`node_type` 'Organization'). */
export interface OrganizationRow extends LocatedRow {
  node_type: 'Organization';
  name: string;
  kind: OrganizationKind;
  credit_code: string | null;
  address: string | null;
  contact_name: string | null;
  /** Stored in clear (11 digits, or `0311-86681234`); shown masked outside the caller's jurisdiction. */
  contact_phone: string | null;
  employee_count: number | null;
  risk_level: RiskLevel;
  /** The code of the grid it belongs to now: decides who sees the phone in clear. Null outside every grid. */
  grid_code: string | null;
}

/** What an organisation mutation returns: the payload loads the organisation after the commit. */
export interface OrganizationChangeSource {
  __typename?: string;
  organizationId: string;
}

/** What an `OrganizationConnection` resolves from. */
export type OrganizationPage = LocatedPage<OrganizationRow>;
