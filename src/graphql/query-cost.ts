import { getNamedType, getNullableType, isLeafType, isListType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { PAGE_SIZE } from './relay';

/**
 * The cost of a GraphQL operation, as MAX_QUERY_COST limits it (src/graphql/limits.ts), with the page sizes the
 * query will really get (defaults and variables included).
 *
 * How the cost is counted: every object field costs 1 and scalars 0; a field with `first` (every connection)
 * costs what one of its items costs times `first` (20 when not given); a list without `first` counts as the
 * size it usually has (LIST_SIZES; 10 otherwise); some fields cost more for the work or bytes behind them
 * (FIELD_COSTS). How the default limit, 5,000 (graphql-armor's default), was sized: the README's queries cost
 * at most 1,201 (`grids(first: 100)` with simplified boundaries; the district tree 854, coverage with staffing
 * 646, the mobile resolve 7), and a district dashboard — district → 20 streets with their staffing → 20
 * communities each with their responsible workers — 1,262, so a dashboard can ask for about four times that
 * before it is refused. The crash query that prompted this (children → parent → children → … three deep,
 * `first` left at its default) costs 97,262 per alias. `extensions.cost` of a refusal says what a query costs.
 */
export const DEFAULT_PAGE = PAGE_SIZE.default;
const DEFAULT_LIST_SIZE = 10;

/** Fields whose work or payload is out of proportion with an object: the cost of one, before nesting. */
const FIELD_COSTS: Record<string, number> = {
  'Grid.boundary': 10,
  'GridVersion.boundary': 10,
  'Grid.coverage': 500,
  'Grid.staffing': 20,
  'Grid.history': 5,
  'Mutation.importGrids': 1000,
  'Grid.cameraCoverage': 500,
  'Building.footprint': 10,
  'KeyPlace.area': 10,
  'CameraView.sector': 10,
};

/** Lists without `first`: the size they usually have. */
const LIST_SIZES: Record<string, number> = {
  'Grid.ancestors': 5,
  'Grid.workers': 5,
  'Grid.responsibleWorkers': 5,
  'LocationResolution.chain': 5,
  'LocationResolution.dedicatedGrids': 3,
  'LocationResolution.responsibleWorkers': 5,
  'GridWorker.assignments': 3,
  'Problem.grids': 2,
  'SplitGridSuccess.grids': 2,
  'MergeGridsSuccess.retired': 5,
  'ImportGridsReport.features': 100,
  'ValidationError.problems': 20,
  'Coverage.gaps': 20,
  'Coverage.overlaps': 20,
  'Coverage.outside': 20,
  'Query.apiKeys': 50,
  'Problem.subjects': 2,
  'Building.chain': 5,
  'KeyPlace.chain': 5,
  'Facility.chain': 5,
  'Organization.chain': 5,
  'Building.dedicatedGrids': 3,
  'KeyPlace.dedicatedGrids': 3,
  'Facility.dedicatedGrids': 3,
  'Organization.dedicatedGrids': 3,
  'Building.managedBy': 3,
  'Organization.managedGrids': 5,
  'Organization.managedBuildings': 5,
};

const estimateCost: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const key = `${type.name}.${field.name}`;
  const base = FIELD_COSTS[key] ?? (isLeafType(getNamedType(field.type)) ? 0 : 1);
  if (field.args.some((arg) => arg.name === 'first')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE;
    return base + Math.max(first, 0) * childComplexity;
  }
  // A connection's `nodes` and `edges` hold the page its field already counted `first` times.
  if (type.name.endsWith('Connection')) return base + childComplexity;
  if (isListType(getNullableType(field.type))) return base + (LIST_SIZES[key] ?? DEFAULT_LIST_SIZE) * childComplexity;
  return base + childComplexity;
};

/** The cost of an operation with its variables, as the limit counts it. */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: [estimateCost] });
}
