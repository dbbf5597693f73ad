import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getIntrospectionQuery,
  GraphQLError,
  Kind,
  parse,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import type { Context } from '../context';
import { DEFAULT_PAGE, queryCost } from './query-cost';
import { localizableError } from '../errors';
import { english, messageOf, msg, type Msg } from '../i18n';

/**
 * What keeps one query from taking the process down: a cost estimate with the page sizes the query will
 * really get (defaults and variables included), and graphql-armor's depth, alias, directive, token and
 * character limits. Everything here runs before execution, for every operation, on every path that executes
 * GraphQL (HTTP through the plugin; graphql-ws subscriptions call the same checks in src/graphql/ws.ts).
 * The cost model is query-cost.ts.
 */

/**
 * What is worked out once per parsed document (Apollo keeps one document object per distinct query text):
 * the variables its cost depends on — those given to a `first` argument or to a directive (`@include`,
 * `@skip`) — its costs for the values of those seen so far, and where a NUL sits in its string literals. The
 * mobile resolve call, whose variables are only coordinates, is costed once, not on every request.
 */
interface DocumentFacts {
  costVariables: string[];
  costs: Map<string, number>;
  nul: string | null;
}

const MAX_COSTS_PER_DOCUMENT = 100;
const documentFacts = new WeakMap<DocumentNode, DocumentFacts>();

function factsOf(document: DocumentNode): DocumentFacts {
  let facts = documentFacts.get(document);
  if (!facts) {
    const costVariables = new Set<string>();
    const collect = (node: ASTNode) => visit(node, { Variable: (v) => void costVariables.add(v.name.value) });
    visit(document, {
      Directive: (node) => void collect(node),
      Argument: (node) => void (node.name.value === 'first' ? collect(node.value) : undefined),
    });
    facts = { costVariables: [...costVariables], costs: new Map(), nul: nulInDocument(document) };
    documentFacts.set(document, facts);
  }
  return facts;
}

function cachedCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): number {
  const facts = factsOf(document);
  // A variable left out (its declared default applies) and one given as null (the field's default applies)
  // cost differently: they must not share a key.
  const key = JSON.stringify([operationName ?? null, ...facts.costVariables.map((v) => (v in variables ? [variables[v]] : 'absent'))]);
  let cost = facts.costs.get(key);
  if (cost === undefined) {
    cost = queryCost(schema, document, variables, operationName);
    if (facts.costs.size >= MAX_COSTS_PER_DOCUMENT) facts.costs.clear();
    facts.costs.set(key, cost);
  }
  return cost;
}

/**
 * graphql-armor throws when a limit is exceeded, which Apollo would answer as an internal error (500);
 * reported through the validation context instead, the client gets a 400 GRAPHQL_VALIDATION_FAILED that
 * says which limit it hit.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(armorRefusal(error.message.replace(/^Syntax Error: /, '')))],
};

/** graphql-armor's refusals, by their English text, as catalogue messages. */
const ARMOR_LIMITS = [
  [/^Query depth limit of (\d+) exceeded, found (\d+)/, 'limit.depth'],
  [/^Aliases limit of (\d+) exceeded, found (\d+)/, 'limit.aliases'],
  [/^Directives limit of (\d+) exceeded, found (\d+)/, 'limit.directives'],
] as const;

function armorRefusal(text: string): GraphQLError {
  for (const [pattern, key] of ARMOR_LIMITS) {
    const m = pattern.exec(text);
    if (m) return localizableError(text, {}, msg(key, { max: Number(m[1]), found: Number(m[2]) }));
  }
  return new GraphQLError(text);
}

export function validationRules(limits: Config['limits']): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ...asValidationError }),
    maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
    maxDirectivesRule({ n: limits.maxDirectives, ...asValidationError }),
  ];
}

function refusal(message: string | Msg, extensions: Record<string, unknown> = {}): GraphQLError {
  const text = typeof message === 'string' ? message : english(message);
  return localizableError(text, { code: 'GRAPHQL_VALIDATION_FAILED', ...extensions, http: { status: 400 } }, typeof message === 'string' ? undefined : message);
}

/** How deep variables may nest: a GeoJSON FeatureCollection needs about 8 levels. */
export const MAX_VARIABLE_DEPTH = 64;
/** How many values (strings, numbers, arrays, objects) the variables may hold in all. */
export const MAX_VARIABLE_VALUES = 1_000_000;

/** BAD_USER_INPUT raised before execution: Apollo needs the status said (it would answer 500). */
const inputError = (message: string | Msg, localized?: Msg) =>
  localizableError(typeof message === 'string' ? message : english(message), { code: 'BAD_USER_INPUT', http: { status: 400 } }, typeof message === 'string' ? localized : message);

/**
 * Where a NUL character (U+0000, which PostgreSQL text cannot hold) sits in the variables, or null. Throws
 * BAD_USER_INPUT for variables nested deeper than MAX_VARIABLE_DEPTH or holding more than MAX_VARIABLE_VALUES
 * values (a 20 MB body of empty arrays). Walked with a stack of its own, so no nesting can exhaust the call
 * stack; the path to a finding is worked out only when there is one.
 */
export function nulCharacterAt(value: unknown, path = 'variables'): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  let seen = 0;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (++seen > MAX_VARIABLE_VALUES) throw inputError(msg('limit.variablesTooMany', { max: MAX_VARIABLE_VALUES }));
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return pathTo(value, path, (v) => typeof v === 'string' && v.includes('\u0000')) ?? path;
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    if (depth >= MAX_VARIABLE_DEPTH) {
      throw inputError(msg('limit.variablesTooDeep', { path: pathTo(value, path, (_v, d) => d >= MAX_VARIABLE_DEPTH) ?? path, max: MAX_VARIABLE_DEPTH }));
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return null;
}

/** The path (`variables.input.name`, `variables.g.coordinates[0][3]`) to the first value `hit` picks. */
function pathTo(value: unknown, root: string, hit: (v: unknown, depth: number) => boolean): string | null {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length) {
    const [node, at, depth] = stack.pop()!;
    if (hit(node, depth)) return at;
    if (!node || typeof node !== 'object' || depth >= MAX_VARIABLE_DEPTH) continue;
    const entries = Array.isArray(node) ? node.map((c, i) => [c, `${at}[${i}]`] as const) : Object.entries(node).map(([k, c]) => [c, `${at}.${k}`] as const);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][0], entries[i][1], depth + 1]);
  }
  return null;
}

function nulInDocument(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (!found && node.value.includes('\u0000')) found = `a string literal in the query ("${node.value.replace(/\u0000/g, '\\u0000').slice(0, 40)}")`;
    },
  });
  return found;
}

/**
 * The checks that need the request itself: its length (graphql-armor's character limit), its cost with the
 * real variables, and NUL characters anywhere in the input. They run once the operation is resolved, the
 * first point where Apollo answers a thrown error as the client's (earlier hooks would make it a 500); the
 * parse before it is bounded by the token limit.
 */
export function limitsPlugin(limits: Config['limits']): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, request: { query, variables }, operationName, operation }) {
          assertOperationLimits(limits, { schema, document, query, variables, operationName, operation });
        },
      };
    },
  };
}

/** One operation as the limits see it (Apollo's request over HTTP, or a graphql-ws subscribe message). */
export interface LimitedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  query: string | undefined;
  variables: Record<string, unknown> | null | undefined;
  operationName: string | null | undefined;
  operation: OperationDefinitionNode | undefined;
}

/**
 * The checks besides the validation rules, for every path that executes GraphQL: the characters, NULs in the
 * input, and the cost with the real variables. Throws the refusal.
 */
export function assertOperationLimits(limits: Config['limits'], { schema, document, query, variables, operationName, operation }: LimitedOperation): void {
  const length = query?.length ?? 0;
  if (length > limits.maxCharacters) {
    throw refusal(msg('limit.characters', { length, max: limits.maxCharacters }), {
      characters: length,
      maxCharacters: limits.maxCharacters,
    });
  }
  const nul = nulCharacterAt(variables ?? {}) ?? factsOf(document).nul;
  if (nul) {
    throw inputError(msg('limit.nul', { path: nul }));
  }
  // The schema's own description (what the query page and codegen tools ask first) is as big as the
  // schema, not as the data: its cost would count every type times every field. Only the standard
  // introspection query (graphql-js's, as GraphiQL and other tools send it) goes uncounted: a hand-written
  // one can nest `fields { type { ofType { fields … } } }` under aliases into megabytes of answer.
  if (introspectionOnly(operation) && isStandardIntrospection(document)) return;
  let cost: number;
  try {
    cost = cachedCost(schema, document, variables ?? {}, operationName ?? undefined);
  } catch (err) {
    // Variables that do not fit their declared types (execution would refuse them the same way), or a
    // query with more fields than the estimator walks (fragments multiplying each other).
    if (!(err instanceof GraphQLError)) throw err;
    if (/maximum allowed number of nodes/.test(err.message)) throw refusal(`${err.message} Ask for fewer fields.`);
    // A scalar's refusal (DateTime, Date) keeps its catalogue message: it answers in the caller's language.
    throw inputError(err.message, messageOf(err.extensions));
  }
  if (cost > limits.maxCost) {
    throw refusal(msg('limit.cost', { cost, max: limits.maxCost, page: DEFAULT_PAGE }), { cost, maxCost: limits.maxCost });
  }
}

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * graphql-js's introspection query in each of its option combinations, with and without the subscription type
 * (GraphiQL drops it for servers that refuse it), printed with the operation named IntrospectionQuery: built
 * once, on the first introspection asked for.
 */
let standardIntrospection: Set<string> | null = null;

function isStandardIntrospection(document: DocumentNode): boolean {
  if (!standardIntrospection) {
    const options = ['descriptions', 'specifiedByUrl', 'directiveIsRepeatable', 'schemaDescription', 'inputValueDeprecation', 'oneOf'] as const;
    standardIntrospection = new Set();
    for (let m = 0; m < 1 << options.length; m++) {
      const query = getIntrospectionQuery(Object.fromEntries(options.map((o, i) => [o, (m & (1 << i)) !== 0])));
      for (const text of [query, query.replace('subscriptionType { name }', '')]) standardIntrospection.add(print(parse(text)));
    }
  }
  const [operation, ...rest] = document.definitions;
  if (rest.some((d) => d.kind !== Kind.FRAGMENT_DEFINITION) || operation?.kind !== Kind.OPERATION_DEFINITION) return false;
  const named: DocumentNode = { ...document, definitions: [{ ...operation, name: { kind: Kind.NAME, value: 'IntrospectionQuery' } }, ...rest] };
  return standardIntrospection.has(print(named));
}

/** Whether an operation asks only for introspection (`__schema`, `__type`) at its top level. */
function introspectionOnly(operation: OperationDefinitionNode | undefined): boolean {
  const selections = operation?.selectionSet.selections ?? [];
  return selections.length > 0 && selections.every((s) => s.kind === Kind.FIELD && INTROSPECTION_FIELDS.has(s.name.value));
}
