import { z } from 'zod';

/** How settings read their values (src/config.ts and its groups under src/config/). */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
