// Issue 17: a replaced key stays active for old-key-grace-hours (the retire marker on the user),
// and the first run after the grace retires it; the two-key limit holds with a key in grace.
import {
  decideKey,
  graceKey,
  LAST_USED_ROUNDING_MS,
  oldKeyGrace,
  type KeyFacts,
  type KeyPlan
} from '../../src/plan/keys.js'
import {
  formatRetireMarker,
  MAX_GRACE_MS,
  retireMarker,
  RETIRE_TAG,
  type RetireMarker
} from '../../src/plan/markers.js'
import { buildPlan } from '../../src/plan/plan.js'
import type { AccessKey, Observed } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  accessKey,
  daysAgo,
  KEY_A,
  KEY_B,
  KEY_C,
  NOW,
  observedUser,
  steadyObserved
} from '../../__fixtures__/observed.js'

const HOUR_MS = 60 * 60 * 1000
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR_MS)

/** KEY_A: replaced (older); KEY_B: the key the destinations hold (newer). */
const OLD = KEY_A
const CURRENT = KEY_B
const active = (id: string, days: number): AccessKey => accessKey(id, 'Active', daysAgo(days))
const inactive = (id: string, days: number): AccessKey => accessKey(id, 'Inactive', daysAgo(days))

/** A marker for OLD, replaced `replacedHoursAgo` hours ago with a grace of `grace` hours. */
function marker(replacedHoursAgo: number, grace = 6, keyId = OLD): RetireMarker {
  const replacedAt = hoursAgo(replacedHoursAgo)
  return { keyId, replacedAt, retireAfter: new Date(replacedAt.getTime() + grace * HOUR_MS) }
}

function facts(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    userExists: true,
    keys: [active(OLD, 40), active(CURRENT, 1)],
    destinationsHoldKey: true,
    rotate: false,
    oldKey: 'delete',
    now: NOW,
    graceHours: 6,
    ...overrides
  }
}

const removed = (plan: KeyPlan) => (plan.action === 'create' ? plan.removeFirst : [])

describe('the retire marker (markers.ts)', () => {
  test('round-trips', () => {
    const m = marker(3)
    expect(retireMarker([formatRetireMarker(m)])).toEqual(m)
  })

  test.each([
    ['an empty value', ''],
    ['a key id only', OLD],
    [
      'a lower-case key id',
      `akiaaaaaaaaaaaaaaaaa 2025-06-15T06:00:00.000Z 2025-06-15T12:00:00.000Z`
    ],
    ['a date that is not ISO', `${OLD} yesterday 2025-06-15T12:00:00.000Z`],
    [
      'a grace ending before the replacement',
      `${OLD} 2025-06-15T12:00:00.000Z 2025-06-15T06:00:00.000Z`
    ],
    ['a field too many', `${OLD} 2025-06-15T06:00:00.000Z 2025-06-15T12:00:00.000Z x`],
    ['an impossible date', `${OLD} 2025-02-30T06:00:00.000Z 2025-13-15T12:00:00.000Z`]
  ])('%s counts as absent', (_case, value) => {
    expect(retireMarker([{ key: RETIRE_TAG, value }])).toBeUndefined()
  })

  test('the tag key is compared without case', () => {
    const tag = formatRetireMarker(marker(3))
    expect(retireMarker([{ key: tag.key.toUpperCase(), value: tag.value }])).toEqual(marker(3))
  })
})

describe('which key is in grace (graceKey)', () => {
  test('the older of two active keys, named by the marker: the other is the current key', () => {
    const f = facts({ retireMarker: marker(2) })
    expect(graceKey(f).key).toMatchObject({ keyId: OLD, pastGrace: false, usedAfterGrace: false })
    // Without the marker the two active keys are ambiguous; with it, a rotation knows which is held.
    expect(decideKey(facts({ rotate: true, retireMarker: marker(7) }))).toMatchObject({
      action: 'create',
      replaces: { keyId: CURRENT }
    })
    expect(() => decideKey(facts({ rotate: true }))).toThrow(
      expect.objectContaining({ code: 'KEY_AMBIGUOUS' })
    )
  })

  test.each([
    [
      'names a key that is not the user’s',
      { retireMarker: marker(7, 6, KEY_C) },
      'not a key of the user'
    ],
    [
      'names the newer active key (the one a rotation stored)',
      { retireMarker: marker(7, 6, CURRENT) },
      'not older than an active key'
    ],
    [
      'names the only active key',
      { keys: [active(OLD, 40)], retireMarker: marker(7) },
      'not older than an active key'
    ],
    [
      'names the key current-access-key-id names',
      { currentAccessKeyId: OLD, retireMarker: marker(7) },
      'the key current-access-key-id names'
    ],
    [
      'ends its grace later than any run sets',
      {
        retireMarker: {
          keyId: OLD,
          replacedAt: hoursAgo(1),
          retireAfter: new Date(NOW.getTime() + MAX_GRACE_MS + HOUR_MS)
        }
      },
      'later than any run sets'
    ],
    [
      'says the key was replaced in the future',
      {
        retireMarker: {
          keyId: OLD,
          replacedAt: new Date(NOW.getTime() + HOUR_MS),
          retireAfter: new Date(NOW.getTime() + 2 * HOUR_MS)
        }
      },
      'in the future'
    ]
  ])('a marker that %s is ignored, and retires nothing', (_case, overrides, why) => {
    const f = facts(overrides)
    expect(graceKey(f).key).toBeUndefined()
    expect(graceKey(f).ignored?.why).toContain(why)
    const plan = decideKey({ ...f, keys: f.keys })
    expect(oldKeyGrace(f, plan)).toBeUndefined()
  })

  test('the key the destinations hold is never retired because the marker names it', () => {
    // current-access-key-id names OLD: the marker naming OLD is ignored, and a rotation replaces it.
    const f = facts({ currentAccessKeyId: OLD, retireMarker: marker(7), rotate: true })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'create', replaces: { keyId: OLD } })
    expect(removed(plan).map(r => r.keyId)).toEqual([CURRENT])
  })

  test('while an unfinished run’s key is pending, the marker is left alone', () => {
    const f = facts({ pendingKeyIds: [CURRENT], retireMarker: marker(7) })
    expect(graceKey(f)).toEqual({})
  })
})

describe('retiring the key in grace (oldKeyGrace)', () => {
  test.each([
    [2, 'wait'],
    [5.9, 'wait'],
    [6, 'delete'],
    [30, 'delete']
  ])('replaced %s hours ago with a 6-hour grace: %s', (ago, action) => {
    for (const f of [
      facts({ retireMarker: marker(ago) }),
      facts({ retireMarker: marker(ago), rotate: true, maxKeyAgeDays: 90 })
    ]) {
      const plan = decideKey(f)
      expect(plan).toMatchObject({ action: f.rotate ? 'not-due' : 'reuse', keyId: CURRENT })
      expect(oldKeyGrace(f, plan)?.action).toBe(action)
    }
  })

  test.each([
    ['delete', 'delete'],
    ['deactivate', 'deactivate'],
    ['keep', 'keep']
  ] as const)('past its grace, old-key %s: %s', (oldKey, action) => {
    const f = facts({ retireMarker: marker(7), oldKey })
    expect(oldKeyGrace(f, decideKey(f))?.action).toBe(action)
  })

  test('an inactive key past its grace is deleted (delete) or left inactive (deactivate)', () => {
    const keys = [inactive(OLD, 40), active(CURRENT, 1)]
    const del = facts({ keys, retireMarker: marker(7) })
    expect(oldKeyGrace(del, decideKey(del))?.action).toBe('delete')
    const deact = facts({ keys, retireMarker: marker(7), oldKey: 'deactivate' })
    expect(oldKeyGrace(deact, decideKey(deact))?.action).toBe('none')
  })

  describe('a key used after its grace is deactivated, not deleted', () => {
    // Replaced 10 hours ago, grace 6: the grace ended 4 hours ago.
    const m = marker(10)
    const end = m.retireAfter.getTime()
    test.each([
      ['never used', 'delete', undefined],
      ['used during its grace', 'delete', new Date(end - HOUR_MS)],
      ['used at the end of its grace', 'delete', new Date(end)],
      ['used within the hour IAM rounds to', 'delete', new Date(end + LAST_USED_ROUNDING_MS)],
      ['used later than that', 'deactivate', new Date(end + LAST_USED_ROUNDING_MS + 1000)]
    ])('%s: %s', (_case, action, at) => {
      const f = facts({
        retireMarker: m,
        retireKeyLastUsed: at ? { at, service: 's3', region: 'eu-west-1' } : {}
      })
      const grace = oldKeyGrace(f, decideKey(f))
      expect(grace?.action).toBe(action)
      expect(grace?.usedAfterGrace).toBe(action === 'deactivate')
    })
  })
})

describe('the two-key limit with a key in grace', () => {
  const used = (hoursAfterGraceEnd: number, m: RetireMarker) => ({
    at: new Date(m.retireAfter.getTime() + hoursAfterGraceEnd * HOUR_MS),
    service: 's3',
    region: 'eu-west-1'
  })

  test('a key past its grace is the first to go when a rotation needs its slot', () => {
    const f = facts({ rotate: true, retireMarker: marker(7) })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'create', replaces: { keyId: CURRENT, graceHours: 6 } })
    expect(removed(plan)).toEqual([
      { keyId: OLD, why: expect.stringContaining('its grace ended at') as unknown }
    ])
    expect(oldKeyGrace(f, plan)?.action).toBe('first')
  })

  test('a forced rotation cuts a grace short to make room (the plan warns)', () => {
    const f = facts({ rotate: true, retireMarker: marker(2) })
    const plan = decideKey(f)
    expect(removed(plan)).toEqual([
      { keyId: OLD, why: expect.stringContaining('cut short') as unknown }
    ])
    expect(oldKeyGrace(f, plan)?.action).toBe('first')
  })

  test('a scheduled rotation (max-key-age-days) due while a key is in grace waits for it', () => {
    const f = facts({
      rotate: true,
      maxKeyAgeDays: 1,
      keys: [active(OLD, 40), active(CURRENT, 3)],
      retireMarker: marker(2)
    })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'not-due', keyId: CURRENT, ageDays: 3 })
    expect(plan.reason).toContain(`is in its grace until ${marker(2).retireAfter.toISOString()}`)
    expect(oldKeyGrace(f, plan)?.action).toBe('wait')
  })

  test('a scheduled rotation due once the grace has ended: retires the old key first', () => {
    const f = facts({
      rotate: true,
      maxKeyAgeDays: 1,
      keys: [active(OLD, 40), active(CURRENT, 3)],
      retireMarker: marker(7)
    })
    const plan = decideKey(f)
    expect(plan.action).toBe('create')
    expect(removed(plan).map(r => r.keyId)).toEqual([OLD])
  })

  test('a scheduled rotation finding the old key used after its grace deactivates it and waits', () => {
    const m = marker(10)
    const f = facts({
      rotate: true,
      maxKeyAgeDays: 1,
      keys: [active(OLD, 40), active(CURRENT, 3)],
      retireMarker: m,
      retireKeyLastUsed: used(2, m)
    })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'not-due', keyId: CURRENT })
    expect(plan.reason).toContain('was used after its grace')
    expect(oldKeyGrace(f, plan)?.action).toBe('deactivate')
  })

  test('the next run after that: the inactive key goes first and the rotation proceeds', () => {
    const f = facts({
      rotate: true,
      maxKeyAgeDays: 1,
      keys: [inactive(OLD, 40), active(CURRENT, 3)]
    })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'create', replaces: { keyId: CURRENT } })
    expect(removed(plan).map(r => r.keyId)).toEqual([OLD])
  })

  test('a destination added while a key is in grace: the key in grace goes, never the current one', () => {
    const f = facts({
      destinationsHoldKey: false,
      someDestinationsHoldKey: true,
      retireMarker: marker(2)
    })
    const plan = decideKey(f)
    expect(plan).toMatchObject({ action: 'create', replaces: { keyId: CURRENT } })
    expect(removed(plan).map(r => r.keyId)).toEqual([OLD])
  })

  test('an inactive key in grace and the current key: the inactive one goes first', () => {
    const f = facts({
      rotate: true,
      keys: [inactive(OLD, 40), active(CURRENT, 1)],
      retireMarker: marker(2)
    })
    const plan = decideKey(f)
    expect(removed(plan).map(r => r.keyId)).toEqual([OLD])
    // A scheduled rotation does not wait for an inactive key: nothing can use it.
    const scheduled = decideKey({ ...f, maxKeyAgeDays: 1 })
    expect(scheduled.action).toBe('create')
  })

  test('a pending key and the key before it, with a marker: the pending key goes, the held key stays', () => {
    // An unfinished rotation: CURRENT (held) and KEY_C pending; a marker naming CURRENT is ignored.
    const keys = [active(CURRENT, 40), active(KEY_C, 0)]
    for (const m of [marker(7, 6, CURRENT), marker(7, 6, KEY_C), undefined]) {
      const f = facts({ keys, pendingKeyIds: [KEY_C], ...(m ? { retireMarker: m } : {}) })
      const plan = decideKey(f)
      expect(plan).toMatchObject({ action: 'create', replaces: { keyId: CURRENT } })
      expect(removed(plan).map(r => r.keyId)).toEqual([KEY_C])
      expect(oldKeyGrace(f, plan)).toBeUndefined()
    }
  })

  test('every combination keeps at most two keys and never removes the current key', () => {
    const keySets: AccessKey[][] = [
      [active(OLD, 40), active(CURRENT, 1)],
      [inactive(OLD, 40), active(CURRENT, 1)],
      [active(CURRENT, 1)],
      [active(OLD, 40), active(CURRENT, 1)]
    ]
    const markers = [undefined, marker(2), marker(7), marker(7, 6, CURRENT), marker(7, 6, KEY_C)]
    const pendings = [undefined, [OLD], [CURRENT]]
    for (const keys of keySets)
      for (const m of markers)
        for (const pendingKeyIds of pendings)
          for (const rotate of [true, false])
            for (const maxKeyAgeDays of [undefined, 1, 90]) {
              const f = facts({
                keys,
                rotate,
                currentAccessKeyId: CURRENT,
                ...(m ? { retireMarker: m } : {}),
                ...(pendingKeyIds ? { pendingKeyIds } : {}),
                ...(maxKeyAgeDays ? { maxKeyAgeDays } : {})
              })
              const plan = decideKey(f)
              const grace = oldKeyGrace(f, plan)
              expect(grace?.keyId).not.toBe(CURRENT)
              if (plan.action !== 'create') continue
              const gone = removed(plan).map(r => r.keyId)
              expect(gone).not.toContain(CURRENT)
              expect(keys.length - gone.length + 1).toBeLessThanOrEqual(2)
            }
  })
})

describe('the plan (buildPlan) with a retire marker', () => {
  function planWith(inputs: Inputs, overrides: Partial<Observed>) {
    const config = configFrom(inputs)
    const keys = [active(OLD, 40), active(CURRENT, 1)]
    return buildPlan(
      config,
      steadyObserved(config, { user: observedUser({ keys }), ...overrides }),
      NOW
    )
  }

  test('a key used after its grace: the plan warns, naming when, by what and where', () => {
    const m = marker(10)
    const at = new Date(m.retireAfter.getTime() + 2 * HOUR_MS)
    const plan = planWith(
      {},
      { retireMarker: m, retireKeyLastUsed: { at, service: 's3', region: 'eu-west-1' } }
    )
    expect(plan.oldKeyGrace).toMatchObject({ keyId: OLD, action: 'deactivate' })
    expect(plan.warnings).toContainEqual(
      `Access key ${OLD}, replaced by a rotation at ${m.replacedAt.toISOString()}, was used at ${at.toISOString()} (s3, eu-west-1), after its grace ended at ${m.retireAfter.toISOString()}: something still holds the old pair. It is deactivated, not deleted: find what uses it, then delete it in IAM (or reactivate it).`
    )
    expect(plan.staleMarkers).toEqual([])
  })

  // plan.ts's surviving mutants of 2026-12-04 (docs/mutation.md): the other retire actions' words.
  test('a key used after its grace with old-key keep: warned, nothing said about retiring it; an unknown service and region said so', () => {
    const m = marker(10)
    const at = new Date(m.retireAfter.getTime() + 2 * HOUR_MS)
    const plan = planWith({ 'old-key': 'keep' }, { retireMarker: m, retireKeyLastUsed: { at } })
    expect(plan.oldKeyGrace).toMatchObject({ keyId: OLD, action: 'keep' })
    expect(plan.warnings).toContainEqual(
      `Access key ${OLD}, replaced by a rotation at ${m.replacedAt.toISOString()}, was used at ${at.toISOString()} (unknown service, unknown region), after its grace ended at ${m.retireAfter.toISOString()}: something still holds the old pair.`
    )
  })

  test('a key waiting out its grace: nothing to warn about', () => {
    const plan = planWith({}, { retireMarker: marker(2) })
    expect(plan.oldKeyGrace).toMatchObject({ keyId: OLD, action: 'wait' })
    expect(plan.warnings).toEqual([])
  })

  test('a rotation that needs the slot of a key in its grace: deleted first, and the cut-short grace said', () => {
    const m = marker(2)
    const plan = planWith({ rotate: 'true' }, { retireMarker: m })
    expect(plan.oldKeyGrace).toMatchObject({ keyId: OLD, action: 'first', pastGrace: false })
    const about = plan.warnings.filter(w => w.startsWith(`Access key ${OLD}`))
    expect(about).toContainEqual(
      `Access key ${OLD}, replaced by a rotation at ${m.replacedAt.toISOString()}, is deleted before its grace ends (${m.retireAfter.toISOString()}) to make room for the new key: a job that read it before that rotation may fail.`
    )
    expect(about).toContainEqual(
      expect.stringMatching(new RegExp(`^Access key ${OLD} will be deleted first: .+\\.$`))
    )
    expect(about).toHaveLength(2)
  })

  test('a key past its grace but still used, deleted first for a rotation: said once, with why', () => {
    const m = marker(10)
    const at = new Date(m.retireAfter.getTime() + 2 * HOUR_MS)
    const plan = planWith(
      { rotate: 'true' },
      { retireMarker: m, retireKeyLastUsed: { at, service: 's3', region: 'eu-west-1' } }
    )
    expect(plan.oldKeyGrace).toMatchObject({ action: 'first', pastGrace: true })
    const about = plan.warnings.filter(w => w.startsWith(`Access key ${OLD},`))
    expect(about).toEqual([
      `Access key ${OLD}, replaced by a rotation at ${m.replacedAt.toISOString()}, was used at ${at.toISOString()} (s3, eu-west-1), after its grace ended at ${m.retireAfter.toISOString()}: something still holds the old pair. It is deleted to make room for the new key.`
    ])
  })

  test('a marker naming the key the destinations hold is warned about and removed as stale', () => {
    const plan = planWith({}, { retireMarker: marker(7, 6, CURRENT) })
    expect(plan.oldKeyGrace).toBeUndefined()
    expect(plan.staleMarkers).toEqual([RETIRE_TAG])
    expect(plan.warnings.join('\n')).toContain(`The tag ${RETIRE_TAG} names ${CURRENT}`)
  })

  test('old-key-grace-hours reaches the rotation; 0 or old-key keep retire at once', () => {
    const one = { user: observedUser({ keys: [active(CURRENT, 1)] }) }
    const rotate = (inputs: Inputs) => planWith({ rotate: 'true', ...inputs }, one).key
    expect(rotate({})).toMatchObject({ replaces: { keyId: CURRENT, graceHours: 6 } })
    expect(rotate({ 'old-key-grace-hours': '2' })).toMatchObject({ replaces: { graceHours: 2 } })
    const atOnce: Inputs[] = [{ 'old-key-grace-hours': '0' }, { 'old-key': 'keep' }]
    for (const inputs of atOnce)
      expect(rotate(inputs)).toMatchObject({
        replaces: expect.not.objectContaining({
          graceHours: expect.anything() as unknown
        }) as unknown
      })
  })
})
