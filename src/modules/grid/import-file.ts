import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { CoordinateSystem } from '../../generated/graphql';
import { FIRST_LINE_MAX, HEAD_CHARS, recognizedFormat, unreadableJsonProblem } from '../../geo/json-text';
import { msg } from '../../i18n';
import { checkCollectionMembers, ImportFileError } from './import-feature';

/**
 * Reads a GeoJSON FeatureCollection from a file feature by feature (stream-json's tokenizer: a city's file never
 * sits in memory), checking the collection's own members on the way: `type`, a `crs` naming another CRS, the
 * `coordinateSystem` an export wrote. Anything that makes the file as a whole unusable (not JSON, cut short,
 * GeoJSONSeq, another format, another CRS) is thrown as one ImportFileError saying where and why.
 */
export async function* readFeatureFile(file: string, crs: CoordinateSystem): AsyncIterable<unknown> {
  // stream-json is an ES module; loaded here so the rest of the service never pays for it.
  const { parserStream } = await import('stream-json');
  const { Assembler } = await import('stream-json/assembler.js');
  const head = readHead(file);
  const what = msg('gridImport.theFile', { file });
  const source = { head, stream: () => fs.createReadStream(file) };
  const unreadable = async () => new ImportFileError('BAD_FILE', await unreadableJsonProblem(source, what));
  // GeoJSONSeq and other formats are recognised from the head, before a parser error would say less.
  const format = recognizedFormat(head, what);
  if (format) throw new ImportFileError('BAD_FILE', format);
  if (!head.trimStart().startsWith('{')) throw new ImportFileError('BAD_FILE', msg('gridImport.noBrace', { what }));

  let depth = 0;
  let key: string | null = null;
  let inFeatures = false;
  let sawFeatures = false;
  let member: { key: string; asm: InstanceType<typeof Assembler> } | null = null;
  const members: { crs?: unknown; coordinateSystem?: unknown } = {};
  const tokens = fs.createReadStream(file).pipe(parserStream({ streamValues: false })) as AsyncIterable<{ name: string; value?: unknown }>;
  try {
    for await (const token of tokens) {
      if (member) {
        member.asm.consume(token);
        if (!member.asm.done) continue;
        if (member.key === 'features') yield member.asm.current;
        else collect(members, member.key, member.asm.current, crs);
        member = null;
        continue;
      }
      const value = token.name.endsWith('Value') && token.name !== 'keyValue';
      const opens = token.name === 'startObject' || token.name === 'startArray';
      if (depth === 1 && token.name === 'keyValue') key = String(token.value);
      else if (depth === 1 && key === 'features' && token.name === 'startArray') {
        inFeatures = sawFeatures = true;
        depth++;
      } else if (inFeatures && depth === 2 && (opens || value)) {
        member = { key: 'features', asm: new Assembler() };
        member.asm.consume(token);
        if (member.asm.done) {
          yield member.asm.current;
          member = null;
        }
      } else if (depth === 1 && key !== null && (opens || value) && ['type', 'crs', 'coordinateSystem'].includes(key)) {
        member = { key, asm: new Assembler() };
        member.asm.consume(token);
        if (member.asm.done) {
          collect(members, key, member.asm.current, crs);
          member = null;
        }
      } else if (opens) depth++;
      else if (token.name === 'endObject' || token.name === 'endArray') {
        depth--;
        if (depth === 1) inFeatures = false;
      }
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw await unreadable();
  }
  if (!sawFeatures) throw new ImportFileError('BAD_FILE', msg('gridImport.noFeatures', { what: msg('gridImport.theFile', { file }) }));
}

function collect(members: { crs?: unknown; coordinateSystem?: unknown }, key: string, value: unknown, crs: CoordinateSystem): void {
  if (key === 'type' && value !== 'FeatureCollection') {
    throw new ImportFileError(
      'BAD_FILE',
      value === 'Feature' ? msg('gridImport.singleFeature') : msg('gridImport.otherType', { type: JSON.stringify(value).slice(0, 40) }),
    );
  }
  if (key === 'crs') members.crs = value;
  if (key === 'coordinateSystem') members.coordinateSystem = value;
  checkCollectionMembers(members, crs);
}

/** The head of the file (HEAD_CHARS bytes past the end of its first line: what its format is recognised by). */
function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(HEAD_CHARS);
    let head = '';
    let lineEnd = -1;
    for (let read = 0; read < FIRST_LINE_MAX + HEAD_CHARS; ) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, read);
      if (n === 0) break;
      read += n;
      const text = decoder.write(chunk.subarray(0, n));
      if (lineEnd < 0 && text.includes('\n')) lineEnd = head.length + text.indexOf('\n');
      head += text;
      if ((lineEnd >= 0 || read >= FIRST_LINE_MAX) && head.length > lineEnd + HEAD_CHARS) break;
    }
    return head;
  } catch {
    return '';
  } finally {
    fs.closeSync(fd);
  }
}
