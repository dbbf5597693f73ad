import type { Context } from '../../context';
import type { Resolvers } from '../../generated/graphql';
import { geometryIn, positionIn } from '../../geo/output-crs';
import type { GridRow } from '../grid/mappers';

const loadGrid = async (id: string, ctx: Context): Promise<GridRow> => (await ctx.services.grid.byId(id))!;

export const coverageResolvers: Resolvers = {
  Grid: {
    coverage: (g, args, ctx) => ctx.services.coverage.coverage(g, args),
    staffing: (g, _, ctx) => ctx.services.coverage.staffing(g),
  },
  Coverage: {
    childLevel: (c) => c.childLevel,
    areaSqm: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).areaSqm,
    coveredSqm: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).coveredSqm,
    coveredRatio: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).coveredRatio,
    childCount: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).childCount,
    gaps: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).gaps,
    gapAreaSqm: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).gapAreaSqm,
    outside: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).outside,
    outsideAreaSqm: async (c, _, ctx) => (await ctx.services.coverage.tiling(c)).outsideAreaSqm,
    overlaps: async (c, _, ctx) => (await ctx.services.coverage.overlaps(c)).overlaps,
    overlapAreaSqm: async (c, _, ctx) => (await ctx.services.coverage.overlaps(c)).overlapAreaSqm,
  },
  CoverageGap: {
    boundary: (g, args) => geometryIn(g.boundary, args.crs),
    centroid: (g, args) => positionIn(g.centroid, args.crs),
  },
  CoverageOverlap: {
    boundary: (o, args) => geometryIn(o.boundary, args.crs),
    a: (o, _, ctx) => loadGrid(o.aId, ctx),
    b: (o, _, ctx) => loadGrid(o.bId, ctx),
  },
  CoverageOutside: {
    boundary: (o, args) => geometryIn(o.boundary, args.crs),
    grid: (o, _, ctx) => loadGrid(o.gridId, ctx),
  },
  Staffing: {
    gridCount: async (s, _, ctx) => (await ctx.services.coverage.staffingFigures(s)).gridCount,
    staffedCount: async (s, _, ctx) => (await ctx.services.coverage.staffingFigures(s)).staffedCount,
    ratio: async (s, _, ctx) => (await ctx.services.coverage.staffingFigures(s)).ratio,
    unstaffed: (s, args, ctx) => ctx.services.coverage.unstaffed(s, args),
  },
};
