// stream-json ships its types under src/ behind an "exports" map, which this project's module resolution
// ("node", for CommonJS) does not read; these are the two entry points the import CLI uses.
declare module 'stream-json/filters/pick.js' {
  import type { Duplex } from 'node:stream';
  export const pick: { asStream(options: { filter: string | RegExp }): Duplex };
}
declare module 'stream-json/streamers/stream-array.js' {
  import type { Duplex } from 'node:stream';
  export const streamArray: { asStream(): Duplex };
}
