// Mutation tests of src/plan/keys.ts's grace key (issue 12): where a retire marker's dates stop
// being credible (the bounds themselves), which keys count as the newer active key, and how
// long after the grace a use counts as a use after it.
import { graceKey, LAST_USED_ROUNDING_MS, type KeyFacts } from '../../src/plan/keys.js'
import { MAX_GRACE_MS, type RetireMarker } from '../../src/plan/markers.js'
import type { AccessKey } from '../../src/plan/observed.js'
import { accessKey, daysAgo, KEY_A, KEY_B, NOW } from '../../__fixtures__/observed.js'

const MINUTE_MS = 60 * 1000
const at = (ms: number) => new Date(NOW.getTime() + ms)
const OLD = KEY_A
const CURRENT = KEY_B

function facts(retire: RetireMarker, keys?: AccessKey[]): KeyFacts {
  return {
    userExists: true,
    keys: keys ?? [accessKey(OLD, 'Active', daysAgo(40)), accessKey(CURRENT, 'Active', daysAgo(1))],
    destinationsHoldKey: true,
    rotate: false,
    oldKey: 'delete',
    now: NOW,
    graceHours: 6,
    retireMarker: retire
  }
}

const marker = (replacedAt: Date, retireAfter: Date): RetireMarker => ({
  keyId: OLD,
  replacedAt,
  retireAfter
})

describe('a retire marker’s dates', () => {
  test('a grace ending exactly at the longest a run sets is believed', () => {
    expect(graceKey(facts(marker(at(-MINUTE_MS), at(MAX_GRACE_MS)))).key?.keyId).toBe(OLD)
  })

  test('a replacement up to five minutes ahead (clock skew) is believed, not beyond', () => {
    for (const ahead of [MINUTE_MS, 5 * MINUTE_MS])
      expect(graceKey(facts(marker(at(ahead), at(ahead + MINUTE_MS)))).key?.keyId).toBe(OLD)
    const later = graceKey(facts(marker(at(5 * MINUTE_MS + 1), at(10 * MINUTE_MS))))
    expect(later.key).toBeUndefined()
    expect(later.ignored?.why).toContain('replaced in the future')
  })

  test('a use within the hour IAM rounds to is no use after the grace; later is', () => {
    expect(LAST_USED_ROUNDING_MS).toBe(60 * MINUTE_MS)
    const retireAfter = at(-3 * 60 * MINUTE_MS)
    const f = facts(marker(at(-9 * 60 * MINUTE_MS), retireAfter))
    const used = (ms: number) =>
      graceKey({ ...f, retireKeyLastUsed: { at: new Date(retireAfter.getTime() + ms) } }).key
        ?.usedAfterGrace
    expect(used(59 * MINUTE_MS)).toBe(false)
    expect(used(61 * MINUTE_MS)).toBe(true)
  })
})

describe('the newer active key a rotation leaves beside the replaced one', () => {
  const m = marker(at(-2 * 60 * MINUTE_MS), at(4 * 60 * MINUTE_MS))
  test.each<[string, AccessKey[]]>([
    [
      'a newer key that is inactive',
      [accessKey(OLD, 'Active', daysAgo(40)), accessKey(CURRENT, 'Inactive', daysAgo(1))]
    ],
    [
      'an older active key',
      [accessKey(OLD, 'Active', daysAgo(1)), accessKey(CURRENT, 'Active', daysAgo(40))]
    ],
    [
      'an active key of the same age',
      [accessKey(OLD, 'Active', daysAgo(5)), accessKey(CURRENT, 'Active', daysAgo(5))]
    ]
  ])('%s is none: the active key named is not retired', (_, keys) => {
    const g = graceKey(facts(m, keys))
    expect(g.key).toBeUndefined()
    expect(g.ignored?.why).toContain('not older than an active key')
  })

  test('an inactive key named needs no newer active key', () => {
    const keys = [
      accessKey(OLD, 'Inactive', daysAgo(40)),
      accessKey(CURRENT, 'Active', daysAgo(50))
    ]
    expect(graceKey(facts(m, keys)).key).toMatchObject({ keyId: OLD, status: 'Inactive' })
  })
})
