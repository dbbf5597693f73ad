import type { SeedHouse } from './population';
import type { SeededRandom } from './random';

/**
 * Which flats of a micro-grid are lived in, and by how many households. Micro-grids are drawn for 50–70
 * households (the standard `Grid.householdCoverage` checks), but the demo's buildings were placed without
 * counting: each micro-grid is filled towards a household count of its own drawn around the standard — flats
 * left empty where there are more than it needs, a second household in a flat (分户, 合租) where there are fewer,
 * up to an average a flat can take. Micro-grids with too few flats even so, and a few drawn above the standard,
 * are the ones the check reports.
 */

/** Owner's family, a second household in an owner's flat (分户), tenants, a household sharing a rented flat (合租). */
export type HouseholdKind = 'owner' | 'split' | 'tenant' | 'sharer';

/** Households a micro-grid is filled to: normal around `mean`, within [min, max], except `outlierShare` above max. */
export interface HouseholdTarget {
  mean: number;
  sd: number;
  min: number;
  max: number;
  outlierShare: number;
}

/** Which houses of a micro-grid are lived in and by how many households each (in the micro-grid's house order). */
export function householdSlots(
  rng: SeededRandom,
  houses: readonly SeedHouse[],
  target: HouseholdTarget,
  maxHouseholdsPerHouse: number,
): Map<SeedHouse, HouseholdKind[]> {
  // Some flats stand empty between tenants, a few owners are away.
  const lived = rng.shuffle(houses.filter((h) => (h.use === 'RENTED' ? rng.next() >= 0.1 : h.use === 'OWNER_OCCUPIED' && rng.next() >= 0.02)));
  const wanted = householdTarget(rng, target);
  const slots = new Map<SeedHouse, HouseholdKind[]>();
  let total = 0;
  for (const h of lived) {
    const kinds: HouseholdKind[] = h.use === 'RENTED' ? ['tenant'] : ['owner'];
    const r = rng.next();
    if (h.use === 'RENTED' ? r < 0.15 : r < 0.05) kinds.push(h.use === 'RENTED' ? 'sharer' : 'split');
    if (h.use === 'RENTED' && r < 0.04) kinds.push('sharer');
    slots.set(h, kinds);
    total += kinds.length;
  }
  // More households than the micro-grid is meant to hold: leave flats empty, the last drawn first.
  for (let i = lived.length - 1; i >= 0 && total > wanted; i--) {
    total -= slots.get(lived[i])!.length;
    slots.delete(lived[i]);
  }
  // Fewer: a second household in an owner's flat, flat-sharers in a rented one, up to the average allowed.
  const occupied = [...slots.keys()];
  const room = occupied.filter((h) => slots.get(h)!.length < (h.use === 'RENTED' ? 3 : 2));
  while (total < wanted && total < maxHouseholdsPerHouse * occupied.length && room.length > 0) {
    const i = rng.int(room.length);
    const kinds = slots.get(room[i])!;
    kinds.push(room[i].use === 'RENTED' ? 'sharer' : 'split');
    total++;
    if (kinds.length >= (room[i].use === 'RENTED' ? 3 : 2)) room.splice(i, 1);
  }
  return slots;
}

function householdTarget(rng: SeededRandom, { mean, sd, min, max, outlierShare }: HouseholdTarget): number {
  if (rng.next() < outlierShare) return max + 1 + rng.int(12);
  // Box–Muller: a normal draw from two uniform ones.
  const normal = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return Math.min(max, Math.max(min, Math.round(mean + sd * normal)));
}
