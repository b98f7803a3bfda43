/**
 * Pure decisions about access keys: reuse, create, rotate, make room. IAM allows two keys per user;
 * every decision here keeps the key the repository holds working until a new one is stored.
 */
import type { OldKeyDisposal } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import type { AccessKey } from './observed.js'

export const MAX_KEYS_PER_USER = 2
const DAY_MS = 24 * 60 * 60 * 1000

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
      /** The key the destinations hold now, handled per `old-key` once the new key is stored. */
      replaces?: { keyId: string; disposal: OldKeyDisposal }
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
}

/**
 * Which key the destinations refer to: named by the input, else the only active key when some
 * destination holds a key (one that does not, e.g. added since, gets the new key with the rest).
 */
export function currentKey(facts: KeyFacts): AccessKey | undefined {
  const active = facts.keys.filter(k => k.status === 'Active')
  if (facts.currentAccessKeyId) return active.find(k => k.id === facts.currentAccessKeyId)
  const held = facts.destinationsHoldKey || facts.someDestinationsHoldKey === true
  return held && active.length === 1 ? active[0] : undefined
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
  const active = facts.keys.filter(k => k.status === 'Active')
  const ambiguous = !facts.currentAccessKeyId && facts.destinationsHoldKey && active.length > 1

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
    removeFirst: keysToRemove(facts.keys, current),
    ...(current ? { replaces: { keyId: current.id, disposal: facts.oldKey } } : {})
  }
}

/**
 * Makes room for one more key. Inactive keys go first (they are past their grace period); then
 * active keys that the destinations do not hold. The current key is never removed here.
 */
export function keysToRemove(keys: AccessKey[], current: AccessKey | undefined): KeyRemoval[] {
  const removals: KeyRemoval[] = keys
    .filter(k => k.status === 'Inactive')
    .map(k => ({ keyId: k.id, why: 'inactive (replaced by an earlier rotation)' }))
  const remaining = keys.length - removals.length
  if (remaining < MAX_KEYS_PER_USER) return removals
  const spare = keys.filter(k => k.status === 'Active' && k.id !== current?.id)
  const needed = remaining - MAX_KEYS_PER_USER + 1
  for (const key of spare.slice(0, needed))
    removals.push({ keyId: key.id, why: 'active but not the key the destinations hold' })
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
    ...(previous ? { replaces: { keyId: previous.id, disposal: facts.oldKey } } : {}),
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
