import { randomUUID } from 'node:crypto';
import type { Config } from '../../config';
import type { RelationToHead, ResidenceType } from '../../generated/graphql';
import { msg, type Msg } from '../../i18n';
import type { ProblemRow } from '../../shared/payload';
import { PiiCipher } from '../../shared/pii';
import { isRoom } from '../place/checks';
import { checkPersonFields, type PersonFieldsInput } from './checks';
import {
  dateText,
  FIELD_NAMES,
  genderOf,
  RELATION_EXAMPLES,
  relationOf,
  residenceTypeOf,
  roundedNumberMessage,
  SCIENTIFIC,
  type ImportField,
} from './import-columns';
import { personColumns } from './repo';
import { idNumberIndex } from './sealing';

/**
 * One row of a people spreadsheet checked on its own (no database): the cells read (男/女, 户籍/流动, dates as
 * spreadsheets write them), every value through `checkPersonFields` as registerPerson checks it, the house and
 * household references' shape; a valid row sealed on the way (the ID number, phone and permit never leave this
 * step in clear). Runs on worker threads (import-worker.ts), batch by batch, beside the database writes.
 */

/** Rows as read from the file: `cells[i][k]` is row i's cell of field `FIELD_NAMES[k]` ('' when empty or absent). */
export interface RawBatch {
  seq: number;
  rows: number[];
  cells: string[][];
}

/** A problem of one row, in one column (a field; the report names its header). */
export interface RowProblem {
  row: number;
  field: ImportField;
  /** Plain data: it crosses from the worker threads, and is rendered in the importer's language in the report. */
  message: Msg | string;
}

/** A batch checked: what the database steps need of the valid rows, and the problems of the others. */
export interface ValidatedBatch {
  seq: number;
  rows: number;
  problems: RowProblem[];
  /** Rows refused here: their row numbers. */
  refused: number[];
  /** 户号 of refused rows that were their household's head (the household's other rows are not blamed for lacking one). */
  refusedHeads: string[];
  /** Valid rows, in file order. */
  accepted: {
    rows: number[];
    /** The house: building code, unit ('' for none) and room, tab-separated. */
    houses: string[];
    households: (string | null)[];
    relations: (RelationToHead | null)[];
  };
  /**
   * Every row whose ID number reads (valid or not otherwise), for duplicates within the file and against the
   * registry: its row, exact key (idNumberKey) and blind index (base64).
   */
  ids: { rows: number[]; keys: number[]; indexes: string[] };
  /** The valid rows as a JSON array of person columns (personal values sealed, base64) and new ids, `n` their row number. */
  json: string;
}

export interface ValidationSettings {
  pii: Config['pii'];
  /** Today in China (YYYY-MM-DD): one day for the whole import. */
  today: string;
}

const F = Object.fromEntries(FIELD_NAMES.map((f, i) => [f, i])) as Record<ImportField, number>;
const BUILDING_CODE = /^\d{16}$/;
const HOUSEHOLD_NUMBER = /^[0-9A-Za-z-]{1,32}$/;
const FLOATING_FIELDS = ['arrivedOn', 'arrivalReason', 'permitNumber', 'permitExpiresOn'] as const;
const TYPE_LABEL: Record<ResidenceType, string> = { REGISTERED: '户籍', FLOATING: '流动', OVERSEAS: '境外', UNSETTLED: '未落户' };
/** The person columns a JSON row carries, in order (import-repo.ts ROW_TYPES reads them by name). */
const JSON_COLUMNS = [
  'name', 'gender', 'birth_date', 'birth_year', 'ethnicity', 'id_number_sealed', 'id_number_index', 'id_number_masked', 'phone_sealed',
  'phone_index', 'phone_masked', 'residence_type', 'registered_address', 'relation_to_head', 'moved_in_on', 'arrived_on', 'arrival_reason',
  'permit_sealed', 'permit_masked', 'permit_expires_on',
] as const;

/**
 * One row as a JSON object: `n` its row number, `id` and `residence_id` new ids of the person and their first
 * residence, sealed values base64 (written out by hand: the hot path).
 */
function rowJson(row: number, columns: ReturnType<typeof personColumns>): string {
  let json = `{"n":${row},"id":"${timeOrderedUuid()}","residence_id":"${timeOrderedUuid()}"`;
  for (const key of JSON_COLUMNS) {
    const value = columns[key];
    json += `,"${key}":`;
    if (value === null || value === undefined) json += 'null';
    else if (typeof value === 'number') json += String(value);
    else if (Buffer.isBuffer(value)) json += `"${value.toString('base64')}"`;
    else json += JSON.stringify(value);
  }
  return `${json}}`;
}

/** checkPersonFields' field keys → the import's fields. */
const CHECKED_FIELD: Record<string, ImportField> = {
  floating: 'arrivedOn',
  'floating.arrivedOn': 'arrivedOn',
  'floating.reason': 'arrivalReason',
  'floating.permitNumber': 'permitNumber',
  'floating.permitExpiresOn': 'permitExpiresOn',
};
const DAY = 86_400_000;
const EPOCH_1900 = Date.UTC(1900, 0, 1);

/** Checks and seals rows; one per worker thread (the cipher parses its keys once). */
export class RowValidator {
  private readonly cipher: PiiCipher;

  constructor(private readonly settings: ValidationSettings) {
    this.cipher = new PiiCipher(settings.pii);
  }

  validate(batch: RawBatch): ValidatedBatch {
    const out: ValidatedBatch = {
      seq: batch.seq,
      rows: batch.rows.length,
      problems: [],
      refused: [],
      refusedHeads: [],
      accepted: { rows: [], houses: [], households: [], relations: [] },
      ids: { rows: [], keys: [], indexes: [] },
      json: '',
    };
    const json: string[] = [];
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i];
      const before = out.problems.length;
      const checked = this.row(row, batch.cells[i], out.problems);
      const valid = out.problems.length === before && checked.write !== undefined;
      const columns = valid ? personColumns(this.cipher, checked.write!, '') : null;
      if (checked.idNumber) {
        out.ids.rows.push(row);
        out.ids.keys.push(idNumberKey(checked.idNumber));
        const index = columns ? (columns.id_number_index as Buffer) : idNumberIndex(this.cipher, checked.idNumber);
        out.ids.indexes.push(index.toString('base64'));
      }
      if (!columns) {
        out.refused.push(row);
        if (checked.household && checked.relation === 'HEAD') out.refusedHeads.push(checked.household);
        continue;
      }
      const { house, household, relation } = checked;
      out.accepted.rows.push(row);
      out.accepted.houses.push(house);
      out.accepted.households.push(household);
      out.accepted.relations.push(relation);
      json.push(rowJson(row, columns));
    }
    out.json = `[${json.join(',')}]`;
    return out;
  }

  private row(
    row: number,
    cells: readonly string[],
    problems: RowProblem[],
  ): {
    idNumber?: string | null;
    write?: Parameters<typeof personColumns>[1];
    house: string;
    household: string | null;
    relation: RelationToHead | null;
  } {
    const cell = (f: ImportField) => (cells[F[f]] ?? '').trim();
    const opt = (f: ImportField) => cell(f) || null;
    const own = new Set<ImportField>();
    const bad = (field: ImportField, message: Msg) => {
      own.add(field);
      problems.push({ row, field, message });
    };
    const today = this.settings.today;

    const input: PersonFieldsInput = { name: opt('name'), ethnicity: opt('ethnicity'), registeredAddress: opt('registeredAddress') };
    const genderText = cell('gender');
    if (genderText) {
      input.gender = genderOf(genderText);
      if (!input.gender) bad('gender', msg('import.gender', { got: genderText.slice(0, 20) }));
    }
    const typeText = cell('residenceType');
    if (typeText) {
      input.residenceType = residenceTypeOf(typeText);
      if (!input.residenceType) bad('residenceType', msg('import.residenceType', { got: typeText.slice(0, 20) }));
    }
    for (const f of ['idNumber', 'phone'] as const) {
      const text = cell(f);
      if (SCIENTIFIC.test(text)) bad(f, roundedNumberMessage(text));
      else if (text) input[f] = text;
    }
    for (const f of ['birthDate', 'movedInOn'] as const) if (cell(f)) input[f] = dateText(cell(f));
    if (input.residenceType === 'FLOATING') {
      input.floating = {
        arrivedOn: cell('arrivedOn') ? dateText(cell('arrivedOn')) : null,
        reason: opt('arrivalReason'),
        permitNumber: SCIENTIFIC.test(cell('permitNumber')) ? null : opt('permitNumber'),
        permitExpiresOn: cell('permitExpiresOn') ? dateText(cell('permitExpiresOn')) : null,
      };
      if (SCIENTIFIC.test(cell('permitNumber'))) bad('permitNumber', roundedNumberMessage(cell('permitNumber')));
    } else if (input.residenceType) {
      for (const f of FLOATING_FIELDS) {
        if (cell(f)) bad(f, msg('import.floatingOnly', { type: TYPE_LABEL[input.residenceType] }));
      }
    }
    // A cell already refused above (an unknown gender) is not refused again as missing.
    const checks = {
      add: (p: ProblemRow) => {
        const field = fieldOf(p.field);
        if (!own.has(field)) problems.push({ row, field, message: p.msg ?? p.message });
      },
    };
    const fields = checkPersonFields(input, checks, { mode: 'create', field: (k) => k, today });

    const house = this.house(cell('buildingCode'), cell('unit'), cell('room'), bad);
    const household = cell('householdNumber');
    const relationText = cell('relationToHead');
    const relation = relationText ? relationOf(relationText) : null;
    if (SCIENTIFIC.test(household)) bad('householdNumber', roundedNumberMessage(household));
    else if (household && !HOUSEHOLD_NUMBER.test(household)) bad('householdNumber', msg('import.householdShape', { got: household.slice(0, 40) }));
    if (relationText && !relation) bad('relationToHead', msg('import.relationUnknown', { got: relationText.slice(0, 20), examples: RELATION_EXAMPLES }));
    else if (household && !relation) bad('relationToHead', msg('import.relationEmpty', { examples: RELATION_EXAMPLES }));
    else if (relation && !household) bad('householdNumber', msg('import.householdEmpty'));

    if (!fields.name || !fields.gender || !fields.birthDate || !fields.residenceType || house === null) {
      return { idNumber: fields.idNumber, house: '', household: household || null, relation };
    }
    const write = {
      name: fields.name,
      gender: fields.gender,
      birthDate: fields.birthDate,
      birthYear: Number(fields.birthDate.slice(0, 4)),
      ethnicity: fields.ethnicity ?? null,
      idNumber: fields.idNumber ?? null,
      phone: fields.phone ?? null,
      residenceType: fields.residenceType,
      registeredAddress: fields.registeredAddress ?? null,
      houseId: '',
      householdId: null,
      relationToHead: household ? relation : null,
      movedInOn: fields.movedInOn ?? today,
      arrivedOn: fields.floating?.arrivedOn ?? null,
      arrivalReason: fields.floating?.reason ?? null,
      permitNumber: fields.floating?.permitNumber ?? null,
      permitExpiresOn: fields.floating?.permitExpiresOn ?? null,
    };
    return { idNumber: fields.idNumber, write, house, household: household || null, relation };
  }

  /** The house reference's shape: `code\tunit\troom`, or null with a problem. */
  private house(code: string, unitText: string, roomText: string, bad: (field: ImportField, message: Msg) => void): string | null {
    let ok = true;
    if (!code) {
      bad('buildingCode', msg('import.buildingEmpty'));
      ok = false;
    } else if (SCIENTIFIC.test(code)) {
      bad('buildingCode', roundedNumberMessage(code));
      ok = false;
    } else if (!BUILDING_CODE.test(code)) {
      bad('buildingCode', msg('import.buildingShape', { got: code.slice(0, 40) }));
      ok = false;
    }
    const unitDigits = unitText.normalize('NFKC').replace(/单元$/, '').trim();
    const unit = unitDigits === '' ? null : Number(unitDigits);
    if (unit !== null && (!/^\d{1,3}$/.test(unitDigits) || unit < 1 || unit > 100)) {
      bad('unit', msg('import.unitShape', { got: unitText.slice(0, 20) }));
      ok = false;
    }
    const room = roomText.normalize('NFKC').trim();
    if (!room) {
      bad('room', msg('import.roomEmpty'));
      ok = false;
    } else if (!isRoom(room)) {
      bad('room', msg('import.roomShape', { got: room.slice(0, 40) }));
      ok = false;
    }
    return ok ? `${code}\t${unit ?? ''}\t${room}` : null;
  }
}

function fieldOf(key: string | undefined): ImportField {
  if (!key) return 'name';
  return CHECKED_FIELD[key] ?? (key as ImportField);
}

/**
 * A UUID whose first 48 bits are the time in milliseconds (RFC 9562 version 7): the rows an import adds one
 * after another land side by side in the primary-key and foreign-key indexes instead of on a random page of
 * each, which is what makes a big table's inserts slow once its indexes outgrow memory. (When a record was
 * created is no secret: Person.createdAt says it.)
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const random = randomUUID();
  const ms = now.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}

/**
 * An 18-character ID number as one exact number (region · 10⁸ + days since 1900 · 10³ + sequence, below 2⁵³):
 * the check character follows from the rest, so equal keys are equal numbers. Duplicates within a file are
 * found with these, 8 bytes a row.
 */
export function idNumberKey(id: string): number {
  const days = (Date.UTC(Number(id.slice(6, 10)), Number(id.slice(10, 12)) - 1, Number(id.slice(12, 14))) - EPOCH_1900) / DAY;
  return Number(id.slice(0, 6)) * 1e8 + days * 1000 + Number(id.slice(14, 17));
}
