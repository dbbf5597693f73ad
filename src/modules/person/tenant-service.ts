import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Context } from '../../context';
import { badInput, rateLimited } from '../../errors';
import type { ConfirmTenantInput, QueryPendingRegistrationsArgs, RegisterTenantInput, RejectTenantInput } from '../../generated/graphql';
import { encodeCursor, decodeCursor, expectGlobalId, pageSize, toGlobalId, UUID } from '../../graphql/relay';
import { RateLimiter } from '../../limits/rate-limit';
import { msg, said } from '../../i18n';
import { notFound, Problems, runEdit, validationError, type NotFoundSource, type PayloadError, type ProblemRow } from '../../shared/payload';
import { assertPermitted, assertPrincipal, can, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { lockResolution } from '../location/repo';
import { checkRange, HOUSE_UNIT, isRoom, MAX_ROOM } from '../place/checks';
import type { BuildingRow, HouseRow } from '../place/mappers';
import { checkPersonFields, todayInChina } from './checks';
import { bad } from './group-checks';
import { maskIdNumber } from './id-number';
import type { PersonRow, TenantRegistrationChangeSource, TenantRegistrationPage, TenantRegistrationRow } from './mappers';
import * as editRepo from './repo-edit';
import { cipherFor, idNumberIndex, maskResidentPhone, SEALED } from './sealing';
import { confirmRegistration, type TenantSubmission } from './tenant-confirm';
import * as repo from './tenant-repo';

const BUILDING_CODE = /^\d{16}$/;
const MIN_REJECTION_REASON = 2;
const MAX_REJECTION_REASON = 500;
/** Rooms listed when a tenant names one the building does not have. */
const ROOMS_LISTED = 30;

export type Receipt = { __typename: 'TenantRegistrationReceipt'; reference: string; status: 'PENDING'; message: string };
type Decided = TenantRegistrationChangeSource & { __typename: 'TenantRegistrationSuccess' };

/**
 * Tenants' self-registration (一进一融一出, Zhengzhou): a building's QR code opens a form (tenant-form.ts) whose
 * submission anyone may send (`tenant:register`, within a per-client budget of TENANT_REGISTRATION_PER_HOUR);
 * it goes through the same checks as every other person, and kept sealed until a grid worker of the building's grid (or a DISPATCHER or
 * ADMIN over it: `tenant:decide`) confirms it, which registers the person and grants gate access (gate-service.ts),
 * or rejects it. Only masked values are ever shown; nothing personal is logged.
 */
export class TenantService {
  constructor(private readonly ctx: Context) {}

  private get cipher() {
    return cipherFor(this.ctx.config);
  }

  async register(input: RegisterTenantInput): Promise<Receipt | PayloadError> {
    // AUTH: anyone, within the client's budget (counted whatever the outcome: a refusal tells as much as a receipt).
    assertPermitted(this.ctx.viewer, 'tenant:register');
    this.takeFromBudget();
    // VALIDATION (the fields)
    const checked = checkTenantInput(input, todayInChina());
    if (!checked.buildingCode) return validationError(checked.problems);
    const code = checked.buildingCode;
    return runEdit<Receipt | PayloadError>(
      this.ctx,
      async (trx) => {
        // VALIDATION (against the building, its houses and what is pending)
        const problems = new Problems().addAll(checked.problems);
        const building = await repo.currentBuildingByCode(trx, code);
        if (!building) return buildingNotFound(code);
        if (checked.room !== null && !(await repo.currentHouseAt(trx, building.id, checked.unit, checked.room, false))) {
          problems.add(await noSuchRoom(trx, building, checked.unit, checked.room));
        }
        const index = checked.idNumber ? idNumberIndex(this.cipher, checked.idNumber) : null;
        if (index && (await repo.pendingRegistrationOf(trx, building.id, index))) problems.add(alreadyPending(building));
        if (problems.any || !index || !checked.submission || checked.room === null) return validationError(problems);
        // RESOLUTION
        const s = checked.submission;
        const id = await repo.insertRegistration(trx, {
          buildingId: building.id,
          unit: checked.unit,
          room: checked.room,
          name: s.name,
          gender: s.gender,
          birthYear: Number(s.birthDate.slice(0, 4)),
          idNumberIndex: index,
          idNumberMasked: maskIdNumber(s.idNumber),
          phoneMasked: maskResidentPhone(s.phone),
          submissionSealed: this.cipher.seal(JSON.stringify(s), SEALED.tenantSubmission),
        });
        this.ctx.log.info({ registrationId: id, building: building.code }, 'tenant registration submitted');
        const reference = toGlobalId('TenantRegistration', id);
        return {
          __typename: 'TenantRegistrationReceipt' as const,
          reference,
          status: 'PENDING' as const,
          message: `登记已提交，等待网格员核实确认。Submitted: a grid worker of building ${building.code} (${building.name}) will check it with you and confirm it; quote reference ${reference} if asked.`,
        };
      },
      // The same ID number submitted for this building at the same moment (a double tap): one is kept.
      { onUniqueViolation: async (v) => (v.constraint === 'tenant_registration_one_pending' ? validationError([alreadyPending(null)]) : null) },
    );
  }

  /** Takes one registration from the client's hourly budget, or refuses RATE_LIMITED with when to retry. */
  private takeFromBudget(): void {
    const limit = this.ctx.config.tenants.registrationsPerHour;
    const decision = registrationBudget(this.ctx.config).take(this.ctx.clientKey);
    if (decision.ok) return;
    const minutes = Math.ceil(decision.retryAfterSeconds / 60);
    throw rateLimited(
      `too many tenant registrations from this client: at most ${limit} an hour (TENANT_REGISTRATION_PER_HOUR); retry in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      decision.retryAfterSeconds,
    );
  }

  /** `pendingRegistrations`: PENDING ones of buildings in a grid's subtree (default: the caller's jurisdiction), oldest first. */
  async pending(args: QueryPendingRegistrationsArgs): Promise<TenantRegistrationPage> {
    const principal = assertPermitted(this.ctx.viewer, 'tenant:decide')!;
    const named = await this.ctx.services.location.gridOf(args.gridId, args.gridCode, '');
    const subtreeOf = await this.ctx.services.person.listScope(principal, 'tenant:decide', named);
    const limit = pageSize(args.first);
    const after = args.after ? registrationCursor(args.after) : null;
    const rows = await repo.pageOfPending(this.ctx.db, subtreeOf, after, limit + 1);
    let total: Promise<number> | undefined;
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount: () => (total ??= repo.countPending(this.ctx.db, subtreeOf)) };
  }



  /** A registration by database id: `node(id)`, payloads. Visible to `tenant:decide` where its building stands. */
  async registrationForNode(id: string): Promise<TenantRegistrationRow | null> {
    assertPermitted(this.ctx.viewer, 'tenant:decide');
    const [row] = await repo.registrationsByIds(this.ctx.db, [id]);
    if (!row) return null;
    assertPrincipal(this.ctx.viewer, 'tenant:decide', codeSubject(row.grid_code), 'this tenant registration');
    return row;
  }

  /** The house a registration names, as the registry has it now (null: none there). */
  async house(row: TenantRegistrationRow): Promise<HouseRow | null> {
    return row.house_id ? this.ctx.services.place.houseById(row.house_id) : null;
  }

  /** The person a confirmation registered, when the caller may read them where they live now (else null). */
  async personOf(row: TenantRegistrationRow): Promise<PersonRow | null> {
    const person = row.person_id ? await this.ctx.loaders.person.personById.load(row.person_id) : null;
    return person && can(this.ctx.viewer, 'person:read', codeSubject(person.grid_code)) ? person : null;
  }

  /** The URL a building's QR code carries: the registration form with its code filled in. */
  registrationUrl(building: BuildingRow): string {
    return `${this.ctx.config.publicUrl}/tenant-registration?building=${encodeURIComponent(building.code)}`;
  }

  /**
   * `confirmTenant`: registers the tenant in the house their registration names (or moves the person already
   * holding the ID number there, see tenant-confirm.ts), in the given household or a new one, and grants access
   * to the building's gates.
   */
  async confirm(input: ConfirmTenantInput): Promise<Decided | PayloadError> {
    return this.decide(input.id, async (trx, reg, principal) => {
      const problems = new Problems();
      stillPending(reg, input.expectedVersion, 'confirmed', problems);
      if (problems.any) return validationError(problems);
      const submission = this.openSubmission(reg);
      const outcome = await confirmRegistration(trx, this.ctx.config, reg, submission, input, principal);
      if ('__typename' in outcome) return outcome;
      await repo.decideRegistration(trx, reg.id, { status: 'CONFIRMED', by: principal.subject, personId: outcome.personId, reason: null });
      this.ctx.log.info({ registrationId: reg.id, personId: outcome.personId, moved: outcome.moved }, 'tenant registration confirmed');
      return { __typename: 'TenantRegistrationSuccess' as const, registrationId: reg.id };
    });
  }

  /** `rejectTenant`: REJECTED with the reason (the submission's sealed details are dropped). */
  async reject(input: RejectTenantInput): Promise<Decided | PayloadError> {
    const reason = input.reason.trim();
    return this.decide(input.id, async (trx, reg, principal) => {
      const problems = new Problems();
      stillPending(reg, null, 'rejected', problems);
      if (reason.length < MIN_REJECTION_REASON || reason.length > MAX_REJECTION_REASON || /\p{Cc}/u.test(reason)) {
        problems.add(bad('input.reason', msg('tenant.rejectReason', { min: MIN_REJECTION_REASON, max: MAX_REJECTION_REASON, got: reason.length })));
      }
      if (problems.any) return validationError(problems);
      await repo.decideRegistration(trx, reg.id, { status: 'REJECTED', by: principal.subject, personId: null, reason });
      return { __typename: 'TenantRegistrationSuccess' as const, registrationId: reg.id };
    });
  }

  /**
   * What deciding shares: the role first, then in one transaction the grids of the building's position locked
   * before the registration's row (as every write that depends on a grid), and the building's grid within the
   * caller's jurisdiction.
   */
  private async decide(
    globalId: string,
    work: (trx: Knex.Transaction, reg: repo.RegistrationForDecision, principal: Principal) => Promise<Decided | PayloadError>,
  ): Promise<Decided | PayloadError> {
    assertPermitted(this.ctx.viewer, 'tenant:decide');
    const id = expectGlobalId(globalId, 'TenantRegistration', 'input.id');
    return runEdit<Decided | NotFoundSource | PayloadError>(
      this.ctx,
      async (trx) => {
        const seen = await repo.registrationForDecision(trx, id, false);
        if (!seen) return notFound(globalId, 'tenant registration');
        assertPrincipal(this.ctx.viewer, 'tenant:decide', codeSubject(seen.grid_code), `building ${seen.building_code} (${seen.building_name})`);
        await lockResolution(trx, seen);
        const reg = (await repo.registrationForDecision(trx, id, true))!;
        const principal = assertPrincipal(this.ctx.viewer, 'tenant:decide', codeSubject(reg.grid_code), `building ${reg.building_code} (${reg.building_name})`);
        return work(trx, reg, principal);
      },
      { onUniqueViolation: async (v) => raced(v.constraint) },
    );
  }

  private openSubmission(reg: repo.RegistrationForDecision): TenantSubmission {
    // A pending registration always has its submission (it is dropped only by a decision).
    return JSON.parse(this.cipher.open(reg.submission_sealed!, SEALED.tenantSubmission)) as TenantSubmission;
  }
}

const budgets = new WeakMap<Config, RateLimiter>();

/** The registration budget of a configuration (one per process: a server has one configuration). */
function registrationBudget(config: Config): RateLimiter {
  let budget = budgets.get(config);
  if (!budget) {
    const perHour = config.tenants.registrationsPerHour;
    budget = new RateLimiter(perHour / 60, Math.max(1, perHour));
    budgets.set(config, budget);
  }
  return budget;
}


interface CheckedTenantInput {
  problems: Problems;
  /** Null when malformed (nothing to look up). */
  buildingCode: string | null;
  unit: number | null;
  /** Null when the unit or room is malformed (no house to look up). */
  room: string | null;
  /** The normalised ID number, when it is valid (for the pending check, even beside other problems). */
  idNumber: string | null;
  /** What is sealed, when every field is right. */
  submission: TenantSubmission | null;
}

/**
 * The form's fields, checked like every other person's (checkPersonFields: a floating resident arriving today unless said
 * otherwise), with the ID number and phone required; each problem names its input field.
 */
function checkTenantInput(input: RegisterTenantInput, today: string): CheckedTenantInput {
  const problems = new Problems();
  const buildingCode = input.buildingCode.trim();
  const codeOk = BUILDING_CODE.test(buildingCode);
  if (!codeOk) problems.add(bad('input.buildingCode', msg('tenant.buildingCode', { got: buildingCode.slice(0, 40) })));
  const before = problems.count;
  const unit = checkRange(input.unit, 'input.unit', HOUSE_UNIT, problems) ?? null;
  const room = input.room.trim();
  if (!isRoom(room)) problems.add(bad('input.room', msg('tenant.room', { max: MAX_ROOM, got: room.slice(0, 40) })));
  const addressOk = problems.count === before;
  const idNumber = input.idNumber.trim() === '' ? undefined : input.idNumber;
  const phone = input.phone.trim() === '' ? undefined : input.phone;
  if (!idNumber) problems.add(bad('input.idNumber', msg('tenant.idRequired')));
  if (!phone) problems.add(bad('input.phone', msg('tenant.phoneRequired')));
  const fields = checkPersonFields(
    {
      name: input.name,
      gender: input.gender,
      idNumber,
      phone,
      residenceType: 'FLOATING',
      registeredAddress: input.registeredAddress,
      floating: { arrivedOn: input.arrivedOn ?? today, reason: input.reason, permitNumber: input.permitNumber, permitExpiresOn: input.permitExpiresOn },
    },
    // The birth date comes from the ID number: the form has no field for it, so nothing is said about it.
    { add: (problem: ProblemRow) => (problem.field === 'input.birthDate' ? problems : problems.add(problem)) },
    { mode: 'create', field: (key) => `input.${key.replace(/^floating\./, '')}`, today },
  );
  const f = fields.floating;
  return {
    problems,
    buildingCode: codeOk ? buildingCode : null,
    unit,
    room: addressOk ? room : null,
    idNumber: fields.idNumber ?? null,
    submission: problems.any
      ? null
      : {
          name: fields.name!,
          gender: fields.gender!,
          birthDate: fields.birthDate!,
          idNumber: fields.idNumber!,
          phone: fields.phone!,
          registeredAddress: fields.registeredAddress ?? null,
          arrivedOn: f?.arrivedOn ?? today,
          reason: f?.reason ?? null,
          permitNumber: f?.permitNumber ?? null,
          permitExpiresOn: f?.permitExpiresOn ?? null,
        },
  };
}

function buildingNotFound(code: string): NotFoundSource {
  return { __typename: 'NotFoundError', ...said(msg('tenant.noBuilding', { code })), id: code };
}

/** The rooms the building has (never who lives in them), so the tenant can pick theirs. */
async function noSuchRoom(db: Knex, building: { code: string; name: string }, unit: number | null, room: string): Promise<ProblemRow> {
  const { rooms } = await editRepo.roomsOfBuilding(db, building.code, ROOMS_LISTED);
  const missing = { code: building.code, name: building.name, unit: unit !== null ? String(unit) : '', room, rooms: rooms.join(', '), more: rooms.length >= ROOMS_LISTED ? 1 : 0 };
  return bad('input.room', msg('tenant.noRoom', missing));
}

function alreadyPending(building: { code: string } | null): ProblemRow {
  return bad('input.idNumber', msg('tenant.pending', { code: building?.code ?? '' }));
}

/** A decision needs a registration still PENDING (at the version the caller saw, when given); a confirmation, a current building. */
function stillPending(reg: repo.RegistrationForDecision, expectedVersion: number | null | undefined, verb: 'confirmed' | 'rejected', problems: Problems): void {
  if (reg.status !== 'PENDING') {
    problems.add(bad('input.id', msg('tenant.decided', { status: reg.status, by: reg.decided_by ?? msg('someone'), at: reg.decided_at?.toISOString() ?? '', confirming: verb === 'confirmed' ? 1 : 0 })));
  } else if (expectedVersion != null && expectedVersion !== reg.version) {
    problems.add(bad('input.expectedVersion', msg('tenant.version', { version: reg.version, expected: expectedVersion })));
  }
  if (verb === 'confirmed' && reg.building_retired) {
    problems.add(bad('input.id', msg('tenant.buildingRetired', { code: reg.building_code, name: reg.building_name })));
  }
}

/** A unique index refused what the checks under the locks found free: a concurrent write took it. */
function raced(constraint: string): PayloadError | null {
  const messages: Record<string, ProblemRow> = {
    person_id_number: bad('input.id', msg('tenant.idRace')),
    household_head: bad('input.relationToHead', msg('personEdit.headRace')),
    household_number_key: bad('input.household.number', msg('tenant.householdRace')),
  };
  return messages[constraint] ? validationError([messages[constraint]]) : null;
}

function registrationCursor(after: string): string {
  const [id] = decodeCursor(after, 1);
  if (typeof id !== 'string' || !UUID.test(id)) throw badInput('after is not a cursor of this list', 'after');
  return id;
}

export const registrationCursorOf = (row: TenantRegistrationRow): string => encodeCursor([row.id]);
