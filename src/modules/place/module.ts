import { defineModule } from '../module';
import { BuildingEditService } from './building-service';
import { HouseEditService } from './house-service';
import { KeyPlaceEditService } from './key-place-service';
import { createPlaceLoaders } from './loaders';
import type { BuildingRow, HouseRow, KeyPlaceRow } from './mappers';
import { placeResolvers } from './resolvers';
import { PlaceService } from './service';

/** Places (地): buildings (楼栋), the houses in them (实有房屋) and key places (重点场所). */
export const placeModule = defineModule({
  id: 'place',
  resolvers: placeResolvers,
  mappers: {
    Building: '../modules/place/mappers#BuildingRow',
    BuildingConnection: '../modules/place/mappers#BuildingPage',
    House: '../modules/place/mappers#HouseRow',
    HouseConnection: '../modules/place/mappers#HousePage',
    KeyPlace: '../modules/place/mappers#KeyPlaceRow',
    KeyPlaceConnection: '../modules/place/mappers#KeyPlacePage',
    BuildingSuccess: '../modules/place/mappers#BuildingChangeSource',
    HouseSuccess: '../modules/place/mappers#HouseChangeSource',
    KeyPlaceSuccess: '../modules/place/mappers#KeyPlaceChangeSource',
  },
  loaders: (db) => createPlaceLoaders(db),
  services: (ctx) => ({
    place: new PlaceService(ctx),
    buildingEdit: new BuildingEditService(ctx),
    houseEdit: new HouseEditService(ctx),
    keyPlaceEdit: new KeyPlaceEditService(ctx),
  }),
  nodeTypes: {
    Building: {
      load: (ctx, id): Promise<BuildingRow | null> => ctx.services.place.buildingById(id),
      is: (row) => 'node_type' in row && row.node_type === 'Building',
    },
    House: {
      load: (ctx, id): Promise<HouseRow | null> => ctx.services.place.houseById(id),
      is: (row) => 'node_type' in row && row.node_type === 'House',
    },
    KeyPlace: {
      load: (ctx, id): Promise<KeyPlaceRow | null> => ctx.services.place.keyPlaceById(id),
      is: (row) => 'node_type' in row && row.node_type === 'KeyPlace',
    },
  },
  located: [
    { shape: 'point', kind: 'Building', table: 'building' },
    { shape: 'derived', kind: 'House', table: 'house', from: 'Building', foreignKey: 'building_id' },
    { shape: 'point', kind: 'KeyPlace', table: 'key_place' },
  ],
});
