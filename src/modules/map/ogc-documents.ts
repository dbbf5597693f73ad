import { MAP_LAYERS, type MapLayer } from './layers';
import type { Extents } from './repo';

/**
 * The documents of OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) that describe rather than list:
 * landing page, conformance, collections, and the OpenAPI definition GDAL and QGIS read the `limit` range from.
 */

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const GEOJSON = 'application/geo+json';
export const OPENAPI = 'application/vnd.oai.openapi+json;version=3.0';
export const ITEMS_LIMIT = { default: 100, max: 10_000 } as const;

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

interface Link {
  href: string;
  rel: string;
  type: string;
  title?: string;
}

export function landingPage(base: string): object {
  const ogc = `${base}/ogc`;
  const links: Link[] = [
    { href: ogc, rel: 'self', type: 'application/json', title: 'this document' },
    { href: `${ogc}/api`, rel: 'service-desc', type: OPENAPI, title: 'the API definition (OpenAPI 3.0)' },
    { href: `${ogc}/conformance`, rel: 'conformance', type: 'application/json', title: 'conformance classes' },
    { href: `${ogc}/conformance`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance', type: 'application/json', title: 'conformance classes' },
    { href: `${ogc}/collections`, rel: 'data', type: 'application/json', title: 'the collections: grids by level, buildings, key places, facilities, incidents' },
    { href: `${ogc}/collections`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/data', type: 'application/json', title: 'the collections' },
  ];
  return {
    title: 'Grid registry — OGC API Features',
    description: 'Grids (网格) by level, buildings, key places, facilities and open incidents of the grid registry, as live GeoJSON layers for QGIS, GDAL and web maps.',
    links,
  };
}

export function collectionDocument(base: string, layer: MapLayer, ext: Extents): object {
  const href = `${base}/ogc/collections/${layer.id}`;
  const temporal =
    layer.kind === 'grid' && ext.historyStart
      ? { temporal: { interval: [[ext.historyStart.toISOString(), null]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } }
      : {};
  return {
    id: layer.id,
    title: layer.title,
    description: layer.description,
    itemType: 'feature',
    crs: [CRS84],
    extent: { spatial: { bbox: [ext.bbox ?? [-180, -90, 180, 90]], crs: CRS84 }, ...temporal },
    links: [
      { href, rel: 'self', type: 'application/json', title: layer.title },
      { href: `${href}/items`, rel: 'items', type: GEOJSON, title: `${layer.title}: features` },
    ],
  };
}

export function collectionsDocument(base: string, layers: readonly MapLayer[], ext: Extents): object {
  return {
    links: [{ href: `${base}/ogc/collections`, rel: 'self', type: 'application/json', title: 'this document' }],
    collections: layers.map((l) => collectionDocument(base, l, ext)),
  };
}

const param = (name: string, description: string, schema: object, extra: object = {}) => ({ name, in: 'query', required: false, description, schema, style: 'form', explode: false, ...extra });

const COORDINATE_SYSTEM = param('coordinateSystem', 'vendor parameter: positions in GCJ02 (AMap, Tencent) or BD09 (Baidu) instead of WGS-84', {
  type: 'string',
  enum: ['WGS84', 'GCJ02', 'BD09'],
});
const DATETIME = param('datetime', 'grid collections: the grids in force at this instant (RFC 3339), as GraphQL asOf', { type: 'string' });

const FILTERS = [...new Set(MAP_LAYERS.flatMap((l) => Object.keys(l.filters)))];

const error = { description: 'a refusal', content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' }, code: { type: 'string' } } } } } };
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const geojson = (description: string) => ({ description, content: { [GEOJSON]: { schema: { type: 'object' } } } });

/** The OpenAPI 3.0 definition of /ogc (`service-desc`). */
export function openApiDocument(base: string): object {
  const collectionId = { name: 'collectionId', in: 'path', required: true, schema: { type: 'string', enum: MAP_LAYERS.map((l) => l.id) } };
  const itemsParameters = [
    collectionId,
    param('limit', `features per page (default ${ITEMS_LIMIT.default}; larger values are served as ${ITEMS_LIMIT.max})`, {
      type: 'integer',
      minimum: 1,
      maximum: ITEMS_LIMIT.max,
      default: ITEMS_LIMIT.default,
    }),
    param('bbox', 'minLon,minLat,maxLon,maxLat (CRS84; with coordinateSystem, in that system)', { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } }),
    DATETIME,
    param('cursor', 'where the next page starts (from a next link)', { type: 'string' }),
    COORDINATE_SYSTEM,
    ...FILTERS.map((name) => param(name, `features whose ${name} equals the value (collections that have it)`, { type: 'string' })),
  ];
  return {
    openapi: '3.0.3',
    info: { title: 'Grid registry — OGC API Features', version: '1.0.0', description: 'OGC API - Features Part 1: Core, GeoJSON, OpenAPI 3.0.' },
    servers: [{ url: `${base}/ogc` }],
    paths: {
      '/': { get: { summary: 'landing page', operationId: 'getLandingPage', responses: { 200: json('links to the API definition, conformance and data') } } },
      '/conformance': { get: { summary: 'conformance classes', operationId: 'getConformance', responses: { 200: json('the conformance classes') } } },
      '/api': { get: { summary: 'this API definition', operationId: 'getApi', responses: { 200: { description: 'OpenAPI 3.0', content: { [OPENAPI]: {} } } } } },
      '/collections': { get: { summary: 'the collections', operationId: 'getCollections', responses: { 200: json('the collections') } } },
      '/collections/{collectionId}': {
        get: { summary: 'a collection', operationId: 'describeCollection', parameters: [collectionId], responses: { 200: json('the collection'), 404: error } },
      },
      '/collections/{collectionId}/items': {
        get: { summary: 'features of a collection', operationId: 'getFeatures', parameters: itemsParameters, responses: { 200: geojson('a page of features'), 400: error, 401: error, 403: error, 404: error } },
      },
      '/collections/{collectionId}/items/{featureId}': {
        get: {
          summary: 'one feature',
          operationId: 'getFeature',
          parameters: [collectionId, { name: 'featureId', in: 'path', required: true, schema: { type: 'string' } }, DATETIME, COORDINATE_SYSTEM],
          responses: { 200: geojson('the feature'), 401: error, 403: error, 404: error },
        },
      },
    },
  };
}
