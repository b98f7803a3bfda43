// Mutation tests of src/plan/keys.ts (issue 12), written against what the Stryker run of
// 2026-12-03 left alive: which key makes room and why the plan says so, the reasons a person
// reads in the plan, and what an unfinished run's keys become.
import {
  currentKey,
  decideKey,
  type GraceKey,
  type KeyFacts,
  type KeyPlan,
  keysToRemove,
  oldKeyGrace
} from '../../src/plan/keys.js'
import type { RetireMarker } from '../../src/plan/markers.js'
import type { AccessKey } from '../../src/plan/observed.js'
import { accessKey, daysAgo, KEY_A, KEY_B, KEY_C, NOW } from '../../__fixtures__/observed.js'

const HOUR_MS = 60 * 60 * 1000
const at = (ms: number) => new Date(NOW.getTime() + ms)
const active = (id: string, days = 10): AccessKey => accessKey(id, 'Active', daysAgo(days))
const inactive = (id: string, days = 10): AccessKey => accessKey(id, 'Inactive', daysAgo(days))

function facts(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    userExists: true,
    keys: [active(KEY_A)],
    destinationsHoldKey: true,
    rotate: false,
    oldKey: 'delete',
    now: NOW,
    graceHours: 6,
    ...overrides
  }
}

/** KEY_A replaced by KEY_B (newer) two hours ago; its grace ends in `endsInHours`. */
function graceFacts(endsInHours: number, overrides: Partial<KeyFacts> = {}): KeyFacts {
  const retireMarker: RetireMarker = {
    keyId: KEY_A,
    replacedAt: at(-2 * HOUR_MS),
    retireAfter: at(endsInHours * HOUR_MS)
  }
  return facts({ keys: [active(KEY_A, 40), active(KEY_B, 1)], retireMarker, ...overrides })
}

const graceOf = (endsInHours: number): GraceKey => ({
  keyId: KEY_A,
  status: 'Active',
  replacedAt: at(-2 * HOUR_MS),
  retireAfter: at(endsInHours * HOUR_MS),
  pastGrace: endsInHours <= 0,
  usedAfterGrace: false
})

const createPlan = (removeFirst: string[]): KeyPlan => ({
  action: 'create',
  reason: 'rotation was requested',
  rotation: true,
  removeFirst: removeFirst.map(keyId => ({ keyId, why: 'x' }))
})

describe('the grace key deleted first', () => {
  test('it is "first" when it is one of the keys removed first, not only when it is all of them', () => {
    const f = graceFacts(4)
    expect(oldKeyGrace(f, createPlan([KEY_C, KEY_A]))?.action).toBe('first')
    expect(oldKeyGrace(f, createPlan([KEY_C]))?.action).toBe('wait')
    expect(oldKeyGrace(f, { action: 'reuse', keyId: KEY_B, reason: 'r' })?.action).toBe('wait')
  })
})

describe('why a key makes room', () => {
  test('a grace key in its grace is cut short, and the plan says until when', () => {
    const [removal] = keysToRemove([active(KEY_A, 40), active(KEY_B, 1)], undefined, graceOf(4))
    expect(removal).toEqual({
      keyId: KEY_A,
      why: `replaced by a rotation at ${at(-2 * HOUR_MS).toISOString()}, its grace (until ${at(4 * HOUR_MS).toISOString()}) cut short to make room`
    })
  })

  test('a grace key past its grace says when the grace ended', () => {
    const [removal] = keysToRemove([active(KEY_A, 40), active(KEY_B, 1)], undefined, graceOf(-1))
    expect(removal?.why).toBe(
      `replaced by a rotation at ${at(-2 * HOUR_MS).toISOString()}, its grace ended at ${at(-1 * HOUR_MS).toISOString()}`
    )
  })

  test('an inactive grace key goes first with the grace sentence, other inactive keys with theirs', () => {
    const grace = { ...graceOf(-1), status: 'Inactive' as const }
    expect(keysToRemove([inactive(KEY_A, 40), active(KEY_B, 1)], active(KEY_B, 1), grace)).toEqual([
      { keyId: KEY_A, why: expect.stringContaining('its grace ended at') }
    ])
    expect(keysToRemove([inactive(KEY_C), active(KEY_B)], active(KEY_B), grace)).toEqual([
      { keyId: KEY_C, why: 'inactive (replaced by an earlier rotation)' }
    ])
  })

  test('with no key held, the grace key makes room before the other active key', () => {
    for (const keys of [
      [active(KEY_C, 1), active(KEY_A, 40)],
      [active(KEY_A, 40), active(KEY_C, 1)]
    ])
      expect(keysToRemove(keys, undefined, graceOf(4)).map(r => r.keyId)).toEqual([KEY_A])
  })

  test('two active keys, one held: exactly the other goes, and only one', () => {
    expect(keysToRemove([active(KEY_A), active(KEY_B)], active(KEY_A))).toEqual([
      { keyId: KEY_B, why: 'active but not the key the destinations hold' }
    ])
    expect(keysToRemove([active(KEY_A), active(KEY_B)], undefined)).toHaveLength(1)
  })

  test('one key or one inactive beside the held one: room already, nothing active goes', () => {
    expect(keysToRemove([active(KEY_A)], undefined)).toEqual([])
    expect(keysToRemove([active(KEY_A), inactive(KEY_B)], active(KEY_A))).toEqual([
      { keyId: KEY_B, why: 'inactive (replaced by an earlier rotation)' }
    ])
  })
})

describe('the key the destinations refer to', () => {
  test('current-access-key-id naming an inactive key names no current key', () => {
    const f = facts({ keys: [inactive(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_A })
    expect(currentKey(f)).toBeUndefined()
  })

  test('without the input, the one active key beside an inactive one is current', () => {
    expect(currentKey(facts({ keys: [inactive(KEY_A), active(KEY_B)] }))?.id).toBe(KEY_B)
  })

  test('held pair, only inactive keys: a new key, not an ambiguity', () => {
    const plan = decideKey(facts({ keys: [inactive(KEY_A), inactive(KEY_B)] }))
    expect(plan).toMatchObject({
      action: 'create',
      reason: 'the user has no active key that the destinations could hold',
      rotation: false
    })
  })
})

describe('the reasons a plan gives', () => {
  test('a due rotation waits while the replaced key is in its grace, naming it and the end', () => {
    const plan = decideKey(graceFacts(4, { rotate: true, maxKeyAgeDays: 1 }))
    expect(plan).toEqual({
      action: 'not-due',
      keyId: KEY_B,
      ageDays: 1,
      reason: `the key is 1 days old, but ${KEY_A}, which the last rotation replaced, is in its grace until ${at(4 * HOUR_MS).toISOString()}: the rotation waits for the first run after it`
    })
  })

  test('a due rotation waits while the replaced key was used after its grace', () => {
    const plan = decideKey(
      graceFacts(-2, {
        rotate: true,
        maxKeyAgeDays: 1,
        retireKeyLastUsed: { at: at(-1 * HOUR_MS + 1) }
      })
    )
    expect(plan).toMatchObject({ action: 'not-due', keyId: KEY_B })
    expect(plan.reason).toBe(
      `the key is 1 days old, but ${KEY_A}, which the last rotation replaced, was used after its grace: it is retired without being deleted this run, and the rotation waits for the next run`
    )
  })

  test('a due rotation goes ahead once the grace is over and the key unused since', () => {
    const plan = decideKey(graceFacts(-2, { rotate: true, maxKeyAgeDays: 1 }))
    expect(plan).toMatchObject({ action: 'create', reason: 'rotation was requested' })
  })

  test.each<[string, Partial<KeyFacts>, string]>([
    [
      'no destination holds a pair',
      { destinationsHoldKey: false },
      'the destinations do not hold a key yet'
    ],
    [
      'some destinations hold a pair',
      { destinationsHoldKey: false, someDestinationsHoldKey: true },
      'some destinations do not hold the key yet'
    ],
    [
      'the named key is not active',
      { keys: [inactive(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_A },
      `the stored key ${KEY_A} is not an active key of the user`
    ],
    ['rotation', { rotate: true }, 'rotation was requested']
  ])('%s', (_, overrides, reason) => {
    expect(decideKey(facts(overrides)).reason).toBe(reason)
  })
})

describe('an unfinished run’s keys', () => {
  test('the key before is replaced, an inactive pending key goes first with its own sentence', () => {
    const plan = decideKey(
      facts({ keys: [active(KEY_A, 40), inactive(KEY_B, 1)], pendingKeyIds: [KEY_B] })
    )
    expect(plan).toEqual({
      action: 'create',
      reason: `an earlier run stopped before every destination held its new key ${KEY_B}`,
      rotation: true,
      removeFirst: [
        {
          keyId: KEY_B,
          why: 'inactive, created by an earlier run that stopped before every secret held it'
        }
      ],
      replaces: { keyId: KEY_A, disposal: 'delete', graceHours: 6 },
      resumes: [KEY_B]
    })
  })

  test('an active pending key makes room, named so; the key before stays', () => {
    const plan = decideKey(
      facts({ keys: [active(KEY_A, 40), active(KEY_B, 1)], pendingKeyIds: [KEY_B] })
    )
    expect(plan).toMatchObject({
      removeFirst: [
        { keyId: KEY_B, why: 'created by an earlier run that stopped before every secret held it' }
      ],
      replaces: { keyId: KEY_A },
      resumes: [KEY_B]
    })
    expect(plan).not.toHaveProperty('deleteAfter')
  })

  test('two pending keys and no key before: one makes room, the other goes after, no rotation', () => {
    const plan = decideKey(
      facts({
        keys: [active(KEY_A, 40), active(KEY_B, 1)],
        pendingKeyIds: [KEY_A, KEY_B],
        destinationsHoldKey: false
      })
    )
    expect(plan).toMatchObject({
      action: 'create',
      rotation: false,
      removeFirst: [{ keyId: KEY_A }],
      deleteAfter: [
        { keyId: KEY_B, why: 'created by an earlier run that stopped before every secret held it' }
      ],
      resumes: [KEY_A, KEY_B]
    })
    expect(plan).not.toHaveProperty('replaces')
  })

  test('a pending key beside one the input names: the named key is the key before', () => {
    const plan = decideKey(
      facts({
        keys: [active(KEY_A, 40), active(KEY_B, 1)],
        pendingKeyIds: [KEY_A, KEY_B],
        currentAccessKeyId: KEY_A
      })
    )
    expect(plan).toMatchObject({
      removeFirst: [{ keyId: KEY_B }],
      replaces: { keyId: KEY_A },
      resumes: [KEY_B]
    })
  })

  test('one inactive key beside the key before and a pending marker for it: no active key goes', () => {
    const plan = decideKey(
      facts({
        keys: [inactive(KEY_C, 50), active(KEY_A, 40)],
        pendingKeyIds: [KEY_C],
        destinationsHoldKey: false
      })
    )
    expect(plan).toMatchObject({
      removeFirst: [{ keyId: KEY_C, why: expect.stringMatching(/^inactive, created by/) }],
      replaces: { keyId: KEY_A }
    })
  })
})
