import { msg, type Msg } from '../i18n';
import { isObject } from './geojson';

/**
 * Which coordinate reference systems a GeoJSON file may declare. RFC 7946 dropped the `crs` member (positions
 * are always WGS-84 lon/lat), but GDAL, QGIS and older tools still write one; what it names decides whether
 * the numbers are degrees at all. Geographic WGS-84 (EPSG:4326, OGC CRS84) and CGCS2000 (EPSG:4490, China's
 * national datum, within a few centimetres of WGS-84) are read as they are; anything else is refused once for
 * the whole file, since every vertex of a projected file is wrong in the same way.
 */

/** Geographic CRSs whose positions are read as WGS-84 longitude/latitude. */
const ACCEPTED_EPSG = new Set(['4326', '4490']);

/**
 * The CRS a name denotes, in a short form (`EPSG:4547`, `OGC:CRS84`), for every spelling in use:
 * `urn:ogc:def:crs:OGC:1.3:CRS84`, `urn:ogc:def:crs:EPSG::4326`, `urn:ogc:def:crs:EPSG:6.6:4326`, `EPSG:4326`,
 * `http://www.opengis.net/def/crs/EPSG/0/4490`, `https://…/OGC/1.3/CRS84`, `CRS84`. Null when not recognised.
 */
export function crsShortName(name: string): string | null {
  const text = name.trim();
  if (/^(?:urn:ogc:def:crs:OGC:[\d.]*:|https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/[\d.]+\/|OGC:)?CRS(84h?|83|27)$/i.test(text)) {
    return `OGC:${/CRS(84h?|83|27)$/i.exec(text)![0].toUpperCase()}`;
  }
  const epsg =
    /^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$/i.exec(text) ??
    /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[\d.]+\/(\d+)$/i.exec(text) ??
    /^EPSG:{1,2}(\d+)$/i.exec(text);
  return epsg ? `EPSG:${epsg[1]}` : null;
}

/**
 * What is wrong with a file's `crs` member, or null when it is absent or names an accepted CRS. Understands the
 * 2008 GeoJSON forms: `{"type": "name", "properties": {"name": …}}`, `{"type": "EPSG", "properties": {"code": 4326}}`
 * and `{"type": "link", …}` (which cannot be checked and is refused as unknown).
 */
export function crsMemberProblem(member: unknown): Msg | null {
  if (member === undefined || member === null) return null;
  const props = isObject(member) && isObject(member.properties) ? member.properties : {};
  const raw =
    isObject(member) && member.type === 'EPSG' && (typeof props.code === 'number' || typeof props.code === 'string')
      ? `EPSG:${props.code}`
      : typeof props.name === 'string'
        ? props.name
        : null;
  const short = raw === null ? null : crsShortName(raw);
  if (short === 'OGC:CRS84' || (short?.startsWith('EPSG:') && ACCEPTED_EPSG.has(short.slice(5)))) return null;
  return msg('gridImport.crsMember', { named: raw === null ? '' : `crs ${short ?? JSON.stringify(raw.slice(0, 80))}` });
}

/** Beyond any longitude or latitude: the numbers of a projected CRS (metres, often with a zone prefix). */
const PROJECTED_MAGNITUDE = 1000;

/**
 * Whether a geometry's first position is in projected units (hundreds of thousands of metres): then every
 * vertex is, and one message replaces thousands of OUT_OF_RANGE problems. Null when it looks like degrees (a
 * single stray vertex is still reported where it is).
 */
export function projectedCoordinatesProblem(geometry: unknown, where: string): Msg | null {
  if (!isObject(geometry)) return null;
  let node: unknown = geometry.coordinates;
  while (Array.isArray(node) && Array.isArray(node[0])) node = node[0];
  if (!Array.isArray(node) || typeof node[0] !== 'number' || typeof node[1] !== 'number') return null;
  const [x, y] = node as number[];
  if (!(Math.abs(x) > PROJECTED_MAGNITUDE || Math.abs(y) > PROJECTED_MAGNITUDE)) return null;
  return msg('gridImport.projected', { where, x, y });
}
