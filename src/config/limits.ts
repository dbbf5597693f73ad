import type { z } from 'zod';
import { int } from './values';

/**
 * The settings that bound what one request or client may cost (README "Limits, and how to tune them"): query
 * cost and shape, request and response sizes, rates, and the cap on expensive work. Part of src/config.ts's
 * schema, read with the rest.
 */
export const LIMIT_SETTINGS = {
  REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  MAX_QUERY_COST: int(1, 100_000_000).default(5_000),
  MAX_QUERY_DEPTH: int(1, 100).default(15),
  MAX_QUERY_ALIASES: int(1, 1000).default(15),
  MAX_QUERY_TOKENS: int(10, 1_000_000).default(1_000),
  MAX_QUERY_DIRECTIVES: int(0, 10_000).default(50),
  MAX_QUERY_CHARACTERS: int(100, 10_000_000).default(15_000),
  MAX_RESPONSE_BYTES: int(1024, 2_000_000_000).default(10 * 1024 * 1024),
  MAX_REQUEST_BYTES: int(1024, 2_000_000_000).default(5 * 1024 * 1024),
  IMPORT_MAX_BYTES: int(1024, 17_179_869_184).default(256 * 1024 * 1024),
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(600),
  RATE_LIMIT_BURST: int(1, 1_000_000).default(120),
  EXPENSIVE_MAX_CONCURRENT: int(1, 1000).default(4),
  EXPENSIVE_MAX_PER_CLIENT: int(1, 1000).default(2),
  MAX_FILTER_VERTICES: int(4, 1_000_000).default(2_000),
};

export interface LimitsConfig {
  requestTimeoutMs: number;
  maxCost: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCharacters: number;
  maxResponseBytes: number;
  maxRequestBytes: number;
  /** Largest file `POST /import/people` takes (streamed, never held whole), bytes. */
  importMaxBytes: number;
  /** Requests per minute per client (token subject, API key, else address); 0 turns the limit off. */
  ratePerMinute: number;
  rateBurst: number;
  expensiveMaxConcurrent: number;
  expensiveMaxPerClient: number;
  /** Most vertices an `intersects` filter or a split line may have. */
  maxFilterVertices: number;
}

type LimitSettings = { [K in keyof typeof LIMIT_SETTINGS]: z.output<(typeof LIMIT_SETTINGS)[K]> };

export function limitsConfig(e: LimitSettings): LimitsConfig {
  return {
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    maxCost: e.MAX_QUERY_COST,
    maxDepth: e.MAX_QUERY_DEPTH,
    maxAliases: e.MAX_QUERY_ALIASES,
    maxTokens: e.MAX_QUERY_TOKENS,
    maxDirectives: e.MAX_QUERY_DIRECTIVES,
    maxCharacters: e.MAX_QUERY_CHARACTERS,
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    ratePerMinute: e.RATE_LIMIT_PER_MINUTE,
    rateBurst: e.RATE_LIMIT_BURST,
    expensiveMaxConcurrent: e.EXPENSIVE_MAX_CONCURRENT,
    expensiveMaxPerClient: e.EXPENSIVE_MAX_PER_CLIENT,
    maxFilterVertices: e.MAX_FILTER_VERTICES,
  };
}
