/**
 * Pure decisions about access keys: reuse, create, rotate, make room. IAM allows two keys per user;
 * every decision here keeps the key the repository holds working until a new one is stored.
 */
import type { OldKeyDisposal } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import { MAX_GRACE_HOURS, MAX_GRACE_MS, type RetireMarker } from './markers.js'
import type { AccessKey, KeyLastUsed } from './observed.js'

export const MAX_KEYS_PER_USER = 2
const DAY_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
/**
 * IAM rounds a key's LastUsedDate (to the hour), so a recorded use counts as later than the end of
 * the key's grace only when it is later by more than this.
 */
export const LAST_USED_ROUNDING_MS = HOUR_MS
/** A retire marker replaced later than now by more than this (clock skew) was not set by a run. */
const CLOCK_SKEW_MS = 5 * 60 * 1000

export interface KeyRemoval {
  keyId: string
  why: string
}

export type KeyPlan =
  | { action: 'reuse'; keyId: string; reason: string }
  | { action: 'not-due'; keyId: string; ageDays: number; reason: string }
  | {
      action: 'create'
      reason: string
      rotation: boolean
      /** Keys deleted before the new one is created, to stay within the two-key limit. */
      removeFirst: KeyRemoval[]
      /**
       * The key the destinations hold now, handled per `old-key` once the new key is stored: at
       * once, or (graceHours) recorded on the user and retired by the first run after the grace.
       */
      replaces?: { keyId: string; disposal: OldKeyDisposal; graceHours?: number }
      /** The pending keys of unfinished earlier runs this run finishes (user tag), if any. */
      resumes?: string[]
      /** Keys deleted once every destination holds the new key: unfinished runs' new keys. */
      deleteAfter?: KeyRemoval[]
    }

export interface KeyFacts {
  userExists: boolean
  keys: AccessKey[]
  /** True when every destination holds both the access key id and the secret access key. */
  destinationsHoldKey: boolean
  /** True when at least one destination holds both (e.g. a destination was added since). */
  someDestinationsHoldKey?: boolean
  currentAccessKeyId?: string
  rotate: boolean
  maxKeyAgeDays?: number
  oldKey: OldKeyDisposal
  now: Date
  /**
   * Keys earlier runs created and started to write (user tag `s3-credentials-action:pending`)
   * but did not finish writing everywhere.
   */
  pendingKeyIds?: string[]
  /** old-key-grace-hours (0 when absent: the replaced key is retired at once). */
  graceHours?: number
  /** The key an earlier rotation left active for its grace (user tag), as parsed. */
  retireMarker?: RetireMarker
  /** GetAccessKeyLastUsed of the key the retire marker names. */
  retireKeyLastUsed?: KeyLastUsed
  /**
   * Why the key pair the destinations hold must be written anew though the key is kept: who may
   * use it changes in a way GitHub takes only with the value (an organization's visibility).
   */
  accessChange?: string
}

/** A key an earlier rotation replaced and left active for its grace, as the retire marker says. */
export interface GraceKey {
  keyId: string
  status: AccessKey['status']
  replacedAt: Date
  retireAfter: Date
  /** The grace has ended: this run retires it per `old-key`. */
  pastGrace: boolean
  lastUsed?: KeyLastUsed
  /** IAM recorded a use later than the end of its grace: something still holds the old pair. */
  usedAfterGrace: boolean
}

/**
 * What this run does with the grace key: retire it per old-key (delete, deactivate, keep; none:
 * already inactive), leave it in its grace (wait), or delete it first to make room (first).
 */
export type GraceAction = 'delete' | 'deactivate' | 'keep' | 'none' | 'wait' | 'first'
export type OldKeyGrace = GraceKey & { action: GraceAction }

/** A marker the action does not act on, and why. */
export interface IgnoredMarker {
  keyId: string
  why: string
}

/**
 * The retire marker is a tag anyone allowed to tag the user can write, so the key it names is
 * taken only where a rotation could have left it: a key of the user that current-access-key-id
 * does not name, not an unfinished run's key, and, if active, older than the user's other active
 * key (a rotation leaves the key it replaced beside a newer one; the newer one is the key the
 * destinations hold). A grace ending later than any run sets, or a replacement in the future, is
 * stale. While an unfinished run's key is pending the marker is left alone.
 */
export function graceKey(facts: KeyFacts): { key?: GraceKey; ignored?: IgnoredMarker } {
  const marker = facts.retireMarker
  if (!marker || crediblePendingKeys(facts).ids.length > 0) return {}
  const now = facts.now.getTime()
  const ignore = (why: string) => ({ ignored: { keyId: marker.keyId, why } })
  if (marker.retireAfter.getTime() > now + MAX_GRACE_MS)
    return ignore(
      `its grace ends ${marker.retireAfter.toISOString()}, later than any run sets (${MAX_GRACE_HOURS} hours)`
    )
  if (marker.replacedAt.getTime() > now + CLOCK_SKEW_MS)
    return ignore(`it says it was replaced in the future (${marker.replacedAt.toISOString()})`)
  const key = facts.keys.find(k => k.id === marker.keyId)
  if (!key) return ignore('not a key of the user')
  if (key.id === facts.currentAccessKeyId) return ignore('the key current-access-key-id names')
  const newerActive = facts.keys.some(
    k => k.status === 'Active' && k.id !== key.id && k.createdAt > key.createdAt
  )
  if (key.status === 'Active' && !newerActive)
    return ignore('not older than an active key of the user that could have replaced it')
  const used = facts.retireKeyLastUsed
  const usedAfterGrace =
    used?.at !== undefined &&
    used.at.getTime() > marker.retireAfter.getTime() + LAST_USED_ROUNDING_MS
  return {
    key: {
      keyId: key.id,
      status: key.status,
      replacedAt: marker.replacedAt,
      retireAfter: marker.retireAfter,
      pastGrace: now >= marker.retireAfter.getTime(),
      ...(used ? { lastUsed: used } : {}),
      usedAfterGrace
    }
  }
}

/**
 * What this run does with the key in grace, given the key plan: a create plan that needs its slot
 * deletes it first; otherwise it waits for its grace to end, then is retired per `old-key`. A key
 * used after its grace is deactivated rather than deleted, so that a person can look first.
 */
export function oldKeyGrace(facts: KeyFacts, plan: KeyPlan): OldKeyGrace | undefined {
  const grace = graceKey(facts).key
  if (!grace) return undefined
  const first = plan.action === 'create' && plan.removeFirst.some(r => r.keyId === grace.keyId)
  const action: GraceAction = first
    ? 'first'
    : !grace.pastGrace
      ? 'wait'
      : facts.oldKey === 'keep'
        ? 'keep'
        : facts.oldKey === 'delete' && !grace.usedAfterGrace
          ? 'delete'
          : grace.status === 'Inactive'
            ? 'none'
            : 'deactivate'
  return { ...grace, action }
}

/**
 * A scheduled rotation (max-key-age-days) does not cut a grace short: while the key it would need
 * the slot of is in its grace, or has just been found in use after it, the rotation waits.
 */
function graceHoldsRotation(grace: GraceKey | undefined): grace is GraceKey {
  return (
    grace !== undefined && grace.status === 'Active' && (!grace.pastGrace || grace.usedAfterGrace)
  )
}

function graceWhy(grace: GraceKey): string {
  const replaced = `replaced by a rotation at ${grace.replacedAt.toISOString()}`
  return grace.pastGrace
    ? `${replaced}, its grace ended at ${grace.retireAfter.toISOString()}`
    : `${replaced}, its grace (until ${grace.retireAfter.toISOString()}) cut short to make room`
}

/**
 * Which key the destinations refer to: named by the input, else the only active key when some
 * destination holds a key (one that does not, e.g. added since, gets the new key with the rest).
 */
export function currentKey(facts: KeyFacts): AccessKey | undefined {
  const active = facts.keys.filter(k => k.status === 'Active')
  if (facts.currentAccessKeyId) return active.find(k => k.id === facts.currentAccessKeyId)
  const held = facts.destinationsHoldKey || facts.someDestinationsHoldKey === true
  // The key in grace is the one a rotation replaced: the destinations hold the other one.
  const grace = graceKey(facts).key?.keyId
  const candidates = active.filter(k => k.id !== grace)
  return held && candidates.length === 1 ? candidates[0] : undefined
}

export function ageInDays(key: AccessKey, now: Date): number {
  return Math.floor((now.getTime() - key.createdAt.getTime()) / DAY_MS)
}

/** A key the pending marker names that the action does not treat as pending, and why. */
export interface IgnoredPendingKey {
  keyId: string
  why: string
}

/**
 * The pending marker is a tag anyone allowed to tag the user can write, so its ids are taken only
 * where they could have been set by a run: a key of the user, and not the only active key when
 * every destination holds a pair (the key they hold). The key current-access-key-id names is
 * never removed first either (see finishUnfinished).
 */
export function crediblePendingKeys(facts: KeyFacts): {
  ids: string[]
  ignored: IgnoredPendingKey[]
} {
  const ids: string[] = []
  const ignored: IgnoredPendingKey[] = []
  const active = facts.keys.filter(k => k.status === 'Active')
  const soleHeld = facts.destinationsHoldKey && active.length === 1 ? active[0]!.id : undefined
  for (const id of new Set(facts.pendingKeyIds ?? [])) {
    const why = !facts.keys.some(k => k.id === id)
      ? 'not a key of the user'
      : id === soleHeld
        ? 'the only active key, which every destination holds'
        : undefined
    if (why) ignored.push({ keyId: id, why })
    else ids.push(id)
  }
  return { ids, ignored }
}

export function decideKey(facts: KeyFacts): KeyPlan {
  if (!facts.userExists)
    return { action: 'create', reason: 'the user is new', rotation: false, removeFirst: [] }
  const pending = crediblePendingKeys(facts).ids
  if (pending.length > 0) return finishUnfinished(facts, pending)
  const current = currentKey(facts)
  const grace = graceKey(facts).key
  const active = facts.keys.filter(k => k.status === 'Active')
  const ambiguous =
    !facts.currentAccessKeyId && facts.destinationsHoldKey && active.length > 1 && !current

  if (facts.accessChange && facts.destinationsHoldKey) {
    // The secret access key is never read back: only a new key can be written with the value.
    if (ambiguous) throw ambiguousKeys(active)
    if (current)
      return {
        action: 'create',
        reason: facts.accessChange,
        rotation: true,
        removeFirst: keysToRemove(facts.keys, current, grace),
        replaces: replacing(facts, current.id)
      }
  }
  if (facts.destinationsHoldKey && current && !facts.rotate)
    return {
      action: 'reuse',
      keyId: current.id,
      reason: 'the destinations hold an active key of the user'
    }
  if (ambiguous && !facts.rotate)
    // Both keys are active and either may be the stored one: keep both, nothing to decide.
    return {
      action: 'reuse',
      keyId: active[0]!.id,
      reason: 'the destinations hold the key; pass current-access-key-id to check which one'
    }
  if (facts.rotate && current && facts.maxKeyAgeDays !== undefined && facts.destinationsHoldKey) {
    const age = ageInDays(current, facts.now)
    if (age < facts.maxKeyAgeDays)
      return {
        action: 'not-due',
        keyId: current.id,
        ageDays: age,
        reason: `the key is ${age} days old, under max-key-age-days ${facts.maxKeyAgeDays}`
      }
    if (graceHoldsRotation(grace))
      return {
        action: 'not-due',
        keyId: current.id,
        ageDays: age,
        reason: grace.pastGrace
          ? `the key is ${age} days old, but ${grace.keyId}, which the last rotation replaced, was used after its grace: it is retired without being deleted this run, and the rotation waits for the next run`
          : `the key is ${age} days old, but ${grace.keyId}, which the last rotation replaced, is in its grace until ${grace.retireAfter.toISOString()}: the rotation waits for the first run after it`
      }
  }
  if (ambiguous) throw ambiguousKeys(active)

  const reason = !facts.destinationsHoldKey
    ? facts.someDestinationsHoldKey
      ? 'some destinations do not hold the key yet'
      : 'the destinations do not hold a key yet'
    : !current
      ? facts.currentAccessKeyId
        ? `the stored key ${facts.currentAccessKeyId} is not an active key of the user`
        : 'the user has no active key that the destinations could hold'
      : 'rotation was requested'
  return {
    action: 'create',
    reason,
    rotation: facts.rotate && current !== undefined,
    removeFirst: keysToRemove(facts.keys, current, grace),
    ...(current ? { replaces: replacing(facts, current.id) } : {})
  }
}

/** How the key the destinations hold is handled once they hold the new one. */
function replacing(facts: KeyFacts, keyId: string): NonNullable<CreatePlan['replaces']> {
  const graceHours = facts.oldKey === 'keep' ? 0 : (facts.graceHours ?? 0)
  return { keyId, disposal: facts.oldKey, ...(graceHours > 0 ? { graceHours } : {}) }
}

type CreatePlan = Extract<KeyPlan, { action: 'create' }>

/**
 * Makes room for one more key. Inactive keys go first (they are past their grace period); then the
 * key an earlier rotation left in its grace; then active keys that the destinations do not hold.
 * The current key is never removed here.
 */
export function keysToRemove(
  keys: AccessKey[],
  current: AccessKey | undefined,
  grace?: GraceKey
): KeyRemoval[] {
  const isGrace = (k: AccessKey) => k.id === grace?.keyId
  const removals: KeyRemoval[] = keys
    .filter(k => k.status === 'Inactive')
    .map(k => ({
      keyId: k.id,
      why: isGrace(k) ? graceWhy(grace!) : 'inactive (replaced by an earlier rotation)'
    }))
  const remaining = keys.length - removals.length
  if (remaining < MAX_KEYS_PER_USER) return removals
  const spare = keys.filter(k => k.status === 'Active' && k.id !== current?.id)
  spare.sort((a, b) => Number(isGrace(b)) - Number(isGrace(a)))
  const needed = remaining - MAX_KEYS_PER_USER + 1
  for (const key of spare.slice(0, needed))
    removals.push({
      keyId: key.id,
      why: isGrace(key) ? graceWhy(grace!) : 'active but not the key the destinations hold'
    })
  return removals
}

const PENDING_WHY = 'created by an earlier run that stopped before every secret held it'

/**
 * Earlier runs created keys P and stopped while writing them: each destination may hold a P, the
 * key before it, or (when even restoring failed) a mismatched pair. No destination is known to hold
 * a verified pair, so a fresh key is created and written everywhere, whether or not rotation was
 * asked for. Room is made from inactive keys first, then from the P keys; the key before them (the
 * one the unwritten secrets still hold) is never removed first: it is retired per `old-key` only
 * once every destination holds the fresh key. The P keys left are deleted then.
 */
function finishUnfinished(facts: KeyFacts, markedIds: string[]): KeyPlan {
  // The key current-access-key-id names is the one the repository holds, whatever a marker says:
  // it is the key before, retired only once every destination holds the fresh one.
  const named = facts.keys.find(k => k.status === 'Active' && k.id === facts.currentAccessKeyId)
  const pendingIds = markedIds.filter(id => id !== named?.id)
  const isPending = (k: AccessKey) => pendingIds.includes(k.id)
  const otherActive = facts.keys.filter(k => k.status === 'Active' && !isPending(k))
  const previous = named ?? (otherActive.length === 1 ? otherActive[0] : undefined)
  if (!previous && otherActive.length > 1) throw ambiguousKeys(otherActive)

  const removeFirst: KeyRemoval[] = facts.keys
    .filter(k => k.status === 'Inactive')
    .map(k => ({
      keyId: k.id,
      why: isPending(k) ? `inactive, ${PENDING_WHY}` : 'inactive (replaced by an earlier rotation)'
    }))
  const candidates = [
    ...facts.keys.filter(k => k.status === 'Active' && isPending(k)),
    ...otherActive.filter(k => k.id !== previous?.id)
  ]
  for (const key of candidates) {
    if (facts.keys.length - removeFirst.length < MAX_KEYS_PER_USER) break
    removeFirst.push({
      keyId: key.id,
      why: isPending(key) ? PENDING_WHY : 'active but not the key the destinations hold'
    })
  }
  const deleteAfter = facts.keys
    .filter(k => isPending(k) && !removeFirst.some(r => r.keyId === k.id))
    .map(k => ({ keyId: k.id, why: PENDING_WHY }))
  return {
    action: 'create',
    reason: `an earlier run stopped before every destination held its new key ${markedIds.join(', ')}`,
    rotation: previous !== undefined,
    removeFirst,
    ...(previous ? { replaces: replacing(facts, previous.id) } : {}),
    resumes: pendingIds,
    ...(deleteAfter.length > 0 ? { deleteAfter } : {})
  }
}

function ambiguousKeys(active: AccessKey[]): ActionError {
  return new ActionError(
    'KEY_AMBIGUOUS',
    `The user has two active keys (${active.map(k => k.id).join(', ')}) and the action cannot tell which one the repository holds; nothing was changed.`,
    'pass current-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }} (or delete the key you do not use in IAM) and run again.'
  )
}
