// Unit tests of the pure key decisions in src/keys.ts.
import { ActionError } from '../../src/errors.js'
import {
  ageInDays,
  crediblePendingKeys,
  currentKey,
  decideKey,
  type KeyFacts,
  type KeyPlan,
  keysToRemove
} from '../../src/plan/keys.js'
import type { AccessKey } from '../../src/plan/observed.js'
import { accessKey, daysAgo, KEY_A, KEY_B, KEY_C, NOW } from '../../__fixtures__/observed.js'

function facts(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    userExists: true,
    keys: [accessKey(KEY_A)],
    destinationsHoldKey: true,
    rotate: false,
    oldKey: 'delete',
    now: NOW,
    ...overrides
  }
}

const active = (id: string, days = 10): AccessKey => accessKey(id, 'Active', daysAgo(days))
const inactive = (id: string, days = 100): AccessKey => accessKey(id, 'Inactive', daysAgo(days))

/** The key ids a create plan deletes first, or undefined for other plans. */
function removed(plan: KeyPlan): string[] | undefined {
  return plan.action === 'create' ? plan.removeFirst.map(r => r.keyId) : undefined
}

describe('currentKey', () => {
  test.each([
    ['the only active key when destinations hold a key', {}, KEY_A],
    ['nothing when destinations hold no key', { destinationsHoldKey: false }, undefined],
    ['nothing with two active keys', { keys: [active(KEY_A), active(KEY_B)] }, undefined],
    ['the active key beside an inactive one', { keys: [inactive(KEY_B), active(KEY_A)] }, KEY_A],
    ['nothing when the only key is inactive', { keys: [inactive(KEY_A)] }, undefined],
    [
      'the named key among two active ones',
      { keys: [active(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_B },
      KEY_B
    ],
    [
      'the named key even when destinations hold no key',
      { keys: [active(KEY_A)], currentAccessKeyId: KEY_A, destinationsHoldKey: false },
      KEY_A
    ],
    ['nothing when the named key is unknown', { currentAccessKeyId: KEY_C }, undefined],
    [
      'nothing when the named key is inactive',
      { keys: [inactive(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_A },
      undefined
    ]
  ])('%s', (_case, overrides: Partial<KeyFacts>, expected) => {
    expect(currentKey(facts(overrides))?.id).toBe(expected)
  })
})

describe('ageInDays', () => {
  test.each([
    [0, 0],
    [1, 1],
    [89.9, 89],
    [90, 90],
    [400, 400]
  ])('a key created %s days ago is %s days old', (days, age) => {
    expect(ageInDays(accessKey(KEY_A, 'Active', daysAgo(days)), NOW)).toBe(age)
  })
})

describe('decideKey', () => {
  test('a new user gets a new key, nothing removed, not a rotation', () => {
    expect(decideKey(facts({ userExists: false, keys: [], destinationsHoldKey: false }))).toEqual({
      action: 'create',
      reason: 'the user is new',
      rotation: false,
      removeFirst: []
    })
  })

  test.each([
    ['one active key held by the destinations', {}, KEY_A],
    ['the named key', { currentAccessKeyId: KEY_A }, KEY_A],
    [
      'the named key among two active ones',
      { keys: [active(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_B },
      KEY_B
    ],
    ['the active key beside an inactive one', { keys: [inactive(KEY_B), active(KEY_A)] }, KEY_A],
    [
      'one of two active keys when the stored one is unknown and no rotation',
      { keys: [active(KEY_A), active(KEY_B)] },
      KEY_A
    ]
  ])('reuses %s', (_case, overrides: Partial<KeyFacts>, keyId) => {
    const plan = decideKey(facts(overrides))
    expect(plan).toMatchObject({ action: 'reuse', keyId })
  })

  test.each([
    ['the named key is not a key of the user', { currentAccessKeyId: KEY_C }],
    [
      'the named key is inactive',
      { keys: [inactive(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_A }
    ]
  ])('creates a key when %s (stale current-access-key-id)', (_case, overrides) => {
    const plan = decideKey(facts(overrides))
    expect(plan).toMatchObject({ action: 'create', rotation: false })
    expect(plan.reason).toContain(`the stored key ${overrides.currentAccessKeyId} is not an active`)
    expect(plan).not.toHaveProperty('replaces')
  })

  test('creates a key when the destinations do not hold one', () => {
    const plan = decideKey(facts({ destinationsHoldKey: false }))
    expect(plan).toEqual({
      action: 'create',
      reason: 'the destinations do not hold a key yet',
      rotation: false,
      removeFirst: []
    })
  })

  test('creates a key when the destinations lack it, even if the named key is active', () => {
    const plan = decideKey(facts({ destinationsHoldKey: false, currentAccessKeyId: KEY_A }))
    expect(plan).toEqual({
      action: 'create',
      reason: 'the destinations do not hold a key yet',
      rotation: false,
      removeFirst: [],
      replaces: { keyId: KEY_A, disposal: 'delete' }
    })
  })

  test.each([['delete'], ['deactivate'], ['keep']] as const)(
    'rotate creates a key that replaces the current one (old-key %s)',
    oldKey => {
      expect(decideKey(facts({ rotate: true, oldKey }))).toEqual({
        action: 'create',
        reason: 'rotation was requested',
        rotation: true,
        removeFirst: [],
        replaces: { keyId: KEY_A, disposal: oldKey }
      })
    }
  )

  test('rotate replaces the named key', () => {
    const plan = decideKey(
      facts({ rotate: true, keys: [active(KEY_A), active(KEY_B)], currentAccessKeyId: KEY_B })
    )
    expect(plan).toMatchObject({
      action: 'create',
      rotation: true,
      replaces: { keyId: KEY_B, disposal: 'delete' }
    })
    expect(removed(plan)).toEqual([KEY_A])
  })

  test.each([
    [10, 30, 'not-due'],
    [29, 30, 'not-due'],
    [0, 1, 'not-due'],
    [30, 30, 'create'],
    [31, 30, 'create'],
    [400, 90, 'create']
  ])('rotate with a key %s days old and max-key-age-days %s: %s', (days, max, action) => {
    const plan = decideKey(facts({ rotate: true, maxKeyAgeDays: max, keys: [active(KEY_A, days)] }))
    expect(plan.action).toBe(action)
    if (plan.action === 'not-due') {
      expect(plan).toMatchObject({ keyId: KEY_A, ageDays: days })
      expect(plan.reason).toContain(`under max-key-age-days ${max}`)
    } else {
      expect(plan).toMatchObject({ rotation: true, replaces: { keyId: KEY_A } })
    }
  })

  test('max-key-age-days does nothing without rotate', () => {
    expect(decideKey(facts({ maxKeyAgeDays: 1, keys: [active(KEY_A, 400)] })).action).toBe('reuse')
  })

  test('max-key-age-days does not hold back a key the destinations lack', () => {
    const plan = decideKey(
      facts({
        rotate: true,
        maxKeyAgeDays: 90,
        destinationsHoldKey: false,
        keys: [active(KEY_A, 1)]
      })
    )
    expect(plan).toMatchObject({ action: 'create', rotation: false })
  })

  test('two active keys, unknown current, rotate: refuses with KEY_AMBIGUOUS', () => {
    const run = () => decideKey(facts({ rotate: true, keys: [active(KEY_A), active(KEY_B)] }))
    expect(run).toThrow(ActionError)
    try {
      run()
    } catch (e) {
      expect((e as ActionError).code).toBe('KEY_AMBIGUOUS')
      expect((e as ActionError).message).toContain(`${KEY_A}, ${KEY_B}`)
      expect((e as ActionError).remedy).toContain('current-access-key-id')
    }
  })

  test('two active keys, unknown current, rotate with max-key-age-days: still KEY_AMBIGUOUS', () => {
    expect(() =>
      decideKey(
        facts({ rotate: true, maxKeyAgeDays: 1, keys: [active(KEY_A, 100), active(KEY_B, 100)] })
      )
    ).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }))
  })

  test('destinations lacking the secrets with two active keys: removes exactly one', () => {
    const plan = decideKey(
      facts({ destinationsHoldKey: false, keys: [active(KEY_A), active(KEY_B)] })
    )
    expect(plan.action).toBe('create')
    expect(removed(plan)).toHaveLength(1)
  })

  test('inactive keys go first when making room', () => {
    const plan = decideKey(facts({ rotate: true, keys: [active(KEY_A), inactive(KEY_B)] }))
    expect(plan).toMatchObject({ action: 'create', replaces: { keyId: KEY_A } })
    expect(removed(plan)).toEqual([KEY_B])
  })

  test('removals are warned with a reason', () => {
    const plan = decideKey(facts({ rotate: true, keys: [active(KEY_A), inactive(KEY_B)] }))
    expect(plan.action === 'create' && plan.removeFirst[0]?.why).toContain('inactive')
  })

  // Was a bug: with the destinations holding a key, no current-access-key-id, and no active key left
  // (deleted or deactivated in IAM), the reason reads "the stored key undefined is not an active
  // key of the user".
  test('the reason never interpolates an absent current-access-key-id', () => {
    const plan = decideKey(facts({ keys: [inactive(KEY_A)] }))
    expect(plan.action).toBe('create')
    expect(plan.reason).not.toContain('undefined')
  })
})

describe('keysToRemove', () => {
  test.each([
    ['no keys', [], undefined, []],
    ['one active current key', [active(KEY_A)], KEY_A, []],
    ['one active non-current key: room left', [active(KEY_A)], undefined, []],
    ['an inactive key beside the current one', [active(KEY_A), inactive(KEY_B)], KEY_A, [KEY_B]],
    ['two inactive keys', [inactive(KEY_A), inactive(KEY_B)], undefined, [KEY_A, KEY_B]],
    ['active non-current beside the current', [active(KEY_A), active(KEY_B)], KEY_A, [KEY_B]],
    ['active non-current before the current', [active(KEY_A), active(KEY_B)], KEY_B, [KEY_A]],
    [
      'exactly one of two active keys when none is current',
      [active(KEY_A), active(KEY_B)],
      undefined,
      [KEY_A]
    ],
    [
      'the inactive key rather than an active one',
      [inactive(KEY_A), active(KEY_B)],
      undefined,
      [KEY_A]
    ],
    [
      'enough keys even above the limit',
      [active(KEY_A), active(KEY_B), active(KEY_C)],
      KEY_B,
      [KEY_A, KEY_C]
    ]
  ])('%s', (_case, keys: AccessKey[], currentId: string | undefined, expected: string[]) => {
    const current = keys.find(k => k.id === currentId)
    const removals = keysToRemove(keys, current)
    expect(removals.map(r => r.keyId)).toEqual(expected)
    // Always room for one more key, and never the current one.
    expect(keys.length - removals.length).toBeLessThan(2)
    if (currentId) expect(removals.map(r => r.keyId)).not.toContain(currentId)
  })

  test('never removes the current key, whatever the order and statuses', () => {
    const statuses = ['Active', 'Inactive'] as const
    const ids = [KEY_A, KEY_B]
    for (const first of statuses)
      for (const second of statuses)
        for (const currentIndex of [0, 1]) {
          const keys = [accessKey(KEY_A, first), accessKey(KEY_B, second)]
          const current = keys[currentIndex]!
          if (current.status !== 'Active') continue
          const removals = keysToRemove(keys, current).map(r => r.keyId)
          expect(removals).not.toContain(ids[currentIndex])
          expect(removals).toHaveLength(1)
        }
  })
})

// An unfinished earlier run: the user carries `s3-credentials-action:pending` = the key it created
// (KEY_P here) and was writing when it stopped. Some secrets may hold it, others the key before.
describe('decideKey with a pending key (an earlier run stopped while writing it)', () => {
  const KEY_P = 'AKIAPPPPPPPPPPPPPPPP'
  const KEY_Q = 'AKIAQQQQQQQQQQQQQQQQ'
  const pending = (overrides: Partial<KeyFacts>) =>
    decideKey(facts({ pendingKeyIds: [KEY_P], keys: [active(KEY_A), active(KEY_P)], ...overrides }))

  test('creates a fresh key even without rotate and with every secret present', () => {
    const plan = pending({ rotate: false, destinationsHoldKey: true })
    expect(plan).toEqual({
      action: 'create',
      reason: `an earlier run stopped before every destination held its new key ${KEY_P}`,
      rotation: true,
      removeFirst: [
        {
          keyId: KEY_P,
          why: 'created by an earlier run that stopped before every secret held it'
        }
      ],
      replaces: { keyId: KEY_A, disposal: 'delete' },
      resumes: [KEY_P]
    })
  })

  test('max-key-age-days cannot call it "not due"', () => {
    const plan = pending({ rotate: true, maxKeyAgeDays: 90 })
    expect(plan.action).toBe('create')
  })

  test('the key before it is never removed first', () => {
    for (const currentAccessKeyId of [undefined, KEY_A]) {
      const plan = pending(currentAccessKeyId ? { currentAccessKeyId } : {})
      expect(removed(plan)).toEqual([KEY_P])
      expect(plan).toMatchObject({ replaces: { keyId: KEY_A } })
    }
  })

  // Issue 15: the marker is a tag others can write; it never covers the key the repository holds.
  test('a pending marker naming the key current-access-key-id names: that key is never removed first', () => {
    for (const rotate of [false, true]) {
      const plan = pending({ currentAccessKeyId: KEY_P, rotate })
      // A fresh key all the same (the marker says a write was under way), replacing the named key.
      expect(plan).toMatchObject({ action: 'create', replaces: { keyId: KEY_P } })
      expect(removed(plan)).toEqual([KEY_A])
      expect(plan).not.toHaveProperty('deleteAfter')
    }
  })

  test('a pending marker naming the only active key, which every destination holds, is ignored', () => {
    const plan = pending({ keys: [active(KEY_P)] })
    expect(plan).toMatchObject({ action: 'reuse', keyId: KEY_P })
    expect(crediblePendingKeys(facts({ pendingKeyIds: [KEY_P], keys: [active(KEY_P)] }))).toEqual({
      ids: [],
      ignored: [{ keyId: KEY_P, why: 'the only active key, which every destination holds' }]
    })
  })

  test('ids that are not keys of the user are ignored, duplicates counted once', () => {
    expect(
      crediblePendingKeys(
        facts({ pendingKeyIds: [KEY_C, KEY_P, KEY_P], keys: [active(KEY_A), active(KEY_P)] })
      )
    ).toEqual({ ids: [KEY_P], ignored: [{ keyId: KEY_C, why: 'not a key of the user' }] })
  })

  test('with room to spare the pending key goes only after every destination holds the new one', () => {
    const plan = pending({ keys: [active(KEY_P)], destinationsHoldKey: false })
    expect(plan).toMatchObject({ action: 'create', rotation: false, removeFirst: [] })
    expect(plan).toMatchObject({ deleteAfter: [{ keyId: KEY_P }] })
    expect(plan).not.toHaveProperty('replaces')
  })

  test('a pending key that is gone already: nothing to finish, the remaining key stays', () => {
    const plan = pending({ keys: [active(KEY_A)] })
    expect(plan).toMatchObject({ action: 'reuse', keyId: KEY_A })
  })

  test('inactive keys still go first; the pending key then fits and goes after', () => {
    const plan = pending({ keys: [inactive(KEY_A), active(KEY_P)], destinationsHoldKey: false })
    expect(removed(plan)).toEqual([KEY_A])
    expect(plan).toMatchObject({ deleteAfter: [{ keyId: KEY_P }] })
    expect(plan).not.toHaveProperty('replaces')
  })

  test('several pending keys: one makes room, the other goes after', () => {
    const plan = decideKey(
      facts({ pendingKeyIds: [KEY_P, KEY_Q], keys: [active(KEY_P), active(KEY_Q)] })
    )
    expect(removed(plan)).toEqual([KEY_P])
    expect(plan).toMatchObject({ deleteAfter: [{ keyId: KEY_Q }], resumes: [KEY_P, KEY_Q] })
  })

  test('a pending key that is gone, two other active keys: decided as without the marker', () => {
    const keys = [active(KEY_A), active(KEY_B)]
    for (const more of [{}, { rotate: true, currentAccessKeyId: KEY_B }, { rotate: true }]) {
      const decide = () => decideKey(facts({ keys, ...more }))
      const withMarker = () => decideKey(facts({ pendingKeyIds: [KEY_P], keys, ...more }))
      if ('currentAccessKeyId' in more || !('rotate' in more))
        expect(withMarker()).toEqual(decide())
      else expect(withMarker).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }))
    }
    const plan = decideKey(
      facts({ pendingKeyIds: [KEY_P], keys, currentAccessKeyId: KEY_B, rotate: true })
    )
    expect(removed(plan)).toEqual([KEY_A])
    expect(plan).toMatchObject({ replaces: { keyId: KEY_B } })
  })

  test('whatever the keys, room is made and the key before the pending one is never removed', () => {
    const statuses = ['Active', 'Inactive'] as const
    for (const a of statuses)
      for (const p of statuses)
        for (const pendingFirst of [true, false]) {
          const keys = [accessKey(KEY_A, a), accessKey(KEY_P, p)]
          const plan = decideKey(
            facts({
              pendingKeyIds: [KEY_P],
              keys: pendingFirst ? keys.reverse() : keys,
              destinationsHoldKey: false
            })
          )
          if (plan.action !== 'create') throw new Error('expected a create plan')
          expect(keys.length - plan.removeFirst.length).toBeLessThan(2)
          if (a === 'Active') {
            expect(removed(plan)).not.toContain(KEY_A)
            expect(plan.replaces?.keyId).toBe(KEY_A)
          }
          // The pending key is deleted, before or after, in every case.
          const gone = [...plan.removeFirst, ...(plan.deleteAfter ?? [])].map(r => r.keyId)
          expect(gone).toContain(KEY_P)
        }
  })

  test('a new user has no pending key to finish', () => {
    expect(decideKey(facts({ userExists: false, keys: [], pendingKeyIds: [KEY_P] }))).toMatchObject(
      { action: 'create', reason: 'the user is new' }
    )
  })
})

describe('decideKey when only some destinations hold the key (a destination was added)', () => {
  test('the one active key is replaced, so that it is retired rather than left unreferenced', () => {
    const plan = decideKey(facts({ destinationsHoldKey: false, someDestinationsHoldKey: true }))
    expect(plan).toEqual({
      action: 'create',
      reason: 'some destinations do not hold the key yet',
      rotation: false,
      removeFirst: [],
      replaces: { keyId: KEY_A, disposal: 'delete' }
    })
  })

  test('with two active keys and none named, neither is taken for the current one', () => {
    const plan = decideKey(
      facts({
        destinationsHoldKey: false,
        someDestinationsHoldKey: true,
        keys: [active(KEY_A), active(KEY_B)]
      })
    )
    expect(plan).toMatchObject({ action: 'create' })
    expect(plan).not.toHaveProperty('replaces')
  })
})
