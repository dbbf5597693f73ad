import type { Knex } from 'knex';
import xinhua from './data/xinhua.json';
import { insertGrids, insertWorkers, type ProgressReporter } from './lib/load';
import { generateTiling, type Division, type TilingOptions } from './lib/tiling';
import { generateWorkers, type WorkerPlan } from './lib/workers';
import { XINHUA_ROADS } from './lib/place-names';
import { seedPlaces, type PlacesCounts, type PlacesPlan } from './lib/places';
import { seedPeople, type PeopleCounts, type PeoplePlan } from './lib/people';
import { seedIncidents, type IncidentCounts } from './lib/incidents';
import type { IncidentsPlan } from './lib/incident-plan';
import type { PiiCipher } from '../src/shared/pii';

/**
 * The demo district: Shijiazhuang's Xinhua district (新华区, 130105) with its real 15 streets and 116
 * communities, generated boundaries below them (707 grids, 3,500 micro-grids, two overlays per street)
 * and 713 grid workers, the figures the district publishes. Same output on every machine and every run.
 */
export const DEMO_DISTRICT_CODE = '130105';

export const DEMO_TILING: TilingOptions = {
  districts: xinhua.districts as Division[],
  center: [114.46, 38.05],
  areaKm2: 93,
  gridsTotal: 707,
  microGridsTotal: 3500,
  dedicatedPerStreet: 2,
  seed: 130105,
};

/** 707 full-time workers (5 on leave) + 6 part-time workers on communities = 713. */
export const DEMO_WORKERS: WorkerPlan = { seed: 130105, onLeave: 5, partTimeCommunities: 6 };

/**
 * The located records (see seeds/lib/places.ts): two buildings per micro-grid, named by compound (天骄小区3号楼);
 * houses in the residential and mixed buildings of two streets only, 革新街街道 and 新华路街道 (about 60 per
 * micro-grid; the other streets' buildings have none); a key place per dedicated grid plus two markets and a
 * transport hub per street; about 600 cameras, gates and hydrants; about 300 organisations.
 */
export const DEMO_PLACES: PlacesPlan = {
  codePrefix: DEMO_DISTRICT_CODE,
  seed: 130105,
  cityName: '石家庄',
  roads: XINHUA_ROADS,
  creditRegion: DEMO_DISTRICT_CODE,
  buildingsPerMicroGrid: 2,
  houses: { streetCodes: ['130105001', '130105003'], kinds: ['RESIDENTIAL', 'MIXED'], perBuilding: null },
  keyPlaces: { marketsPerStreet: 2, hubsPerStreet: 1 },
  facilities: { cameras: 600, coveredKeyPlaceShare: 0.88, camerasPerCoveredKeyPlace: 3, entranceCameraShare: 0.3 },
  organizations: { propertyCompanies: 45, managedCompoundShare: 0.7, enterprises: 70 },
};

/**
 * The population (seeds/lib/people.ts) of those two streets' houses: about 85 % of them lived in, 50–70
 * households a micro-grid with a few outside the standard, about 18,000 households and 46,000 residents (80 %
 * registered, 18 % floating, some from abroad, a few not yet registered anywhere), special groups at their usual
 * rates with follow-up plans (some overdue), care groups, and eight tenants' registrations pending in the first
 * street. Ages and ID numbers are as of the census date; plans and permits fall due around the day of seeding.
 */
export const DEMO_PEOPLE: PeoplePlan = {
  streetCodes: DEMO_PLACES.houses.streetCodes ?? [],
  population: {
    seed: 130105,
    censusDate: '2026-11-01',
    householdsPerMicroGrid: { mean: 66, sd: 4, min: 54, max: 70, outlierShare: 0.03 },
    maxHouseholdsPerHouse: 2,
    pendingRegistrations: { streetCode: '130105001', count: 8 },
  },
  groups: { seed: 130105, visits: { onTimeShare: 0.8, overdueShare: 0.16 } },
};

/**
 * A year of incidents (seeds/lib/incident-plan.ts) up to the moment of seeding, about a tenth of the 114,892
 * matters the district reports a year (so the embedded first start stays within its minute): disputes, hazards,
 * livelihood and the rest in their usual shares and seasons, through every channel, the last days' still open,
 * a share of older ones held late (escalated to a street, with a department, suspended), none left open around the
 * README's walk-through (天骄社区, 500 m of its school) so its queue starts empty.
 */
export const DEMO_INCIDENTS: IncidentsPlan = {
  seed: 130105,
  perYear: 10_000,
  quiet: { communityCodes: ['130105001018'], near: { lng: 114.4417, lat: 38.03 }, meters: 500 },
  held: { old: 0.012, recent: 0.003 },
  duplicates: 0.012,
  misfiled: 0.01,
};

/** Two processes starting on an empty database at once must not both seed (the second would fail half-way). */
const SEED_LOCK_KEY = 130105001;

export interface DemoSeedResult extends PlacesCounts {
  grids: number;
  workers: number;
  population: PeopleCounts;
  incidents: IncidentCounts;
  ms: number;
}

/** `cipher`: the configuration's (`cipherFor(config)`), so the seeded personal values open with its keys. */
export async function seedDemoDistrict(
  knex: Knex,
  cipher: PiiCipher,
  onProgress?: ProgressReporter,
): Promise<DemoSeedResult | 'already-seeded'> {
  const started = Date.now();
  return knex.transaction(async (trx) => {
    await trx.raw('/* demoSeedLock */ SELECT pg_advisory_xact_lock(?)', [SEED_LOCK_KEY]);
    const { rows } = await trx.raw('/* demoDistrictPresent */ SELECT 1 FROM grid WHERE code = ? LIMIT 1', [DEMO_DISTRICT_CODE]);
    if (rows.length > 0) return 'already-seeded' as const;
    onProgress?.('generating the demo district (新华区)');
    const grids = generateTiling(DEMO_TILING);
    const { workers, assignments } = generateWorkers(grids, DEMO_WORKERS);
    await insertGrids(trx, grids, onProgress, 'demo data');
    await insertWorkers(trx, workers, assignments, onProgress);
    const counts = await seedPlaces(trx, DEMO_PLACES, onProgress);
    onProgress?.(
      `seeded ${counts.buildings} buildings, ${counts.houses} houses, ${counts.keyPlaces} key places, ` +
        `${counts.facilities} facilities (${counts.cameras} cameras), ${counts.organizations} organisations`,
    );
    const population = await seedPeople(trx, DEMO_PEOPLE, cipher, onProgress);
    onProgress?.(
      `seeded ${population.people} residents in ${population.households} households, ${population.tags} group tags, ` +
        `${population.pendingRegistrations} pending tenant registrations`,
    );
    const t0 = Date.now();
    const incidents = await seedIncidents(trx, DEMO_INCIDENTS, DEMO_DISTRICT_CODE, cipher);
    onProgress?.(
      `seeded ${incidents.incidents} incidents of a year (${incidents.events} timeline entries, ${incidents.byStatus.CLOSED ?? 0} closed, ` +
        `${incidents.open} open) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    return { grids: grids.length, workers: workers.length, ...counts, population, incidents, ms: Date.now() - started };
  });
}
