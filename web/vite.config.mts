import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The browser pages the API serves, built with `npm run build:web` (run by `npm install`'s prepare step):
 * every folder of web/ holding an index.html is a page (graphiql/ → GET /graphql; the map editor adds its own).
 * Everything is bundled from node_modules into web/dist/ (not committed): nothing loads from a CDN at run time.
 * Assets are served under /web/ (src/http/pages.ts), with hashed names so they can be cached for good.
 */
const root = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = 'dist';

const pages = Object.fromEntries(
  fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== OUT_DIR && d.name !== 'node_modules' && fs.existsSync(path.join(root, d.name, 'index.html')))
    .map((d) => [d.name, path.join(root, d.name, 'index.html')]),
);

export default defineConfig({
  root,
  base: '/web/',
  // No public/ folder and no .env files: a page's inputs are its sources and node_modules.
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    // GraphiQL with its editor is about 1.5 MB before compression; the server compresses it.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: pages,
      // React libraries mark modules "use client" for server components; meaningless in a plain bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
