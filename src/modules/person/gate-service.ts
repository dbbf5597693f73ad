import type { Context } from '../../context';
import type { RecordGatePassageInput } from '../../generated/graphql';
import { fromGlobalId, expectGlobalId } from '../../graphql/relay';
import { joined, msg } from '../../i18n';
import { notFound, Problems, runEdit, validationError, type PayloadError } from '../../shared/payload';
import type { PiiCipher } from '../../shared/pii';
import { assertPermitted, assertPrincipal, codeSubject } from '../auth/policy';
import { currentFacility } from '../facility/repo';
import { bad } from './group-checks';
import { checkIdNumber } from './id-number';
import type { GateAccessRow, PersonRow } from './mappers';
import { personIdByIdNumberIndex } from './repo';
import { cipherFor, idNumberIndex } from './sealing';
import * as repo from './tenant-repo';

/** Clocks of gate controllers may run this far ahead of ours. */
const CLOCK_SKEW_MS = 60_000;
/** Passages reported later than this (a controller offline for a week) are refused. */
const MAX_PASSAGE_AGE_DAYS = 7;

export type PassageResult = { __typename: 'GatePassageResult'; allowed: boolean; reason: string | null; access: GateAccessRow | null };

/**
 * Gate access of confirmed tenants (一进一融一出's 一出: who stops passing is noticed). A grant lapses
 * TENANT_GATE_ACCESS_DAYS after the later of the grant and the last passage, judged when read (tenant-repo.ts,
 * the one definition), so it is right at any instant with no job running; a lapsed grant is not revived by a
 * passage: a worker confirms the tenant again. The gate system reports every passage (an API key with
 * RECORD_GATE_PASSAGES over the gate's grid) and learns whether it was allowed: never who the person is.
 */
export class GateService {
  constructor(private readonly ctx: Context) {}

  private get days(): number {
    return this.ctx.config.tenants.gateAccessDays;
  }

  /** `Person.gateAccess`: the person was already shown to the caller (person:read). */
  gateAccessOf(person: PersonRow): Promise<GateAccessRow | null> {
    return this.ctx.loaders.person.gateAccessByPerson.load(person.id);
  }

  async recordPassage(input: RecordGatePassageInput): Promise<PassageResult | PayloadError> {
    // AUTH (the key's operation; its jurisdiction once the gate is read)
    assertPermitted(this.ctx.viewer, 'gate:pass');
    const gateId = expectGlobalId(input.gateId, 'Facility', 'input.gateId');
    // VALIDATION
    const problems = new Problems();
    const who = passer(input, cipherFor(this.ctx.config), problems);
    const at = input.at ?? null;
    if (at) {
      const now = Date.now();
      if (at.getTime() > now + CLOCK_SKEW_MS) {
        problems.add(bad('input.at', msg('gate.future', { at: at.toISOString(), now: new Date(now).toISOString() })));
      } else if (at.getTime() < now - MAX_PASSAGE_AGE_DAYS * 86_400_000) {
        problems.add(bad('input.at', msg('gate.tooOld', { at: at.toISOString(), days: MAX_PASSAGE_AGE_DAYS })));
      }
    }
    const gate = await currentFacility(this.ctx.db, gateId, false);
    if (!gate) return notFound(input.gateId, 'gate');
    const principal = assertPrincipal(this.ctx.viewer, 'gate:pass', codeSubject(gate.grid_code), `gate ${gate.name}`);
    if (gate.kind !== 'GATE') {
      problems.add(bad('input.gateId', msg('gate.notGate', { name: gate.name, kind: gate.kind })));
    } else if (!gate.building_id) {
      problems.add(bad('input.gateId', msg('gate.noBuilding', { name: gate.name })));
    }
    if (problems.any || !who || !gate.building_id) return validationError(problems);
    const buildingId = gate.building_id;
    // RESOLUTION: every passage is recorded, allowed or not.
    return runEdit<PassageResult | PayloadError>(this.ctx, async (trx) => {
      const personId = 'personId' in who ? ((await repo.personExists(trx, who.personId)) ? who.personId : null) : await personIdByIdNumberIndex(trx, who.index);
      const access = personId ? await repo.lockGateAccessAt(trx, personId, buildingId, at, this.days) : null;
      const reason = refusal(access, this.days);
      if (access && reason === null) await repo.advanceLastPassage(trx, access.person_id, buildingId, access.at);
      await repo.insertGatePassage(trx, { gateId, personId, at: access?.at ?? at, allowed: reason === null, by: principal.subject });
      const after = access ? await repo.gateAccessNow(trx, access.person_id, buildingId, this.days) : null;
      return { __typename: 'GatePassageResult' as const, allowed: reason === null, reason, access: after };
    });
  }
}

/** Who passed: a person's id or an ID number (its blind index), exactly one. */
function passer(input: RecordGatePassageInput, cipher: PiiCipher, problems: Problems): { personId: string } | { index: Buffer } | null {
  const given = [input.personId, input.idNumber].filter((v) => v != null).length;
  if (given !== 1) {
    problems.add(bad('input.personId', msg('gate.who')));
    return null;
  }
  if (input.personId != null) {
    const parsed = fromGlobalId(input.personId);
    if (parsed?.type === 'Person') return { personId: parsed.id };
    problems.add(bad('input.personId', msg('gate.personId', { got: input.personId.slice(0, 60) })));
    return null;
  }
  const check = checkIdNumber(input.idNumber!);
  if (check.ok) return { index: idNumberIndex(cipher, check.value) };
  problems.add(bad('input.idNumber', msg('person.field', { label: msg('label.idNumber'), detail: joined(check.issues) })));
  return null;
}

/**
 * Why a passage is not allowed, or null when it is. Said without anything personal: the gate learns that
 * access is missing, ended or lapsed, not who the person is or where they went.
 */
function refusal(access: repo.AccessAtPassage | null, days: number): string | null {
  if (!access) return 'no gate access to this building: tenants register with the QR code on the building, and a grid worker of its grid confirms them';
  if (access.active) return null;
  if (!access.living_there || (access.revoked_at && access.revoked_at <= access.at)) {
    return 'access to this building has ended (revoked, or no longer living here): ask the grid worker';
  }
  if (access.at < access.granted_at) return `access to this building was granted at ${access.granted_at.toISOString()}, after this passage`;
  return `access lapsed at ${access.expires_at.toISOString()} after ${days} days without a passage; a passage does not renew it: the tenant registers again with the building's QR code and a grid worker confirms them`;
}
