import type { Context } from '../../context';
import type { RevealIncidentContactsInput } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { notFound, Problems, runEdit, validationError, type NotFoundSource, type ValidationErrorSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, isIncidentAssignee } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { writeAudit } from '../person/audit-repo';
import { bad } from '../person/group-checks';
import { checkReason } from '../person/privacy-service';
import { cipherFor } from '../person/sealing';
import { sealedContacts } from './contacts-repo';
import type { IncidentRow, PartyRow } from './mappers';
import { PARTY_PHONE, REPORTER_PHONE } from './report';
import { incidentLabel } from './service';

export interface RevealedPartySource {
  party: PartyRow;
  phone: string | null;
}

export interface RevealedContactsSource {
  incidentId: string;
  reporterPhone: string | null;
  parties: RevealedPartySource[];
  auditId: string;
}

type RevealResult = (RevealedContactsSource & { __typename: 'RevealedIncidentContacts' }) | ValidationErrorSource | NotFoundSource;

/**
 * `revealIncidentContacts`: the people policy applied to an incident's contacts (DESIGN "Personal data"). A
 * resident reporter's phone and the phones of parties given by name are sealed like a person's; they open only
 * here, with a reason, and the reveal writes one audit row (subject: the incident) in its own transaction, so no
 * clear value leaves without its row. Who: the roles that may reveal people's values (ADMIN, DISPATCHER,
 * GRID_WORKER) within a jurisdiction covering one of the incident's grids, and the incident's assignee.
 */
export class IncidentContactsService {
  constructor(private readonly ctx: Context) {}

  async reveal(input: RevealIncidentContactsInput): Promise<RevealResult> {
    // AUTH (the role; the jurisdiction once the incident is read)
    assertPermitted(this.ctx.viewer, 'person:reveal');
    const id = expectGlobalId(input.id, 'Incident', 'input.id');
    const seen = await this.ctx.services.incident.byId(id);
    if (!seen) return notFound(input.id, 'incident');
    this.authorize(seen);
    // VALIDATION
    const problems = new Problems();
    const reason = checkReason(input.reason, problems);
    if (problems.any) return validationError(problems);
    // RESOLUTION: the values and the audit row in one transaction.
    return runEdit<RevealResult>(this.ctx, async (trx) => {
      const sealed = await sealedContacts(trx, id);
      const cipher = cipherFor(this.ctx.config);
      const partyPhones = sealed.parties.filter((p) => p.phone_sealed !== null).length;
      if (!sealed.reporterPhone && partyPhones === 0) {
        return validationError([bad('input.id', msg('incident.nothingToReveal', { incident: incidentLabel(seen) }))]);
      }
      const out: RevealedContactsSource = {
        incidentId: id,
        reporterPhone: sealed.reporterPhone ? cipher.open(sealed.reporterPhone, REPORTER_PHONE) : null,
        parties: sealed.parties.map(({ phone_sealed, ...party }) => ({ party, phone: phone_sealed ? cipher.open(phone_sealed, PARTY_PHONE) : null })),
        auditId: '',
      };
      out.auditId = await writeAudit(trx, this.ctx, this.authorize(seen), {
        action: 'REVEAL',
        subjectType: 'incident',
        subjectId: id,
        fields: ['PHONE'],
        reason,
        detail: { reporterPhone: sealed.reporterPhone !== null, partyPhones },
      });
      return { __typename: 'RevealedIncidentContacts', ...out };
    });
  }

  /** The assignee, or staff who may reveal people's values where the incident lies (FORBIDDEN otherwise). */
  private authorize(row: IncidentRow): Principal {
    if (isIncidentAssignee(this.ctx.viewer, row)) return this.ctx.viewer;
    return assertPrincipal(this.ctx.viewer, 'person:reveal', { codes: row.codes }, incidentLabel(row));
  }
}
