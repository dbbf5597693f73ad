import type { IncidentStatus } from '../src/generated/graphql';
import { allowedSteps, FINAL_STATUSES, refusalMessage, STEPS, transition, type Step } from '../src/modules/incident/lifecycle';

/**
 * The transition table on its own: every (step, status) pair, legal and illegal, against the lifecycle as the
 * issue describes it, written out here independently of the table in lifecycle.ts.
 */
const ALL: IncidentStatus[] = [
  'REPORTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'VERIFIED', 'CLOSED',
  'REJECTED', 'ESCALATED', 'TRANSFERRED', 'SUSPENDED', 'REOPENED', 'MERGED',
];

const HANDLING: IncidentStatus[] = ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED', 'REOPENED'];

/** From which statuses each step is legal, and where it leads ('same': the status stays; 'back': before suspension). */
const EXPECTED: Record<Step, { from: IncidentStatus[]; to: IncidentStatus | 'same' | 'back' }> = {
  ACCEPT: { from: ['REPORTED'], to: 'ACCEPTED' },
  ASSIGN: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED', 'REOPENED'], to: 'ASSIGNED' },
  RECORD_PROGRESS: { from: ['ASSIGNED', 'IN_PROGRESS', 'REOPENED'], to: 'IN_PROGRESS' },
  RESOLVE: { from: ['ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED'], to: 'RESOLVED' },
  VERIFY: { from: ['RESOLVED'], to: 'VERIFIED' },
  CLOSE: { from: ['VERIFIED'], to: 'CLOSED' },
  REJECT: { from: ['REPORTED', 'ACCEPTED'], to: 'REJECTED' },
  ESCALATE: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'REOPENED'], to: 'ESCALATED' },
  TRANSFER: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'REOPENED'], to: 'TRANSFERRED' },
  SUSPEND: { from: ['REPORTED', ...HANDLING], to: 'SUSPENDED' },
  RESUME: { from: ['SUSPENDED'], to: 'back' },
  REOPEN: { from: ['RESOLVED', 'VERIFIED'], to: 'REOPENED' },
  MERGE: { from: ['REPORTED', ...HANDLING, 'SUSPENDED'], to: 'MERGED' },
  RECATEGORIZE: { from: ['REPORTED', ...HANDLING, 'SUSPENDED', 'RESOLVED', 'VERIFIED'], to: 'same' },
  MEDIATION_SESSION: { from: HANDLING, to: 'same' },
  MEDIATION_OUTCOME: { from: HANDLING, to: 'same' },
};

describe('the transition table', () => {
  it('has a row for every step the API takes', () => {
    expect([...STEPS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  const pairs = STEPS.flatMap((step) => ALL.map((from) => [step, from] as const));

  it.each(pairs)('%s from %s', (step, from) => {
    const expected = EXPECTED[step];
    const result = transition(step, from, from === 'SUSPENDED' ? 'IN_PROGRESS' : null);
    if (expected.from.includes(from)) {
      const to = expected.to === 'same' ? from : expected.to === 'back' ? 'IN_PROGRESS' : expected.to;
      expect(result).toEqual({ ok: true, to });
    } else {
      // Refused, naming exactly the steps the status allows.
      const allowed = STEPS.filter((s) => EXPECTED[s].from.includes(from));
      expect(result).toEqual({ ok: false, allowed });
      const message = refusalMessage(step, from, allowed);
      if (allowed.length === 0) expect(message).toMatch(new RegExp(`${from} is final`));
      else expect(message).toContain('allowed steps are');
    }
  });

  it('lets nothing leave a final status', () => {
    for (const status of FINAL_STATUSES) expect(allowedSteps(status)).toEqual([]);
    for (const status of ALL.filter((s) => !FINAL_STATUSES.includes(s))) expect(allowedSteps(status).length).toBeGreaterThan(0);
  });

  it('resumes to the status the suspension found, whichever it was', () => {
    for (const before of ['REPORTED', 'ACCEPTED', 'ASSIGNED', 'ESCALATED', 'TRANSFERRED', 'REOPENED'] as IncidentStatus[]) {
      expect(transition('RESUME', 'SUSPENDED', before)).toEqual({ ok: true, to: before });
    }
  });

  it('names the mutations in a refusal', () => {
    expect(refusalMessage('CLOSE', 'ASSIGNED', allowedSteps('ASSIGNED'))).toBe(
      'closeIncident cannot be applied to an incident that is ASSIGNED; from ASSIGNED the allowed steps are assignIncident, recordProgress, ' +
        'resolveIncident, escalateIncident, transferIncident, suspendIncident, mergeIncident, recategorizeIncident, recordMediationSession, recordMediationOutcome',
    );
  });
});
