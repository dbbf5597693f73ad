/**
 * The editor's GraphQL calls: the same /graphql and mutations every client uses, signed in with the bearer token
 * pasted on the page. Every geometry is asked for and sent in the display coordinate system (`crs`), the one the
 * basemap is drawn in (WGS84 unless EDITOR_BASEMAP_CRS says otherwise).
 */
import type { MultiPolygon, Polygon, LineString } from 'geojson';

export type Crs = 'WGS84' | 'GCJ02' | 'BD09';

export interface GridSummary {
  id: string;
  code: string;
  name: string;
  level: string;
  version: number;
}

export interface GridShape extends GridSummary {
  boundary: MultiPolygon;
}

export interface ParentGrid extends GridShape {
  children: GridShape[];
  childCount: number;
}

export interface ProblemItem {
  code: string;
  message: string;
  field: string | null;
  location: { lng: number; lat: number } | null;
  areaSqm: number | null;
  subjects: ({ __typename: 'Grid' } & GridShape)[];
}

export type EditOutcome =
  | { kind: 'saved'; grids: GridSummary[]; retired: GridSummary[] }
  | { kind: 'refused'; message: string; problemCount: number; problems: ProblemItem[] }
  | { kind: 'conflict'; message: string; grid: GridSummary; currentVersion: number; changedBy: string | null; changedAt: string }
  | { kind: 'notFound'; message: string };

export interface HistoryEntry {
  version: number;
  code: string;
  name: string;
  validFrom: string;
  validTo: string | null;
  changedBy: string | null;
  changeReason: string | null;
  areaSqm: number;
  boundary: MultiPolygon;
}

export interface CoverageLayers {
  coveredRatio: number;
  gaps: { areaSqm: number; boundary: Polygon }[];
  overlaps: { areaSqm: number; boundary: MultiPolygon; a: { code: string }; b: { code: string } }[];
}

export class ApiError extends Error {}

const SUMMARY = 'id code name level version';
const OUTCOME = `
  __typename
  ... on ValidationError { message problemCount problems { code message field areaSqm location(crs: $crs) { lng lat }
      subjects { __typename ... on Grid { ${SUMMARY} boundary(crs: $crs) } } } }
  ... on ConflictError { message currentVersion changedBy changedAt grid { ${SUMMARY} } }
  ... on NotFoundError { message }`;

export class EditorApi {
  token = '';

  constructor(
    readonly crs: Crs,
    private readonly endpoint = '/graphql',
  ) {}

  /** Headers every request of the page carries (tiles too, through MapLibre's transformRequest). */
  authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-language': 'zh-CN', ...this.authHeaders() },
      body: JSON.stringify({ query, variables: { crs: this.crs, ...variables } }),
    });
    const text = await response.text();
    let body: { data?: T; errors?: { message: string }[]; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(`HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join('；'));
    if (body.error) throw new ApiError(body.error);
    if (!body.data) throw new ApiError(`HTTP ${response.status}`);
    return body.data;
  }

  async me(): Promise<{ subject: string; name: string | null; role: string; jurisdictionCode: string | null } | null> {
    const data = await this.request<{ me: { subject: string; name: string | null; role: string; jurisdictionCode: string | null } | null }>(
      'query Me { me { subject name role jurisdictionCode } }',
    );
    return data.me;
  }

  /** Grids whose code starts with the text (a code) or whose name contains it. */
  async searchGrids(text: string): Promise<GridSummary[]> {
    if (/^\d{6,18}$/.test(text)) {
      const data = await this.request<{ grid: GridSummary | null }>(`query GridByCode($code: String!) { grid(code: $code) { ${SUMMARY} } }`, { code: text });
      return data.grid ? [data.grid] : [];
    }
    const data = await this.request<{ grids: { nodes: GridSummary[] } }>(
      `query SearchGrids($text: String!) { grids(filter: { nameContains: $text }, first: 20) { nodes { ${SUMMARY} } } }`,
      { text },
    );
    return data.grids.nodes;
  }

  async parent(id: string): Promise<ParentGrid | null> {
    const data = await this.request<{ grid: (GridShape & { children: { nodes: GridShape[]; totalCount: number } }) | null }>(
      `query EditorParent($id: ID!, $crs: CoordinateSystem) {
         grid(id: $id) { ${SUMMARY} boundary(crs: $crs)
           children(first: 100) { totalCount nodes { ${SUMMARY} boundary(crs: $crs) } } } }`,
      { id },
    );
    if (!data.grid) return null;
    const { children, ...grid } = data.grid;
    return { ...grid, children: children.nodes, childCount: children.totalCount };
  }

  async grid(id: string): Promise<GridShape | null> {
    const data = await this.request<{ grid: GridShape | null }>(
      `query EditorGrid($id: ID!, $crs: CoordinateSystem) { grid(id: $id) { ${SUMMARY} boundary(crs: $crs) } }`,
      { id },
    );
    return data.grid;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const data = await this.request<{ grid: { history: HistoryEntry[] } | null }>(
      `query EditorHistory($id: ID!, $crs: CoordinateSystem) { grid(id: $id) { history {
         version code name validFrom validTo changedBy changeReason areaSqm boundary(crs: $crs) } } }`,
      { id },
    );
    return data.grid?.history ?? [];
  }

  async coverage(id: string): Promise<CoverageLayers | null> {
    const data = await this.request<{ grid: { coverage: CoverageLayers } | null }>(
      `query EditorCoverage($id: ID!, $crs: CoordinateSystem) { grid(id: $id) { coverage(minAreaSqm: 1) { coveredRatio
         gaps { areaSqm boundary(crs: $crs) } overlaps { areaSqm boundary(crs: $crs) a { code } b { code } } } } }`,
      { id },
    );
    return data.grid?.coverage ?? null;
  }

  createGrid(input: { name: string; level: string; parentId: string; boundary: Polygon; reason: string; snapMeters: number }): Promise<EditOutcome> {
    const { snapMeters, ...rest } = input;
    return this.edit('createGrid', 'CreateGridInput', `... on CreateGridSuccess { grid { ${SUMMARY} } }`, { ...rest, crs: this.crs, options: { snapToleranceMeters: snapMeters } });
  }

  updateBoundary(input: { id: string; boundary: Polygon; expectedVersion: number; reason: string; snapMeters: number }): Promise<EditOutcome> {
    const { snapMeters, ...rest } = input;
    return this.edit('updateGridBoundary', 'UpdateGridBoundaryInput', `... on UpdateGridBoundarySuccess { grid { ${SUMMARY} } }`, {
      ...rest,
      crs: this.crs,
      options: { snapToleranceMeters: snapMeters },
    });
  }

  splitGrid(input: { id: string; line: LineString; names: [string, string]; expectedVersion: number; reason: string }): Promise<EditOutcome> {
    return this.edit('splitGrid', 'SplitGridInput', `... on SplitGridSuccess { grids { ${SUMMARY} } retired { ${SUMMARY} } }`, { ...input, crs: this.crs });
  }

  mergeGrids(input: { ids: string[]; expectedVersions: number[]; name: string; reason: string }): Promise<EditOutcome> {
    return this.edit('mergeGrids', 'MergeGridsInput', `... on MergeGridsSuccess { grid { ${SUMMARY} } retired { ${SUMMARY} } }`, input);
  }

  /** One edit mutation; its payload union turned into what the page shows. */
  private async edit(field: string, inputType: string, success: string, input: Record<string, unknown>): Promise<EditOutcome> {
    const query = `mutation Edit($input: ${inputType}!, $crs: CoordinateSystem) { result: ${field}(input: $input) { ${OUTCOME} ${success} } }`;
    type Payload = { __typename: string; message?: string } & Record<string, unknown>;
    const { result } = await this.request<{ result: Payload }>(query, { input });
    switch (result.__typename) {
      case 'ValidationError':
        return { kind: 'refused', message: result.message!, problemCount: result.problemCount as number, problems: result.problems as ProblemItem[] };
      case 'ConflictError':
        return {
          kind: 'conflict',
          message: result.message!,
          grid: result.grid as GridSummary,
          currentVersion: result.currentVersion as number,
          changedBy: result.changedBy as string | null,
          changedAt: result.changedAt as string,
        };
      case 'NotFoundError':
        return { kind: 'notFound', message: result.message! };
      default: {
        const grids = (result.grids as GridSummary[] | undefined) ?? [result.grid as GridSummary];
        const retired = result.retired ? ([] as GridSummary[]).concat(result.retired as GridSummary | GridSummary[]) : [];
        return { kind: 'saved', grids, retired };
      }
    }
  }
}
