// Issue 15: a rotation marker that ends with its run. The marker names the repository and run that
// set it; GitHub's answer about that run (observed) decides whether it still holds the user.
import { buildPlan } from '../../src/plan/plan.js'
import {
  formatRotationLock,
  lockRunUrl,
  rotationLock,
  workflowRunNumber,
  ROTATION_LOCK_TAG,
  MAX_ROTATION_LOCK_MS,
  type RotationLock
} from '../../src/plan/markers.js'
import type { LockRunState } from '../../src/plan/observed.js'
import { configFrom } from '../../__fixtures__/config.js'
import { NOW, steadyObserved } from '../../__fixtures__/observed.js'

const LOCK: RotationLock = {
  runId: 'run-555-1',
  expiresAt: new Date(NOW.getTime() + 60_000),
  repository: 'octo-org/deploy'
}

function planWith(run: LockRunState | undefined, lock: RotationLock = LOCK) {
  const config = configFrom({ rotate: 'true' }, { GITHUB_SERVER_URL: 'https://ghe.example.com' })
  const observed = steadyObserved(config, {
    rotationLock: lock,
    ...(run ? { rotationLockRun: run } : {})
  })
  return () => buildPlan(config, observed, NOW, 'run-777-1')
}

describe('the rotation marker names its run', () => {
  test('formatted and parsed back, repository included', () => {
    const tag = formatRotationLock(LOCK)
    expect(tag).toEqual({
      key: ROTATION_LOCK_TAG,
      value: `run-555-1 ${LOCK.expiresAt.toISOString()} octo-org/deploy`
    })
    expect(rotationLock([tag])).toEqual(LOCK)
  })

  test('an older marker without a repository still parses; a malformed repository is dropped', () => {
    const expires = LOCK.expiresAt.toISOString()
    expect(rotationLock([{ key: ROTATION_LOCK_TAG, value: `run-1-1 ${expires}` }])).toEqual({
      runId: 'run-1-1',
      expiresAt: LOCK.expiresAt
    })
    for (const bad of ['../x', 'a/b/c', 'noslash', '-x/y'])
      expect(
        rotationLock([{ key: ROTATION_LOCK_TAG, value: `run-1-1 ${expires} ${bad}` }])
      ).toEqual({ runId: 'run-1-1', expiresAt: LOCK.expiresAt })
  })

  test.each([
    ['run-555-1', 555],
    ['run-12345678901-3', 12345678901],
    ['run-x-1', undefined],
    ['local-99', undefined],
    ['run-1', undefined],
    ['xrun-1-1', undefined]
  ])('workflowRunNumber(%j) = %j', (id, n) => expect(workflowRunNumber(id)).toBe(n))

  test('the run page, on the server the action runs against', () => {
    expect(lockRunUrl('https://ghe.example.com/', LOCK)).toBe(
      'https://ghe.example.com/octo-org/deploy/actions/runs/555'
    )
    expect(lockRunUrl('https://github.com', { ...LOCK, runId: 'local-1' })).toBeUndefined()
    expect(
      lockRunUrl('https://github.com', { runId: LOCK.runId, expiresAt: LOCK.expiresAt })
    ).toBeUndefined()
  })
})

describe('another run holds the marker', () => {
  test('a run that has ended holds nothing: taken over, with a warning linking it', () => {
    const p = planWith({ state: 'completed' })()
    expect(p.key.action).toBe('create')
    expect(p.warnings).toContain(
      `The tag ${ROTATION_LOCK_TAG} was set by run run-555-1, https://ghe.example.com/octo-org/deploy/actions/runs/555, which has ended: this run takes the rotation over.`
    )
  })

  test('a run still going: ROTATION_IN_PROGRESS linking the run', () => {
    expect(planWith({ state: 'running' })).toThrow(
      expect.objectContaining({
        code: 'ROTATION_IN_PROGRESS',
        message: expect.stringContaining(
          'Another run (run-555-1, https://ghe.example.com/octo-org/deploy/actions/runs/555)'
        ),
        remedy: expect.stringContaining('let that run finish')
      })
    )
  })

  test('GitHub would not say: the capped expiry decides, and the remedy names "Actions: read"', () => {
    const why =
      'the token cannot read that run (GitHub answered 403; it needs "Actions: read" on octo-org/deploy)'
    expect(planWith({ state: 'unknown', why })).toThrow(
      expect.objectContaining({
        code: 'ROTATION_IN_PROGRESS',
        remedy: expect.stringMatching(/Actions: read.*give the token "Actions: read"/)
      })
    )
  })
})

// plan.ts's surviving mutants of 2026-12-04 (docs/mutation.md): when a marker is stale, at its
// bounds, on a run that changes nothing (the marker is cleared then, not taken).
describe('a stale rotation marker is cleared by a run that makes no key', () => {
  const staleOn = (lock: RotationLock, runId?: string) => {
    const config = configFrom({})
    return buildPlan(config, steadyObserved(config, { rotationLock: lock }), NOW, runId)
      .staleMarkers
  }
  test('expiring now: stale; expiring later: not', () => {
    expect(staleOn({ ...LOCK, expiresAt: NOW })).toEqual([ROTATION_LOCK_TAG])
    expect(staleOn(LOCK)).toEqual([])
  })

  test('expiring exactly at the longest hold from now: kept; a millisecond later: stale', () => {
    const at = (ms: number) => new Date(NOW.getTime() + MAX_ROTATION_LOCK_MS + ms)
    expect(staleOn({ ...LOCK, expiresAt: at(0) })).toEqual([])
    expect(staleOn({ ...LOCK, expiresAt: at(1) })).toEqual([ROTATION_LOCK_TAG])
  })

  test('left by an earlier attempt of this workflow run: stale; by another run: not', () => {
    expect(staleOn(LOCK, 'run-555-2')).toEqual([ROTATION_LOCK_TAG])
    expect(staleOn(LOCK, 'run-556-2')).toEqual([])
  })
})
