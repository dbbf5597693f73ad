import { defineModule } from '../module';
import { createLocationLoaders } from './loaders';
import { locationResolvers } from './resolvers';
import { LocationService } from './service';

/**
 * The located-record mechanism shared by every kind of record tied to a grid by its position. Owns no records
 * itself: the kinds are registered by the modules that own them (`located` in their definitions).
 */
export const locationModule = defineModule({
  id: 'location',
  resolvers: locationResolvers,
  mappers: { Inventory: '../modules/location/mappers#InventorySource' },
  loaders: (db) => createLocationLoaders(db),
  services: (ctx) => ({ location: new LocationService(ctx) }),
});
