import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';

/**
 * The query page at GET /graphql (development, or QUERY_PAGE=on): GraphiQL bundled from npm, talking to the
 * same /graphql it is served from. A bearer token or API key goes in the Headers tab; Accept-Language there
 * picks the language of error messages (zh-CN or en).
 */
const endpoint = window.location.pathname;

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };
type FetcherOptions = { headers?: Record<string, string> };

async function fetcher(params: FetcherParams, options?: FetcherOptions): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options?.headers },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

const DEFAULT_QUERY = `# 网格登记 GraphQL 查询页 — the grid registry's query page
# Ctrl-Enter: run · Docs (left): every type and field
# Sign in: Headers → {"Authorization": "Bearer <token>"}

query ResolvePosition {
  resolveLocation(lng: 114.44796, lat: 38.03086, crs: GCJ02) {
    point(crs: GCJ02) { lng lat }
    grid { code name level }
    responsibleWorkers { name phone }
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} defaultHeaders={'{\n  "Accept-Language": "zh-CN"\n}'} shouldPersistHeaders={false} />,
);
