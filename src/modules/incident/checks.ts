import type { IncidentPartyInput, IncidentPhotoInput, IncidentReporterInput } from '../../generated/graphql';
import { fromGlobalId, UUID } from '../../graphql/relay';
import type { Problems } from '../../shared/payload';
import { mainlandPhone } from '../../shared/phone';
import { msg } from '../../i18n';
import { nameIssue } from '../../shared/text';
import { bad, optionalText } from '../person/group-checks';

/**
 * Checks of what incident mutations take, each problem named by its input field so one answer lists them all.
 * Nothing here reads the database.
 */

export const MAX_TITLE = 100;
export const MAX_DESCRIPTION = 4000;
export const MAX_NOTE = 2000;
export const MAX_REASON = 500;
export const MAX_ADDRESS = 200;
export const MAX_PERSON_NAME = 50;
export const MAX_PHOTOS = 9;
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
export const MAX_PARTIES = 50;
export const MAX_URL = 2000;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;

export function checkTitle(value: string, problems: Problems): string | null {
  const issue = nameIssue(value, MAX_TITLE);
  if (issue) {
    problems.add({ ...bad('input.title', msg('incident.titleExample', { issue })), code: 'BAD_NAME' });
    return null;
  }
  return value.trim();
}

/** Free text (a note, a description): trimmed, empty is none; `undefined` when refused (a problem was added). */
export function text(value: string | null | undefined, field: string, max: number, problems: Problems): string | null | undefined {
  return optionalText(value, `input.${field}`, field, max, problems);
}

/** Free text that must be given (a reason, a progress note). */
export function requiredText(value: string, field: string, max: number, problems: Problems): string | null {
  const checked = text(value, field, max, problems);
  if (checked === null) problems.add(bad(`input.${field}`, msg('incident.sayWhat', { field })));
  return checked ?? null;
}

/** The database id of a global id of `type`; a problem (not an error) when it is not one. */
export function idOf(globalId: string, type: string, field: string, problems: Problems): string | null {
  const parsed = fromGlobalId(globalId);
  if (parsed?.type === type) return parsed.id;
  problems.add(bad(field, msg('incident.notAnId', { field: field.replace(/^input\./, ''), got: globalId.slice(0, 100), type })));
  return null;
}

/** A photo as given: a URL with its type and size, or a file uploaded to `POST /uploads` (uploads.ts looks it up). */
export type PhotoInput = { url: string; contentType: string; bytes: number | null } | { uploadId: string };

/**
 * Photos, at most MAX_PHOTOS: URLs (http or https, no credentials in them) of the image types kept, or the ids
 * `POST /uploads` answered with.
 */
export function checkPhotos(inputs: readonly IncidentPhotoInput[] | null | undefined, problems: Problems): PhotoInput[] {
  const photos: PhotoInput[] = [];
  if (!inputs) return photos;
  if (inputs.length > MAX_PHOTOS) problems.add(bad('input.photos', msg('incident.tooMany', { field: 'photos', count: inputs.length, max: MAX_PHOTOS })));
  inputs.slice(0, MAX_PHOTOS).forEach((p, i) => {
    const field = `input.photos[${i}]`;
    if (p.uploadId != null) {
      if (p.url != null || p.contentType != null || p.bytes != null) problems.add(bad(field, msg('incident.photoBoth', { field: `photos[${i}]` })));
      if (UUID.test(p.uploadId)) photos.push({ uploadId: p.uploadId.toLowerCase() });
      else problems.add(bad(`${field}.uploadId`, msg('incident.uploadId', { field: `photos[${i}].uploadId`, got: p.uploadId.slice(0, 60) })));
      return;
    }
    const url = checkUrl(p.url, `${field}.url`, problems);
    const type = p.contentType?.trim().toLowerCase() ?? '';
    if (!(PHOTO_TYPES as readonly string[]).includes(type)) {
      problems.add(bad(`${field}.contentType`, msg('incident.photoType', { field: `photos[${i}].contentType`, got: type.slice(0, 40), types: PHOTO_TYPES.join(', ') })));
    }
    if (p.bytes != null && (!Number.isInteger(p.bytes) || p.bytes < 1 || p.bytes > MAX_PHOTO_BYTES)) {
      problems.add(bad(`${field}.bytes`, msg('incident.photoBytes', { field: `photos[${i}].bytes`, bytes: p.bytes ?? 0, mib: MAX_PHOTO_BYTES / 1024 / 1024 })));
    }
    if (url) photos.push({ url, contentType: type, bytes: p.bytes ?? null });
  });
  return photos;
}

function checkUrl(value: string | null | undefined, field: string, problems: Problems): string | null {
  const given = value?.trim() ?? '';
  const label = field.replace(/^input\./, '');
  if (!given) {
    problems.add(bad(field, msg('incident.urlMissing', { field: label })));
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(given);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || given.length > MAX_URL) {
    problems.add(bad(field, msg('incident.urlShape', { field: label, got: given.slice(0, 100), max: MAX_URL })));
    return null;
  }
  if (url.username || url.password) {
    problems.add(bad(field, msg('incident.urlCredentials', { field: label })));
    return null;
  }
  return url.toString();
}

export interface CheckedContact {
  name: string | null;
  phone: string | null;
  personId: string | null;
}

/** A resident reporting through staff (a hotline caller): a name and a phone, or the registered person. */
export function checkReporter(input: IncidentReporterInput | null | undefined, problems: Problems): CheckedContact | null {
  if (!input) return null;
  const name = personName(input.name, 'input.reporter.name', problems);
  const phone = contactPhone(input.phone, 'input.reporter.phone', problems);
  const personId = input.personId != null ? idOf(input.personId, 'Person', 'input.reporter.personId', problems) : null;
  if (!name && !phone && !personId && input.name == null && input.phone == null && input.personId == null) {
    problems.add(bad('input.reporter', msg('incident.reporterEmpty')));
  }
  return { name: name ?? null, phone: phone ?? null, personId };
}

export interface CheckedParty extends CheckedContact {
  role: IncidentPartyInput['role'];
  organizationId: string | null;
}

export function checkParties(inputs: readonly IncidentPartyInput[] | null | undefined, problems: Problems): CheckedParty[] {
  if (!inputs) return [];
  if (inputs.length > MAX_PARTIES) problems.add(bad('input.parties', msg('incident.tooMany', { field: 'parties', count: inputs.length, max: MAX_PARTIES })));
  return inputs.slice(0, MAX_PARTIES).map((p, i) => {
    const field = `input.parties[${i}]`;
    const given = [p.personId, p.organizationId, p.name].filter((v) => v != null).length;
    if (given !== 1) problems.add(bad(field, msg('incident.partyOne', { field: `parties[${i}]` })));
    if (p.phone != null && p.name == null) problems.add(bad(`${field}.phone`, msg('incident.partyPhone', { field: `parties[${i}].phone` })));
    return {
      role: p.role,
      personId: p.personId != null ? idOf(p.personId, 'Person', `${field}.personId`, problems) : null,
      organizationId: p.organizationId != null ? idOf(p.organizationId, 'Organization', `${field}.organizationId`, problems) : null,
      name: personName(p.name, `${field}.name`, problems) ?? null,
      phone: contactPhone(p.phone, `${field}.phone`, problems) ?? null,
    };
  });
}

function personName(value: string | null | undefined, field: string, problems: Problems): string | null | undefined {
  if (value == null) return null;
  const issue = nameIssue(value, MAX_PERSON_NAME);
  if (issue) {
    problems.add(bad(field, msg('person.field', { label: field.replace(/^input\./, ''), detail: issue })));
    return undefined;
  }
  return value.trim();
}

function contactPhone(value: string | null | undefined, field: string, problems: Problems): string | null | undefined {
  if (value == null) return null;
  const checked = mainlandPhone(value);
  if (!checked.ok) {
    problems.add(bad(field, msg('person.field', { label: field.replace(/^input\./, ''), detail: checked.issue })));
    return undefined;
  }
  return checked.value;
}

/** Whole people, 0 to a million. */
export function checkPeopleInvolved(value: number | null | undefined, problems: Problems): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > 1_000_000) {
    problems.add(bad('input.peopleInvolved', msg('incident.peopleInvolved', { value })));
    return null;
  }
  return value;
}

/** An instant that has happened (a few minutes of clock skew allowed). */
export function checkPast(value: Date | null | undefined, field: string, problems: Problems, now = Date.now()): Date | null {
  if (value == null) return null;
  if (value.getTime() > now + 5 * 60_000) {
    problems.add(bad(`input.${field}`, msg('incident.future', { field, at: value.toISOString() })));
    return null;
  }
  return value;
}
