import type { IncidentChannel } from '../../src/generated/graphql';
import type { IncidentPlace } from './incident-flows';
import type { Actor } from './incident-story';
import type { CategoryProfile } from './incident-texts';
import { MOBILE_PREFIXES, pickGivenName, pickSurname } from './person-names';
import type { SeededRandom } from './random';

/**
 * Who reports a demo incident and who the parties of a dispute are, as fileReport records them: a grid worker's
 * own report (their account), a resident with no account (QR code, Open311: no subject), or a dispatcher filing a
 * call, a visit or a referral for a resident. Callers give a name as 王女士 and often a phone, a dispute's parties
 * their full names; an organisation is a party by its id. Phones are sealed by the caller (incidents.ts) exactly
 * as the module seals them.
 */
export interface PlannedReporter {
  subject: string | null;
  role: string;
  name: string | null;
  phone: string | null;
}

export interface Enterprise {
  id: string;
  name: string;
}

export interface PlannedParty {
  role: 'APPLICANT' | 'RESPONDENT';
  name: string | null;
  organizationId: string | null;
  phone: string | null;
  /** How the mediation's attendance lists them. */
  label: string;
}

/** Share of reporters leaving a phone, by channel (the hotline always has the caller's number; most give it). */
const PHONE_SHARE: Partial<Record<IncidentChannel, number>> = { HOTLINE_12345: 0.7, WALK_IN: 0.5, PETITION_OFFICE: 0.5, RESIDENT_QR: 0.4, OPEN311: 0.3 };

export function mobile(rng: SeededRandom): string {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(1e8)).padStart(8, '0');
}

export function fullName(rng: SeededRandom): string {
  const gender = rng.next() < 0.5 ? 'MALE' : 'FEMALE';
  return pickSurname(rng) + pickGivenName(rng, gender, 1950 + rng.int(50));
}

/** The REPORT entry's actor and the incident's reporter columns. */
export function reporterOf(rng: SeededRandom, channel: IncidentChannel, place: IncidentPlace): { actor: Actor; row: PlannedReporter } {
  if (channel === 'GRID_WORKER_APP' && place.worker) {
    return { actor: { subject: place.worker.account, role: 'GRID_WORKER' }, row: { subject: place.worker.account, role: 'GRID_WORKER', name: null, phone: null } };
  }
  const caller = () => `${pickSurname(rng)}${rng.next() < 0.55 ? '女士' : '先生'}`;
  const phone = () => (rng.next() < (PHONE_SHARE[channel] ?? 0) ? mobile(rng) : null);
  if (channel === 'RESIDENT_QR' || channel === 'OPEN311') {
    const name = rng.next() < 0.6 ? (channel === 'OPEN311' ? fullName(rng) : caller()) : null;
    return { actor: { subject: 'RESIDENT', role: 'RESIDENT' }, row: { subject: null, role: 'RESIDENT', name, phone: phone() } };
  }
  const dispatcher = `dispatcher-${place.community.code}`;
  const name = channel !== 'VIDEO_PATROL' && rng.next() < 0.85 ? caller() : null;
  return { actor: { subject: dispatcher, role: 'DISPATCHER' }, row: { subject: dispatcher, role: 'DISPATCHER', name, phone: name ? phone() : null } };
}

/** A dispute's applicant and respondent: people by name, or the building's property company, or an enterprise. */
export function partiesOf(rng: SeededRandom, profile: CategoryProfile, place: IncidentPlace, company: Enterprise): PlannedParty[] {
  const applicant = fullName(rng);
  const parties: PlannedParty[] = [{ role: 'APPLICANT', name: applicant, organizationId: null, phone: rng.next() < 0.5 ? mobile(rng) : null, label: applicant }];
  const property = place.organizations.PROPERTY_MANAGEMENT;
  if (profile.respondent === 'PROPERTY_MANAGEMENT' && property) {
    parties.push({ role: 'RESPONDENT', name: null, organizationId: property, phone: null, label: '物业公司代表' });
  } else if (profile.respondent === 'ENTERPRISE') {
    parties.push({ role: 'RESPONDENT', name: null, organizationId: company.id, phone: null, label: `${company.name}代表` });
  } else {
    const respondent = fullName(rng);
    parties.push({ role: 'RESPONDENT', name: respondent, organizationId: null, phone: null, label: respondent });
  }
  return parties;
}
