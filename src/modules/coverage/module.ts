import { defineModule } from '../module';
import { createCoverageLoaders } from './loaders';
import { coverageResolvers } from './resolvers';
import { CoverageService } from './service';

export const coverageModule = defineModule({
  id: 'coverage',
  resolvers: coverageResolvers,
  mappers: {
    Coverage: '../modules/coverage/mappers#CoverageSource',
    CoverageGap: '../modules/coverage/mappers#GapRow',
    CoverageOverlap: '../modules/coverage/mappers#OverlapRow',
    CoverageOutside: '../modules/coverage/mappers#OutsideRow',
    Staffing: '../modules/coverage/mappers#StaffingSource',
  },
  loaders: (_db, ctx) => ({ coverage: createCoverageLoaders(ctx) }),
  services: (ctx) => ({ coverage: new CoverageService(ctx) }),
});
