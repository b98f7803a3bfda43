// Unit tests of src/plan/keys.ts written against its surviving mutants: making room never
// removes the key the destinations hold, whichever of the two keys it is.
import { decideKey, type KeyFacts, keysToRemove } from '../../src/plan/keys.js'
import type { AccessKey } from '../../src/plan/observed.js'
import { accessKey, daysAgo, KEY_A, KEY_B, NOW } from '../../__fixtures__/observed.js'

const KEY_GONE = 'AKIAGONEGONEGONEGONE'

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

describe('making room with two active keys', () => {
  test.each([
    [KEY_A, KEY_B],
    [KEY_B, KEY_A]
  ])('current-access-key-id %s: the other key (%s) is deleted first', (current, other) => {
    const keys = [active(KEY_A), active(KEY_B)]
    for (const pendingKeyIds of [undefined, [KEY_GONE]]) {
      const plan = decideKey(
        facts({
          keys,
          rotate: true,
          currentAccessKeyId: current,
          ...(pendingKeyIds ? { pendingKeyIds } : {})
        })
      )
      expect(plan).toEqual({
        action: 'create',
        reason: 'rotation was requested',
        rotation: true,
        removeFirst: [{ keyId: other, why: 'active but not the key the destinations hold' }],
        replaces: { keyId: current, disposal: 'delete' }
      })
    }
  })

  test('keysToRemove keeps the current key in either position', () => {
    const keys = [active(KEY_A), active(KEY_B)]
    expect(keysToRemove(keys, keys[0]).map(r => r.keyId)).toEqual([KEY_B])
    expect(keysToRemove(keys, keys[1]).map(r => r.keyId)).toEqual([KEY_A])
    expect(keysToRemove(keys, undefined).map(r => r.keyId)).toEqual([KEY_A])
    expect(keysToRemove([active(KEY_A)], keys[0])).toEqual([])
  })
})
