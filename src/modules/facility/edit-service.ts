import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CameraViewInput, CreateFacilityInput, RetireFacilityInput, UpdateFacilityInput } from '../../generated/graphql';
import { expectGlobalId, fromGlobalId } from '../../graphql/relay';
import { nameIssue } from '../../shared/text';
import { msg, said, type Msg } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type NotFoundSource, type ValidationErrorSource, type VersionConflictSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { lockForEdit } from '../location/edit';
import { lockResolution, type Resolution } from '../location/repo';
import type { FacilityChangeSource, FacilityRow } from './mappers';
import * as repo from './repo';
import { facilityLabel, facilitySubject, UNNAMED } from './service';

/** A facility that belongs to a building stands within this distance of it (its footprint, or its point). */
export const BUILDING_REACH_METERS = 200;
/** The longest a camera is taken to see usefully (the table's CHECK says the same). */
export const MAX_CAMERA_RANGE_METERS = 5000;
/**
 * The narrowest view and the shortest range a camera may have (the table's CHECKs say the same): below them the
 * view sector has no area to draw (its two edges meet in one point).
 */
export const MIN_FIELD_OF_VIEW_DEGREES = 0.5;
export const MIN_CAMERA_RANGE_METERS = 1;
const MAX_NAME = 100;

type Point = { lng: number; lat: number };
type EditResult = FacilityChangeSource | ValidationErrorSource | VersionConflictSource | NotFoundSource;

/**
 * Creating, editing and retiring facilities: ADMINs and DISPATCHERs, within their jurisdiction — the grid the
 * facility's position resolves to, before and after a move (`facility:edit`). Kind is fixed at creation (a
 * camera's view columns exist for cameras only). Each write holds the grid of the facility's position (and of
 * a new one) still (`lockResolution`) and then locks the facility, in the order grid edits take them.
 */
export class FacilityEditService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateFacilityInput): Promise<EditResult> {
    // AUTH (the role; the jurisdiction once the position is resolved)
    assertPermitted(this.ctx.viewer, 'facility:edit');
    // VALIDATION of what needs no database
    const early = new Problems();
    const name = checkName(input.name, early);
    const point = this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', early);
    const camera = input.kind === 'CAMERA' ? checkCamera(input.camera, early, true) : refuseCamera(input.camera, input.kind, early);
    const buildingId = input.buildingId != null ? buildingIdOf(input.buildingId, early) : null;
    if (!point) return validationError(early);
    return runEdit<EditResult>(this.ctx, async (trx) => {
      const principal = this.assertAt(await lockResolution(trx, point), msg('facility.at', { lng: point.lng, lat: point.lat }));
      // VALIDATION of the rest, every problem in one answer
      const problems = new Problems().addAll(early);
      if (buildingId) await checkBuilding(trx, buildingId, point, 'input.buildingId', problems);
      if (problems.any) return validationError(problems);
      // RESOLUTION
      const facilityId = await repo.insertFacility(
        trx,
        { name: name!, kind: input.kind, status: input.status ?? 'ONLINE', point, buildingId, camera },
        principal.subject,
      );
      return { __typename: 'FacilitySuccess', facilityId };
    });
  }

  async update(input: UpdateFacilityInput): Promise<EditResult> {
    // AUTH (the role; the jurisdiction once the facility and its new position are read)
    assertPermitted(this.ctx.viewer, 'facility:edit');
    const id = expectGlobalId(input.id, 'Facility', 'input.id');
    // VALIDATION of what needs no database
    const early = new Problems();
    const changes = [input.name, input.status, input.location, input.camera].some((v) => v != null) || input.buildingId !== undefined;
    if (!changes) early.add(problem('BAD_VALUE', msg('facility.nothingToChange'), { field: 'input' }));
    const name = input.name != null ? checkName(input.name, early) : undefined;
    const point = input.location != null ? this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', early) : undefined;
    const buildingId = input.buildingId != null ? buildingIdOf(input.buildingId, early) : input.buildingId;
    return runEdit<EditResult>(this.ctx, async (trx) => {
      const found = await this.lockEditable(trx, input.id, id, input.expectedVersion, point);
      if ('__typename' in found) return found;
      const { row, principal, target } = found;
      if (target) this.assertAt(target, msg('facility.newPosition', { facility: facilityLabel(row) }));
      // VALIDATION of what depends on the facility, every problem in one answer
      const problems = new Problems().addAll(early);
      const camera = input.camera != null ? (row.kind === 'CAMERA' ? checkCamera(input.camera, problems, false) : refuseCamera(input.camera, row.kind, problems)) : undefined;
      // The link is checked when it or the position changes (a position that is none was reported above).
      const linked = buildingId !== undefined ? buildingId : row.building_id;
      if (linked && (buildingId || point)) {
        await checkBuilding(trx, linked, point ?? row, buildingId ? 'input.buildingId' : 'input.location', problems);
      }
      if (problems.any) return validationError(problems);
      // RESOLUTION
      const change = { name: name ?? undefined, status: input.status ?? undefined, point: point ?? undefined, buildingId, camera: camera ?? undefined };
      if (!(await repo.updateFacility(trx, row.id, input.expectedVersion, change, principal.subject))) {
        return versionConflict(row, facilityLabel(row), input.expectedVersion);
      }
      return { __typename: 'FacilitySuccess', facilityId: row.id };
    });
  }

  /** Takes the facility out of every list and count; it can still be read by id. */
  async retire(input: RetireFacilityInput): Promise<EditResult> {
    assertPermitted(this.ctx.viewer, 'facility:edit');
    const id = expectGlobalId(input.id, 'Facility', 'input.id');
    return runEdit<EditResult>(this.ctx, async (trx) => {
      const found = await this.lockEditable(trx, input.id, id, input.expectedVersion, undefined);
      if ('__typename' in found) return found;
      const { row, principal } = found;
      if (!(await repo.retireFacility(trx, row.id, input.expectedVersion, principal.subject))) {
        return versionConflict(row, facilityLabel(row), input.expectedVersion);
      }
      return { __typename: 'FacilitySuccess', facilityId: row.id };
    });
  }

  /** The facility to edit (see location/edit.ts `lockForEdit`), within the caller's jurisdiction. */
  private lockEditable(trx: Knex.Transaction, globalId: string, id: string, expectedVersion: number, to: Point | null | undefined) {
    return lockForEdit<FacilityRow>(
      trx,
      {
        read: (lock) => repo.currentFacility(trx, id, lock),
        authorize: (row) => assertPrincipal(this.ctx.viewer, 'facility:edit', facilitySubject(row), UNNAMED),
        label: facilityLabel,
        notFound: () => notFound(globalId, 'facility'),
      },
      expectedVersion,
      to,
    );
  }


  /** The caller may edit facilities where `resolution` lies (outside every grid: only the whole deployment). */
  private assertAt(resolution: Resolution, what: Msg): Principal {
    return assertPrincipal(this.ctx.viewer, 'facility:edit', codeSubject(resolution.code), what);
  }
}

function checkName(input: string, problems: Problems): string | null {
  const issue = nameIssue(input, MAX_NAME);
  if (issue) {
    problems.add(problem('BAD_NAME', msg('facility.name', { issue }), { field: 'input.name' }));
    return null;
  }
  return input.trim();
}

/** A camera's view, checked field by field; `required` on create (a camera without a view sees nothing). */
function checkCamera(input: CameraViewInput | null | undefined, problems: Problems, required: boolean): repo.CameraValues | null {
  if (!input) {
    if (required) problems.add(problem('BAD_VALUE', msg('facility.cameraNeeded'), { field: 'input.camera' }));
    return null;
  }
  const before = problems.count;
  const check = (ok: boolean, field: string, message: Msg) => {
    if (!ok) problems.add(problem('BAD_VALUE', message, { field: `input.camera.${field}` }));
  };
  const { bearing, fieldOfView, rangeMeters } = input;
  check(Number.isFinite(bearing) && bearing >= 0 && bearing < 360, 'bearing', msg('facility.bearing', { got: bearing }));
  check(
    Number.isFinite(fieldOfView) && fieldOfView >= MIN_FIELD_OF_VIEW_DEGREES && fieldOfView <= 360,
    'fieldOfView',
    msg('facility.fieldOfView', { min: MIN_FIELD_OF_VIEW_DEGREES, got: fieldOfView }),
  );
  check(
    Number.isFinite(rangeMeters) && rangeMeters >= MIN_CAMERA_RANGE_METERS && rangeMeters <= MAX_CAMERA_RANGE_METERS,
    'rangeMeters',
    msg('facility.range', { min: MIN_CAMERA_RANGE_METERS, max: MAX_CAMERA_RANGE_METERS, got: rangeMeters }),
  );
  if (problems.count > before) return null;
  return { bearing, fov: fieldOfView, rangeM: rangeMeters, category: input.category };
}

function refuseCamera(input: CameraViewInput | null | undefined, kind: string, problems: Problems): null {
  if (input) problems.add(problem('BAD_VALUE', msg('facility.notCamera', { kind }), { field: 'input.camera' }));
  return null;
}

/** The database id of a Building global id; a problem (not an error) when it names no building. */
function buildingIdOf(globalId: string, problems: Problems): string | null {
  const parsed = fromGlobalId(globalId);
  if (parsed?.type === 'Building') return parsed.id;
  problems.add(problem('BAD_VALUE', msg('facility.notBuildingId', { got: globalId.slice(0, 100) }), { field: 'input.buildingId' }));
  return null;
}

/** The building must be current and the facility within BUILDING_REACH_METERS of it. */
async function checkBuilding(trx: Knex, buildingId: string, point: Point, field: string, problems: Problems): Promise<void> {
  const building = await repo.buildingNear(trx, buildingId, point);
  if (!building) {
    problems.add(problem('BAD_VALUE', msg('facility.noBuilding'), { field: 'input.buildingId' }));
  } else if (building.distance_m > BUILDING_REACH_METERS) {
    problems.add({
      code: 'BAD_VALUE',
      field,
      ...said(msg('facility.tooFar', { moved: field === 'input.location' ? 1 : 0, meters: Math.round(building.distance_m), code: building.code, name: building.name, max: BUILDING_REACH_METERS })),
      subjects: [{ type: 'Building', id: building.id }],
    });
  }
}
