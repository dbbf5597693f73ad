import { defineModule } from '../module';

export const placeModule = defineModule({
  id: 'place',
  resolvers: {},
  located: [
    { shape: 'point', kind: 'Building', table: 'building' },
    { shape: 'derived', kind: 'House', table: 'house', from: 'Building', foreignKey: 'building_id' },
    { shape: 'point', kind: 'KeyPlace', table: 'key_place' },
  ],
});
