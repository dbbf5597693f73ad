import type { RecordMediationOutcomeInput, RecordMediationSessionInput } from '../../generated/graphql';
import { validationError } from '../../shared/payload';
import { msg } from '../../i18n';
import { bad } from '../person/group-checks';
import * as checks from './checks';
import * as repo from './repo';
import { incidentLabel } from './service';
import type { IncidentStepService, StepContext, StepResult } from './steps';
import { recordStep } from './timeline';

const MAX_ATTENDEES = 50;

/**
 * 调解 — the mediation of a dispute (a category marked `is_dispute`): its sessions (who mediated, when, where,
 * who attended) and its outcome, an agreement with its terms or a failure referred to litigation or arbitration
 * (调解不成功引导依法解决). Each is a timeline entry that leaves the status as it is; the 回访 satisfaction is
 * `verifyIncident`'s.
 */
export class IncidentMediationService {
  constructor(private readonly steps: IncidentStepService) {}

  session(input: RecordMediationSessionInput): Promise<StepResult> {
    return this.steps.run(input, 'MEDIATION_SESSION', async (s) => {
      const { trx, row, entry, problems } = s;
      await this.assertDispute(s);
      const mediator = checks.requiredText(input.mediator, 'mediator', checks.MAX_PERSON_NAME, problems);
      const place = checks.requiredText(input.place, 'place', checks.MAX_ADDRESS, problems);
      const heldAt = checks.checkPast(input.heldAt, 'heldAt', problems);
      if (input.attendees.length > MAX_ATTENDEES) problems.add(bad('input.attendees', msg('incident.tooMany', { field: 'attendees', count: input.attendees.length, max: MAX_ATTENDEES })));
      const attendees = input.attendees.slice(0, MAX_ATTENDEES).map((a, i) => checks.requiredText(a, `attendees[${i}]`, checks.MAX_PERSON_NAME, problems));
      if (problems.any || !mediator || !place || !heldAt) return validationError(problems);
      const { seq } = await recordStep(trx, row, entry);
      await trx.raw(
        `/* upsertIncidentMediation */ INSERT INTO incident_mediation (incident_id, mediator) VALUES (?, ?)
         ON CONFLICT (incident_id) DO UPDATE SET mediator = EXCLUDED.mediator`,
        [row.id, mediator],
      );
      await trx.raw(
        `/* insertMediationSession */ INSERT INTO incident_mediation_session (incident_id, event_seq, mediator, held_at, place, attendees, note, created_by)
         VALUES (?, ?, ?, ?, ?, ?::text[], ?, ?)`,
        [row.id, seq, mediator, heldAt, place, attendees.filter((a): a is string => a !== null), entry.note ?? null, entry.actor],
      );
      return { __typename: 'IncidentSuccess', incidentId: row.id };
    });
  }

  outcome(input: RecordMediationOutcomeInput): Promise<StepResult> {
    return this.steps.run(input, 'MEDIATION_OUTCOME', async (s) => {
      const { trx, row, entry, problems } = s;
      await this.assertDispute(s);
      const terms = checks.text(input.agreementTerms, 'agreementTerms', checks.MAX_DESCRIPTION, problems);
      const { rows } = await trx.raw('/* incidentMediationForOutcome */ SELECT outcome FROM incident_mediation WHERE incident_id = ?', [row.id]);
      if (!rows[0]) problems.add(bad('input.id', msg('mediation.noSession', { incident: incidentLabel(row) })));
      else if (rows[0].outcome) problems.add(bad('input.outcome', msg('mediation.ended', { incident: incidentLabel(row), outcome: rows[0].outcome })));
      if (input.outcome === 'AGREEMENT_REACHED') {
        if (!terms && terms !== undefined) problems.add(bad('input.agreementTerms', msg('mediation.termsNeeded')));
        if (input.referral) problems.add(bad('input.referral', msg('mediation.referralOnlyFailed')));
      } else {
        if (!input.referral) problems.add(bad('input.referral', msg('mediation.referralNeeded')));
        if (input.agreementTerms != null) problems.add(bad('input.agreementTerms', msg('mediation.noTermsOnFailure')));
      }
      if (problems.any) return validationError(problems);
      const { at } = await recordStep(trx, row, entry);
      await trx.raw(
        `/* recordMediationOutcome */ UPDATE incident_mediation SET outcome = ?, agreement_terms = ?, referral = ?, outcome_at = ?, outcome_by = ?
         WHERE incident_id = ?`,
        [input.outcome, terms ?? null, input.referral ?? null, at, entry.actor, row.id],
      );
      return { __typename: 'IncidentSuccess', incidentId: row.id };
    });
  }

  /** Mediation belongs to disputes: a problem (not an error) for any other category. */
  private async assertDispute({ trx, row, problems }: StepContext): Promise<void> {
    const category = (await repo.categories(trx)).find((c) => c.code === row.category_code);
    if (!category?.is_dispute) problems.add(bad('input.id', msg('mediation.notDispute', { incident: incidentLabel(row), category: row.category_code })));
  }
}
