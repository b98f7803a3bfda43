/**
 * Pure decisions about access keys: reuse, create, rotate, make room. IAM allows two keys per user;
 * every decision here keeps the key the repository holds working until a new one is stored.
 */
import type { OldKeyDisposal } from './config.js'
import { ActionError } from './errors.js'
import type { AccessKey } from './state.js'

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
    }

export interface KeyFacts {
  userExists: boolean
  keys: AccessKey[]
  /** True when every destination holds both the access key id and the secret access key. */
  destinationsHoldKey: boolean
  currentAccessKeyId?: string
  rotate: boolean
  maxKeyAgeDays?: number
  oldKey: OldKeyDisposal
  now: Date
}

/** Which key the destinations refer to: named by the input, else the only active key. */
export function currentKey(facts: KeyFacts): AccessKey | undefined {
  const active = facts.keys.filter(k => k.status === 'Active')
  if (facts.currentAccessKeyId) return active.find(k => k.id === facts.currentAccessKeyId)
  return facts.destinationsHoldKey && active.length === 1 ? active[0] : undefined
}

export function ageInDays(key: AccessKey, now: Date): number {
  return Math.floor((now.getTime() - key.createdAt.getTime()) / DAY_MS)
}

export function decideKey(facts: KeyFacts): KeyPlan {
  if (!facts.userExists)
    return { action: 'create', reason: 'the user is new', rotation: false, removeFirst: [] }
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
    ? 'the destinations do not hold a key yet'
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

function ambiguousKeys(active: AccessKey[]): ActionError {
  return new ActionError(
    'KEY_AMBIGUOUS',
    `The user has two active keys (${active.map(k => k.id).join(', ')}) and the action cannot tell which one the repository holds; nothing was changed.`,
    'pass current-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }} (or delete the key you do not use in IAM) and run again.'
  )
}
