/**
 * `npm run build:web` (and `npm install`'s prepare step): builds the browser pages in web/ with Vite into
 * web/dist/ (not committed), which the API serves: the query page at GET /graphql, the map editor. Everything
 * they load is bundled here from node_modules, so nothing comes from a CDN when they run.
 *
 * An install without devDependencies (`npm ci --omit=dev`, a production server) has no Vite: the build is
 * skipped with a note instead of failing the install; those pages then answer that they are not built.
 */
import path from 'node:path';

const CONFIG = path.resolve(__dirname, '../web/vite.config.mts');

/** What is used of Vite's API (its types are ESM-only, which this CommonJS project's resolution cannot read). */
interface Vite {
  build(options: { configFile: string }): Promise<unknown>;
}

async function main(): Promise<void> {
  let vite: Vite;
  try {
    const name = 'vite';
    vite = (await import(name)) as Vite;
  } catch {
    console.warn('build:web skipped: Vite is not installed (an install without devDependencies); the query page and the map editor are not built');
    return;
  }
  const started = Date.now();
  await vite.build({ configFile: CONFIG });
  console.log(`web pages built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
