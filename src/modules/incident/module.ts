import { mergeResolvers } from '../../graphql/merge';
import { defineModule } from '../module';
import { IncidentCategoryService } from './categories';
import { createIncidentLoaders } from './loaders';
import type { IncidentRow } from './mappers';
import { IncidentMediationService } from './mediation';
import { incidentResolvers } from './resolvers';
import { open311Route } from './open311';
import { FINAL_SQL } from './repo';
import { residentResolvers } from './resident-resolvers';
import { revealResolvers } from './reveal-resolvers';
import { IncidentContactsService } from './reveal';
import { ResidentIncidentService } from './resident';
import { IncidentStatsService } from './stats';
import { statsResolvers } from './stats-resolvers';
import { IncidentService } from './service';
import { IncidentStepService } from './steps';
import { subscriptionResolvers } from './subscriptions';
import { uploadedFileRoute, uploadRoute } from './uploads';

const M = '../modules/incident/mappers#';

/**
 * Incidents (事件): reports routed to the responsible worker or a centre's queue, the lifecycle as one transition
 * table (lifecycle.ts), an immutable timeline, deadlines derived from it (sla.ts), mediation of disputes, and an
 * outbox written in each incident's transaction for live delivery. A located record: a grid edit re-resolves the
 * grid of open incidents only; the grid each was reported in stays as it was.
 */
export const incidentModule = defineModule({
  id: 'incident',
  resolvers: mergeResolvers(incidentResolvers, residentResolvers, subscriptionResolvers, revealResolvers, statsResolvers),
  mappers: {
    Incident: `${M}IncidentRow`,
    IncidentReporter: `${M}IncidentRow`,
    IncidentConnection: `${M}IncidentPage`,
    IncidentEvent: `${M}IncidentEventRow`,
    IncidentCategory: `${M}CategoryRow`,
    IncidentParty: `${M}PartyRow`,
    IncidentPhoto: `${M}PhotoRow`,
    Mediation: `${M}MediationRow`,
    MediationSession: `${M}MediationSessionRow`,
    IncidentSla: `${M}SlaSource`,
    IncidentSuccess: `${M}IncidentChangeSource`,
    ReportIncidentSuccess: `${M}ReportSource`,
    IncidentCategorySuccess: `${M}CategoryChangeSource`,
    IncidentNotice: '../modules/incident/live#Notice',
    TrackedIncident: '../modules/incident/public#TrackedView',
    PublicIncidentUpdate: '../modules/incident/public#PublicUpdateRow',
    ResidentReportSuccess: '../modules/incident/resident#ResidentReceipt',
    IncidentStats: '../modules/incident/stats#StatsSource',
    IncidentFigures: '../modules/incident/stats#FiguresSource',
    RevealedIncidentContacts: '../modules/incident/reveal#RevealedContactsSource',
    RevealedIncidentParty: '../modules/incident/reveal#RevealedPartySource',
  },
  loaders: (db) => createIncidentLoaders(db),
  services: (ctx) => {
    const steps = new IncidentStepService(ctx);
    return {
      incident: new IncidentService(ctx),
      incidentStep: steps,
      incidentMediation: new IncidentMediationService(steps),
      incidentCategory: new IncidentCategoryService(ctx),
      residentIncident: new ResidentIncidentService(ctx),
      incidentStats: new IncidentStatsService(ctx),
      incidentContacts: new IncidentContactsService(ctx),
    };
  },
  nodeTypes: {
    Incident: {
      load: (ctx, id): Promise<IncidentRow | null> => ctx.services.incident.byId(id),
      is: (row) => 'node_type' in row && row.node_type === 'Incident',
    },
  },
  // Photos as files: POST /uploads takes one, GET /uploads/<id> serves it to whoever may read its incident.
  routes: {
    'POST /uploads': uploadRoute,
    '/uploads/*': uploadedFileRoute,
    // Open311 GeoReport v2 (open311.ts): services.json, requests.json, requests/<id>.json.
    '/open311/v2/*': open311Route,
    'POST /open311/v2/*': open311Route,
  },
  // Open incidents follow a boundary edit to the grid now responsible; closed ones keep theirs.
  located: [{ shape: 'point', kind: 'Incident', table: 'incident', live: `t.status NOT IN ${FINAL_SQL}` }],
});
