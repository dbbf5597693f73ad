// stream-json ships its types under src/ behind an "exports" map, which this project's module resolution
// ("node", for CommonJS) does not read; these are the entry points the grid import uses.
declare module 'stream-json/filters/pick.js' {
  import type { Duplex } from 'node:stream';
  export const pick: { asStream(options: { filter: string | RegExp }): Duplex };
}
declare module 'stream-json/streamers/stream-array.js' {
  import type { Duplex } from 'node:stream';
  export const streamArray: { asStream(): Duplex };
}
declare module 'stream-json/assembler.js' {
  /** A token of stream-json's parser: `startObject`, `keyValue`, `stringValue`, … */
  export interface Token {
    name: string;
    value?: unknown;
  }
  export class Assembler {
    /** True once a whole value has been assembled. */
    done: boolean;
    current: unknown;
    consume(token: Token): this;
  }
}
declare module 'stream-json/utils/verifier.js' {
  import type { Duplex } from 'node:stream';
  const verifier: { asStream(): Duplex };
  export default verifier;
}
