import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Config } from '../config';
import { negotiateEncoding, type BodyEncoding } from './compression';
import { msg } from '../i18n';
import { HttpError } from './answer';
import { compress } from './compression';
import { addVary } from './cors';

/**
 * The browser pages built from web/ (`npm run build:web`, run by `npm install`): each page's index.html and the
 * hashed assets they share under /web/assets/. Everything comes from this process: no CDN, so the pages work
 * on an intranet with no way out. Assets are compressed once (best quality) and kept in memory; their names
 * change with their content, so browsers may keep them for good.
 */
export const WEB_DIST = path.resolve(__dirname, '../../web/dist');
export const ASSET_PREFIX = '/web/assets/';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.map', '.svg', '.ttf']);
/**
 * Scripts and styles from this origin only; GraphiQL and CodeMirror set inline styles, and data: images; MapLibre
 * runs its workers from blob: URLs. `extraOrigin`: the map editor's basemap tile server (EDITOR_BASEMAP_URL).
 */
function contentSecurityPolicy(extraOrigin?: string): string {
  const connect = extraOrigin ? `'self' ${extraOrigin}` : "'self'";
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src ${connect} data: blob:; font-src 'self' data:; connect-src ${connect}; worker-src 'self' blob:; frame-ancestors 'self'`;
}
const ASSET_NAME = /^[\w.-]{1,200}$/;
/** The most bytes of compressed assets kept in memory (the built pages hold a few MB). */
const CACHE_LIMIT_BYTES = 64 * 1024 * 1024;

interface Variants {
  plain: Buffer;
  encoded: Partial<Record<BodyEncoding, Buffer>>;
}

export class WebPages {
  private readonly cache = new Map<string, Promise<Variants | null>>();
  private cachedBytes = 0;

  constructor(private readonly dist = WEB_DIST) {}

  /**
   * Answers a page's index.html; false when it was not built. Read each time (it is small): a rebuild while the
   * server runs gives assets new names, which only the new index.html knows.
   */
  async page(req: IncomingMessage, res: ServerResponse, name: string, extraOrigin?: string): Promise<boolean> {
    const plain = await fs.readFile(path.join(this.dist, name, 'index.html')).catch(() => null);
    if (!plain) return false;
    const file: Variants = { plain, encoded: {} };
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-security-policy', contentSecurityPolicy(extraOrigin));
    res.setHeader('x-content-type-options', 'nosniff');
    await this.send(req, res, file, '.html');
    return true;
  }

  /** Answers GET /web/assets/<name>; false when there is no such asset. */
  async asset(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const name = pathname.slice(ASSET_PREFIX.length);
    if (!ASSET_NAME.test(name) || name.startsWith('.')) return false;
    const file = await this.file(path.join('assets', name));
    if (!file) return false;
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    res.setHeader('x-content-type-options', 'nosniff');
    await this.send(req, res, file, path.extname(name));
    return true;
  }

  private async send(req: IncomingMessage, res: ServerResponse, file: Variants, ext: string): Promise<void> {
    res.setHeader('content-type', TYPES[ext] ?? 'application/octet-stream');
    let body = file.plain;
    if (COMPRESSIBLE.has(ext)) {
      addVary(res, 'Accept-Encoding');
      const encoding = negotiateEncoding(req.headers);
      if (encoding) {
        body = file.encoded[encoding] ??= await compress(file.plain, encoding, 'best');
        res.setHeader('content-encoding', encoding);
      }
    }
    res.setHeader('content-length', String(body.length));
    res.end(body);
  }

  private file(relative: string): Promise<Variants | null> {
    let found = this.cache.get(relative);
    if (!found) {
      found = fs.readFile(path.join(this.dist, relative)).then(
        (plain) => {
          // Compressed variants are at most the size of the file again: stop caching past the limit.
          this.cachedBytes += plain.length * 2;
          if (this.cachedBytes > CACHE_LIMIT_BYTES) this.cache.delete(relative);
          return { plain, encoded: {} };
        },
        () => {
          // Not built (yet): asked again next time, so a build while the server runs is picked up.
          this.cache.delete(relative);
          return null;
        },
      );
      this.cache.set(relative, found);
    }
    return found;
  }
}

/** A browser opening /graphql (HTML in Accept, no GraphQL `query` in the URL) gets the query page. */
export function wantsQueryPage(req: IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
}

/** GraphiQL (web/graphiql), when QUERY_PAGE allows it and it was built. */
export async function queryPage(pages: WebPages, enabled: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!enabled) throw new HttpError(404, msg('page.off'), 'NOT_FOUND');
  if (!(await pages.page(req, res, 'graphiql'))) throw new HttpError(503, msg('page.notBuilt'), 'SERVICE_UNAVAILABLE');
}

/** The map editor (web/editor) at GET /editor, allowed to load the basemap's tiles when one is configured. */
export async function editorPage(pages: WebPages, editor: Config['editor'], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = editor.basemapUrl ? new URL(editor.basemapUrl.replace(/[{}]/g, '')).origin : undefined;
  if (!(await pages.page(req, res, 'editor', origin))) throw new HttpError(503, msg('page.editorNotBuilt'), 'SERVICE_UNAVAILABLE');
}

/** GET /editor/config.json: what the editor page needs of the configuration (nothing secret). */
export function editorSettings(editor: Config['editor']): { basemapUrl: string | null; basemapCrs: string } {
  return { basemapUrl: editor.basemapUrl, basemapCrs: editor.basemapCrs };
}
