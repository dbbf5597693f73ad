import { defineModule } from '../module';
import { ogcLandingRoute, ogcRoute } from './ogc-routes';
import { tileLayersRoute, tilesRoute } from './tile-routes';

/**
 * Maps: the layers of layers.ts as Mapbox vector tiles (/tiles) and as OGC API - Features collections (/ogc),
 * under the same policy as GraphQL. No GraphQL of its own.
 */
export const mapModule = defineModule({
  id: 'map',
  resolvers: {},
  routes: {
    '/tiles': tileLayersRoute,
    '/tiles/*': tilesRoute,
    '/ogc': ogcLandingRoute,
    '/ogc/*': ogcRoute,
  },
});
