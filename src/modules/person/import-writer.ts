import type { Knex } from 'knex';
import { toGlobalId } from '../../graphql/relay';
import { msg, type Msg } from '../../i18n';
import { codeSubject, scopeIssue } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import type { ImportField } from './import-columns';
import type { ReportBuilder } from './import-report';
import * as repo from './import-repo';
import { timeOrderedUuid, type ValidatedBatch } from './import-validate';

/**
 * The database half of a people import, batch by batch inside the import's one transaction: houses looked up
 * (and locked FOR SHARE, so none is retired under the import) and checked against the importer's jurisdiction;
 * ID numbers checked against earlier rows of the file and against the registry; households found by 户号 or
 * created in the row's house, one head each; then the batch's people and their residences written with one
 * statement. Every valid row is written even after a refusal, so later rows are checked against earlier
 * ones by the database itself (households, heads); a refused import is rolled back at the end.
 *
 * Houses and households seen lately are remembered (a bounded number: a file lists a building's people
 * together), so most batches look up only what they bring new.
 */
const REMEMBERED = 50_000;

type Refuse = (row: number, field: ImportField, message: Msg | string) => void;

export class PeopleImportWriter {
  private readonly ids = new IdNumberRows();
  /** New households (created by this import) with no head yet: 户号 → the row that created it. */
  private readonly headless = new Map<string, number>();
  /** Households whose head's row was refused: their other rows are not blamed for lacking a head. */
  private readonly refusedHeads = new Set<string>();
  /** Houses locked in this transaction, by house key. */
  private readonly houses = new Remembered<string, repo.LockedHouse>(REMEMBERED);
  /** Households as they stand in this transaction, by number. */
  private readonly households = new Remembered<string, repo.KnownHousehold>(REMEMBERED);

  constructor(
    private readonly trx: Knex.Transaction,
    private readonly principal: Principal,
    private readonly report: ReportBuilder,
  ) {}

  async write(batch: ValidatedBatch): Promise<void> {
    const r = this.report;
    r.report.rows += batch.rows;
    for (const p of batch.problems) r.refuse(p.row, p.field, p.message);
    for (const row of batch.refused) r.markRefused(row);
    for (const number of batch.refusedHeads) this.refusedHeads.add(number);
    const a = batch.accepted;
    const heads = new Map<number, string>();
    a.rows.forEach((row, i) => a.relations[i] === 'HEAD' && a.households[i] && heads.set(row, a.households[i]!));
    const out = new Set<number>();
    const refuse: Refuse = (row, field, message) => {
      r.refuse(row, field, message);
      out.add(row);
      const head = heads.get(row);
      if (head) this.refusedHeads.add(head);
    };

    const unique = this.duplicates(batch, refuse);
    const houseIds = await this.placeInHouses(batch, refuse);
    const householdIds = await this.placeInHouseholds(batch, houseIds, out, refuse);
    const n: number[] = [];
    const toHouse: repo.LockedHouse[] = [];
    const toHousehold: (string | null)[] = [];
    for (const row of a.rows) {
      if (out.has(row)) continue;
      n.push(row);
      toHouse.push(houseIds.get(row)!);
      toHousehold.push(householdIds.get(row) ?? null);
    }
    const skipped = n.length ? await repo.insertPeople(this.trx, batch.json, n, toHouse, toHousehold, this.principal.subject) : [];
    r.report.accepted += n.length - skipped.length;
    const notWritten = new Set(skipped.map((s) => s.n));
    for (const [row, number] of heads) {
      const household = this.households.get(number);
      if (household && !out.has(row) && !notWritten.has(row)) household.hasHead = true;
    }
    // Whether a person is registered already: the insert found out for the rows it was given; the rows
    // refused before it (for anything else) are looked up, so one report says everything about a row.
    const sent = new Set(n);
    const lookup = [...skipped.map((s) => ({ row: s.n, index: s.id_number_index })), ...[...unique].filter(([row]) => !sent.has(row)).map(([row, index]) => ({ row, index }))];
    if (lookup.length === 0) return;
    const holders = await repo.registeredByIndex(
      this.trx,
      lookup.map((l) => l.index),
    );
    for (const l of lookup) {
      const holder = holders.get(l.index);
      if (holder || sent.has(l.row)) refuse(l.row, 'idNumber', msg('import.alreadyRegistered', { who: holder ? toGlobalId('Person', holder) : '' }));
    }
  }

  /** Households created without a head by the end of the file: their first row is refused. */
  finish(): void {
    for (const [number, row] of this.headless) {
      if (this.refusedHeads.has(number)) continue;
      this.report.refuse(row, 'relationToHead', msg('import.noHead', { number }));
    }
  }

  /**
   * The same ID number twice in the file: both rows refused, each naming the other. Returns the batch's other
   * rows with an ID number (row → blind index).
   */
  private duplicates(batch: ValidatedBatch, refuse: Refuse): Map<number, string> {
    const unique = new Map<number, string>();
    batch.ids.rows.forEach((row, i) => {
      const earlier = this.ids.putIfAbsent(batch.ids.keys[i], row);
      if (earlier === null) {
        unique.set(row, batch.ids.indexes[i]);
        return;
      }
      refuse(row, 'idNumber', msg('import.sameId', { row: earlier }));
      refuse(earlier, 'idNumber', msg('import.sameId', { row }));
      unique.delete(earlier);
    });
    return unique;
  }

  /** Each valid row's house (row → house); rows whose house is missing or outside the jurisdiction refused. */
  private async placeInHouses(batch: ValidatedBatch, refuse: Refuse): Promise<Map<number, repo.LockedHouse>> {
    const { rows, houses: keys } = batch.accepted;
    const unknown = [...new Set(keys)].filter((k) => !this.houses.has(k));
    if (unknown.length > 0) {
      for (const [key, house] of await repo.lockHousesByAddress(this.trx, unknown.map(repo.splitHouseKey))) this.houses.set(key, house);
    }
    const missing = unknown.filter((k) => !this.houses.has(k));
    const buildings = missing.length ? await repo.currentBuildingCodes(this.trx, [...new Set(missing.map((k) => repo.splitHouseKey(k).code))]) : new Set<string>();
    const placed = new Map<number, repo.LockedHouse>();
    rows.forEach((row, i) => {
      const house = this.houses.get(keys[i]);
      const { code, unit, room } = repo.splitHouseKey(keys[i]);
      if (!house) {
        if (!buildings.has(code)) refuse(row, 'buildingCode', msg('import.noBuilding', { code }));
        else refuse(row, 'room', msg('import.noHouse', { code, unit: unit !== null ? String(unit) : '', room }));
        return;
      }
      const outside = scopeIssue(this.principal, 'person:import', codeSubject(house.gridCode), msg('import.theBuilding', { code }));
      if (outside) refuse(row, 'buildingCode', outside);
      else placed.set(row, house);
    });
    return placed;
  }

  /**
   * Each row's household (row → household id): an existing one by 户号 (which must be in the row's house), or
   * a new one created in it. At most one head per household, whether recorded before or in this file.
   */
  private async placeInHouseholds(batch: ValidatedBatch, houses: Map<number, repo.LockedHouse>, out: Set<number>, refuse: Refuse): Promise<Map<number, string>> {
    const a = batch.accepted;
    const placed = new Map<number, string>();
    const numbers = [...new Set(a.households.filter((h, i): h is string => h !== null && !out.has(a.rows[i])))];
    if (numbers.length === 0) return placed;
    const unknown = numbers.filter((number) => !this.households.has(number));
    if (unknown.length > 0) for (const [number, h] of await repo.householdsByNumber(this.trx, unknown)) this.households.set(number, h);
    const created = new Map<string, { id: string; houseId: string; row: number }>();
    const heads = new Map<string, number>();
    const elsewhere: { row: number; number: string }[] = [];
    a.rows.forEach((row, i) => {
      const number = a.households[i];
      if (number === null || out.has(row)) return;
      const houseId = houses.get(row)!.id;
      const known = this.households.get(number);
      const mine = created.get(number);
      if (known && known.houseId !== houseId) return elsewhere.push({ row, number });
      if (mine && mine.houseId !== houseId) {
        return refuse(row, 'householdNumber', msg('import.householdElsewhereInFile', { number, row: mine.row }));
      }
      const householdId = known?.id ?? mine?.id ?? timeOrderedUuid();
      if (!known && !mine) {
        created.set(number, { id: householdId, houseId, row });
        if (a.relations[i] !== 'HEAD') this.headless.set(number, row);
      }
      if (a.relations[i] === 'HEAD') {
        const earlier = heads.get(number);
        if (earlier !== undefined) return refuse(row, 'relationToHead', msg('import.headOnRow', { number, row: earlier }));
        if (known?.hasHead) return refuse(row, 'relationToHead', msg('import.headKnown', { number }));
        heads.set(number, row);
        this.headless.delete(number);
      }
      placed.set(row, householdId);
    });
    if (elsewhere.length > 0) {
      const addresses = await repo.householdAddresses(this.trx, [...new Set(elsewhere.map((e) => e.number))]);
      for (const { row, number } of elsewhere) {
        refuse(row, 'householdNumber', msg('import.householdElsewhere', { number, address: addresses.get(number) ?? '' }));
      }
    }
    if (created.size === 0) return placed;
    const taken = await repo.insertHouseholds(this.trx, [...created].map(([number, c]) => ({ number, ...c })), this.principal.subject);
    this.report.report.householdsCreated += created.size - taken.size;
    for (const [number, c] of created) if (!taken.has(number)) this.households.set(number, { id: c.id, houseId: c.houseId, hasHead: false });
    a.rows.forEach((row, i) => {
      const number = a.households[i];
      if (number !== null && taken.has(number) && placed.delete(row)) {
        refuse(row, 'householdNumber', msg('import.householdRace', { number }));
      }
    });
    return placed;
  }
}

/** A map of at most `capacity` entries, forgetting the oldest first. */
class Remembered<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}

/**
 * Rows of the file by ID number, for duplicates: an open-addressing table of the exact numeric keys
 * (idNumberKey) and their rows, 12 bytes a slot, so a million rows take about 24 MB rather than a Map's ~80.
 */
export class IdNumberRows {
  private keys = new Float64Array(1 << 16);
  private rows = new Uint32Array(1 << 16);
  private size = 0;

  /** The row that had `key` before (and keeps it), or null after recording `row` for it. */
  putIfAbsent(key: number, row: number): number | null {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const stored = key + 1; // 0 marks an empty slot
    const mask = this.keys.length - 1;
    for (let i = slotOf(key) & mask; ; i = (i + 1) & mask) {
      if (this.keys[i] === 0) {
        this.keys[i] = stored;
        this.rows[i] = row;
        this.size++;
        return null;
      }
      if (this.keys[i] === stored) return this.rows[i];
    }
  }

  private grow(): void {
    const { keys, rows } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.rows = new Uint32Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.putIfAbsent(keys[i] - 1, rows[i]);
  }
}

function slotOf(key: number): number {
  const low = key % 4294967296;
  const high = (key - low) / 4294967296;
  return Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) ^ (low >>> 13);
}
