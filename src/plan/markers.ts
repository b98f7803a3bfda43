/**
 * The marker-tag protocol: the tags the action keeps on a user it manages, their names, and how
 * their values are written and read. Tags are data that anyone allowed to tag the user can also
 * write, so they are parsed defensively: a value that does not parse counts as absent.
 */

/** A tag of IAM or S3 (the inputs' tags too). */
export interface Tag {
  key: string
  value: string
}

/** The rotation marker's content. */
export interface RotationLock {
  runId: string
  expiresAt: Date
  /** The repository whose workflow run set it (`owner/name`), when the marker names one. */
  repository?: string
}

/** Every tag key the action writes starts with this (IAM compares tag keys without case). */
export const RESERVED_TAG_PREFIX = 's3-credentials-action:'

/**
 * Set while a rotation is under way, so that a second run waits:
 * `<run id> <expiry ISO time> <owner/repository of the workflow run>`.
 */
export const ROTATION_LOCK_TAG = `${RESERVED_TAG_PREFIX}rotation`
/**
 * How long after it starts a rotation a run holds the rotation marker: the longest verification
 * (verify-timeout-seconds is at most 900) plus ten minutes for the writes. A marker expiring later
 * than this from now was not set by a run, and is stale.
 */
export const ROTATION_LOCK_HOLD_S = 600
/** The largest verify-timeout-seconds the inputs accept. */
export const MAX_VERIFY_TIMEOUT_S = 900
export const MAX_ROTATION_LOCK_MS = (MAX_VERIFY_TIMEOUT_S + ROTATION_LOCK_HOLD_S) * 1000

export function rotationLockUntil(now: Date, verifyTimeoutSeconds: number): Date {
  return new Date(now.getTime() + (verifyTimeoutSeconds + ROTATION_LOCK_HOLD_S) * 1000)
}

/**
 * Set to the new key's id (with those of earlier unfinished runs' keys still there) before any
 * secret is written, removed once every destination holds it: while it is there, no destination
 * is known to hold a verified pair.
 */
export const PENDING_KEY_TAG = `${RESERVED_TAG_PREFIX}pending`

/** IAM tag keys are case-insensitive. */
export function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find(t => t.key.toLowerCase() === key.toLowerCase())?.value
}

/** The ids of the keys unfinished runs were writing (the tag's value, separated by spaces). */
export function pendingKeys(tags: Tag[]): string[] {
  return (tagValue(tags, PENDING_KEY_TAG) ?? '').split(' ').filter(id => id !== '')
}

export function formatPendingKeys(ids: string[]): Tag {
  return { key: PENDING_KEY_TAG, value: ids.join(' ') }
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/

/** IAM tag values allow no '|': the fields are separated by spaces. */
export function rotationLock(tags: Tag[]): RotationLock | undefined {
  const value = tagValue(tags, ROTATION_LOCK_TAG)
  if (value === undefined) return undefined
  const [runId = '', expires = '', repository = ''] = value.split(' ')
  const expiresAt = new Date(expires)
  if (Number.isNaN(expiresAt.getTime())) return undefined
  return REPOSITORY.test(repository) ? { runId, expiresAt, repository } : { runId, expiresAt }
}

export function formatRotationLock(lock: RotationLock): Tag {
  const fields = [
    lock.runId,
    lock.expiresAt.toISOString(),
    ...(lock.repository ? [lock.repository] : [])
  ]
  return { key: ROTATION_LOCK_TAG, value: fields.join(' ') }
}

/** The workflow run id in a run id of the action (`run-<id>-<attempt>`). */
export function workflowRunNumber(runId: string): number | undefined {
  const match = /^run-(\d{1,19})-\d{1,6}$/.exec(runId)
  return match ? Number(match[1]) : undefined
}

/** The page of the run that set the marker, when the marker says which one. */
export function lockRunUrl(serverUrl: string, lock: RotationLock): string | undefined {
  const run = workflowRunNumber(lock.runId)
  return run !== undefined && lock.repository
    ? `${serverUrl.replace(/\/+$/, '')}/${lock.repository}/actions/runs/${run}`
    : undefined
}

/**
 * Whether marker `lockRunId` was left by an earlier attempt of this same workflow run
 * (`run-<id>-<attempt>`): GitHub starts a re-run only once every job of the run has ended, so that
 * attempt is over. Jobs of one attempt (a matrix) share the id and still exclude each other.
 */
export function isEarlierAttempt(lockRunId: string, runId: string): boolean {
  const parse = (id: string) => /^run-(\d+)-(\d+)$/.exec(id)
  const lock = parse(lockRunId)
  const self = parse(runId)
  return !!lock && !!self && lock[1] === self[1] && Number(lock[2]) < Number(self[2])
}

/**
 * Set when a rotation leaves the key it replaced active for a grace period, so that jobs that read
 * the old pair before the rotation keep working: `<key id> <replaced-at ISO> <retire-after ISO>`.
 * One key at a time (a user has at most two). Every later run retires the key once it is past.
 */
export const RETIRE_TAG = `${RESERVED_TAG_PREFIX}retire`
/**
 * The largest old-key-grace-hours the inputs accept: the longest a job on a self-hosted runner may
 * run (5 days). A marker whose grace ends later than this from now was not set by a run: stale.
 */
export const MAX_GRACE_HOURS = 120
export const MAX_GRACE_MS = MAX_GRACE_HOURS * 60 * 60 * 1000

/** The retire marker's content: which key, when it was replaced, when it may be retired. */
export interface RetireMarker {
  keyId: string
  replacedAt: Date
  retireAfter: Date
}

/** IAM access key ids: upper-case letters and digits (AKIA...), 16 to 128 characters. */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/

function isoDate(text: string): Date | undefined {
  // Only the form the action writes: a date a person typed differently counts as absent.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/.test(text)) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** The retire marker, when it parses (an id, then two times in order); otherwise absent. */
export function retireMarker(tags: Tag[]): RetireMarker | undefined {
  const value = tagValue(tags, RETIRE_TAG)
  if (value === undefined) return undefined
  const [keyId = '', replaced = '', after = '', ...rest] = value.split(' ')
  const replacedAt = isoDate(replaced)
  const retireAfter = isoDate(after)
  if (rest.length > 0 || !ACCESS_KEY_ID.test(keyId) || !replacedAt || !retireAfter) return undefined
  if (retireAfter < replacedAt) return undefined
  return { keyId, replacedAt, retireAfter }
}

export function formatRetireMarker(marker: RetireMarker): Tag {
  return {
    key: RETIRE_TAG,
    value: `${marker.keyId} ${marker.replacedAt.toISOString()} ${marker.retireAfter.toISOString()}`
  }
}

/**
 * One per key the action made, named by the key (`s3-credentials-action:key:<key id>`): the run that
 * made it, `<owner/repository> <run id> <attempt> <created ISO time>` (`-` for what a run outside
 * a workflow does not know). Set beside the pending marker, removed when the key is deleted.
 */
export const KEY_ORIGIN_TAG_PREFIX = `${RESERVED_TAG_PREFIX}key:`

/** Which run made a key, as its tag records it. */
export interface KeyOrigin {
  repository?: string
  runId?: string
  attempt?: string
  createdAt: Date
}

export function keyOriginTagKey(keyId: string): string {
  return `${KEY_ORIGIN_TAG_PREFIX}${keyId}`
}

/** The origin tag of a key made by workflow run `runId` (`run-<id>-<attempt>`) of `repository`. */
export function formatKeyOrigin(
  keyId: string,
  made: { runId: string; repository?: string; createdAt: Date }
): Tag {
  const run = /^run-(\d{1,19})-(\d{1,6})$/.exec(made.runId)
  const fields = [made.repository ?? '-', run?.[1] ?? '-', run?.[2] ?? '-']
  return {
    key: keyOriginTagKey(keyId),
    value: `${fields.join(' ')} ${made.createdAt.toISOString()}`
  }
}

/**
 * The origin of every key an origin tag names, by key id; a tag whose key id or value does not
 * parse counts as absent.
 */
export function keyOrigins(tags: Tag[]): Record<string, KeyOrigin> {
  const origins: Record<string, KeyOrigin> = {}
  const prefix = KEY_ORIGIN_TAG_PREFIX.toLowerCase()
  for (const tag of tags) {
    if (!tag.key.toLowerCase().startsWith(prefix)) continue
    const keyId = tag.key.slice(prefix.length)
    const [repository = '', runId = '', attempt = '', created = '', ...rest] = tag.value.split(' ')
    const createdAt = isoDate(created)
    const known = (field: string, pattern: RegExp) => (pattern.test(field) ? field : undefined)
    const fields = {
      repository: known(repository, REPOSITORY),
      runId: known(runId, /^\d{1,19}$/),
      attempt: known(attempt, /^\d{1,6}$/)
    }
    const parses = (field: string, value: string | undefined) =>
      field === '-' || value !== undefined
    if (!ACCESS_KEY_ID.test(keyId) || !createdAt || rest.length > 0) continue
    if (!parses(repository, fields.repository) || !parses(runId, fields.runId)) continue
    if (!parses(attempt, fields.attempt)) continue
    origins[keyId] = {
      createdAt,
      ...(fields.repository ? { repository: fields.repository } : {}),
      ...(fields.runId ? { runId: fields.runId } : {}),
      ...(fields.attempt ? { attempt: fields.attempt } : {})
    }
  }
  return origins
}

/** The origin tags on the user whose key is not one of `keyIds` (the key is gone): stale. */
export function staleKeyOriginTags(tags: Tag[], keyIds: string[]): string[] {
  const prefix = KEY_ORIGIN_TAG_PREFIX.toLowerCase()
  return tags
    .filter(t => t.key.toLowerCase().startsWith(prefix))
    .filter(t => !keyIds.includes(t.key.slice(prefix.length)))
    .map(t => t.key)
}
