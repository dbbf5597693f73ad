import { mergeResolvers } from '../../graphql/merge';
import { defineModule } from '../module';
import { PersonEditService } from './edit-service';
import { GroupService } from './group-service';
import { importPeopleRoute } from './import-route';
import { groupResolvers } from './group-resolvers';
import { createPersonLoaders } from './loaders';
import type { HouseholdRow, PersonRow, TenantRegistrationRow, VisitRow } from './mappers';
import { PopulationService } from './population-service';
import { populationResolvers } from './population-resolvers';
import { PrivacyService } from './privacy-service';
import { privacyResolvers } from './privacy-resolvers';
import { personResolvers } from './resolvers';
import { PersonService } from './service';
import { GateService } from './gate-service';
import { TenantService } from './tenant-service';
import { tenantFormRoute } from './tenant-form';
import { tenantResolvers } from './tenant-resolvers';

const M = '../modules/person/mappers#';

/**
 * People and households (实有人口): the population registry. The most sensitive data the product holds:
 * personal values sealed at rest, masked in every answer, clear only through an audited reveal; who may read
 * what is decided in the policy module (auth/policy.ts, the `person:*` actions).
 */
export const personModule = defineModule({
  id: 'person',
  resolvers: mergeResolvers(personResolvers, privacyResolvers, groupResolvers, tenantResolvers, populationResolvers),
  mappers: {
    Person: `${M}PersonRow`,
    PersonConnection: `${M}PersonPage`,
    Household: `${M}HouseholdRow`,
    PersonTagAssignment: `${M}PersonTagRow`,
    FollowUpPlan: `${M}FollowUpSource`,
    Visit: `${M}VisitRow`,
    VisitConnection: `${M}VisitPage`,
    OverdueVisit: `${M}OverdueVisitRow`,
    OverdueVisitConnection: `${M}OverdueVisitPage`,
    Residence: `${M}ResidenceRow`,
    GateAccess: `${M}GateAccessRow`,
    TenantRegistration: `${M}TenantRegistrationRow`,
    TenantRegistrationConnection: `${M}TenantRegistrationPage`,
    AuditEntry: `${M}AuditEntryRow`,
    AuditEntryConnection: `${M}AuditEntryPage`,
    Population: `${M}PopulationSource`,
    HouseholdCoverage: `${M}HouseholdCoverageSource`,
    PersonSuccess: `${M}PersonChangeSource`,
    HouseSuccessWithOwners: `${M}HouseOwnersChangeSource`,
    RevealedPerson: `${M}RevealSource`,
    VisitSuccess: `${M}VisitChangeSource`,
    TenantRegistrationSuccess: `${M}TenantRegistrationChangeSource`,
  },
  loaders: createPersonLoaders,
  services: (ctx) => ({
    person: new PersonService(ctx),
    personEdit: new PersonEditService(ctx),
    personPrivacy: new PrivacyService(ctx),
    personGroups: new GroupService(ctx),
    tenant: new TenantService(ctx),
    gateAccess: new GateService(ctx),
    population: new PopulationService(ctx),
  }),
  nodeTypes: {
    Person: {
      load: (ctx, id): Promise<PersonRow | null> => ctx.services.person.byIdForNode(id),
      is: (row) => 'node_type' in row && row.node_type === 'Person',
    },
    Household: {
      load: (ctx, id): Promise<HouseholdRow | null> => ctx.services.person.householdForNode(id),
      is: (row) => 'node_type' in row && row.node_type === 'Household',
    },
    Visit: {
      load: (ctx, id): Promise<VisitRow | null> => ctx.services.personGroups.visitForNode(id),
      is: (row) => 'node_type' in row && row.node_type === 'Visit',
    },
    TenantRegistration: {
      load: (ctx, id): Promise<TenantRegistrationRow | null> => ctx.services.tenant.registrationForNode(id),
      is: (row) => 'node_type' in row && row.node_type === 'TenantRegistration',
    },
  },
  // The form a building's QR code opens (Building.tenantRegistrationUrl).
  routes: {
    '/tenant-registration': tenantFormRoute,
    // Spreadsheets of people (CSV or XLSX), all or nothing: import-route.ts.
    'POST /import/people': importPeopleRoute,
  },
  located: [{ shape: 'derived', kind: 'Person', table: 'person', from: 'House', foreignKey: 'house_id', live: `t.status = 'LIVING_HERE'` }],
});
