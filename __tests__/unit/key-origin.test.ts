// Issue 17 (audit trail): each key the action makes records on its user the run that made it
// (tag s3-credentials-action:key:<key id>); the tag is data, parsed defensively.
import {
  formatKeyOrigin,
  KEY_ORIGIN_TAG_PREFIX,
  keyOrigins,
  staleKeyOriginTags
} from '../../src/plan/markers.js'
import { buildPlan } from '../../src/plan/plan.js'
import { planLines } from '../../src/render/describe.js'
import { configFrom } from '../../__fixtures__/config.js'
import {
  accessKey,
  KEY_A,
  KEY_B,
  NOW,
  observedUser,
  OWNERSHIP,
  steadyObserved
} from '../../__fixtures__/observed.js'

const CREATED = new Date('2025-06-01T08:30:00.000Z')

describe('the origin tag (markers.ts)', () => {
  test('a workflow run: repository, run id, attempt, time; IAM limits hold', () => {
    const tag = formatKeyOrigin(KEY_A, {
      runId: 'run-123456789-2',
      repository: 'octo-org/app',
      createdAt: CREATED
    })
    expect(tag).toEqual({
      key: `s3-credentials-action:key:${KEY_A}`,
      value: `octo-org/app 123456789 2 ${CREATED.toISOString()}`
    })
    expect(tag.key.length).toBeLessThanOrEqual(128)
    expect(tag.value).toMatch(/^[\w +\-=.:/@]{1,256}$/)
    expect(keyOrigins([tag])).toEqual({
      [KEY_A]: { repository: 'octo-org/app', runId: '123456789', attempt: '2', createdAt: CREATED }
    })
  })

  test('outside a workflow: only the time', () => {
    const tag = formatKeyOrigin(KEY_A, { runId: 'local-4242', createdAt: CREATED })
    expect(tag.value).toBe(`- - - ${CREATED.toISOString()}`)
    expect(keyOrigins([tag])).toEqual({ [KEY_A]: { createdAt: CREATED } })
  })

  test.each([
    [
      'a key id that is not one',
      `${KEY_ORIGIN_TAG_PREFIX}not-a-key`,
      `octo-org/app 1 1 ${CREATED.toISOString()}`
    ],
    ['no time', `${KEY_ORIGIN_TAG_PREFIX}${KEY_A}`, 'octo-org/app 1 1'],
    ['a time not in ISO form', `${KEY_ORIGIN_TAG_PREFIX}${KEY_A}`, 'octo-org/app 1 1 yesterday'],
    [
      'a run id that is not a number',
      `${KEY_ORIGIN_TAG_PREFIX}${KEY_A}`,
      `octo-org/app abc 1 ${CREATED.toISOString()}`
    ],
    [
      'a repository that is not one',
      `${KEY_ORIGIN_TAG_PREFIX}${KEY_A}`,
      `octo org 1 1 ${CREATED.toISOString()}`
    ],
    [
      'a field too many',
      `${KEY_ORIGIN_TAG_PREFIX}${KEY_A}`,
      `octo-org/app 1 1 ${CREATED.toISOString()} x`
    ]
  ])('%s counts as absent', (_case, key, value) => {
    expect(keyOrigins([{ key, value }])).toEqual({})
  })

  test('the tag key is compared without case; other tags are not origins', () => {
    const tag = formatKeyOrigin(KEY_A, { runId: 'run-1-1', createdAt: CREATED })
    const tags = [
      { key: tag.key.replace('s3-credentials-action', 'S3-Credentials-Action'), value: tag.value },
      OWNERSHIP
    ]
    expect(Object.keys(keyOrigins(tags))).toEqual([KEY_A])
  })

  test('an origin tag whose key is gone is stale', () => {
    const tags = [
      formatKeyOrigin(KEY_A, { runId: 'run-1-1', createdAt: CREATED }),
      formatKeyOrigin(KEY_B, { runId: 'run-2-1', createdAt: CREATED }),
      OWNERSHIP
    ]
    expect(staleKeyOriginTags(tags, [KEY_A])).toEqual([`${KEY_ORIGIN_TAG_PREFIX}${KEY_B}`])
  })
})

describe('the plan names the run that made the key in use', () => {
  const config = configFrom({}, { GITHUB_REPOSITORY: 'octo-org/app' })
  const observedWith = (tags: { key: string; value: string }[]) =>
    steadyObserved(config, {
      user: observedUser({
        keys: [accessKey(KEY_A, 'Active', CREATED)],
        tags: [OWNERSHIP, ...tags]
      })
    })

  test('with its origin tag: the plan line links the run', () => {
    const origin = formatKeyOrigin(KEY_A, {
      runId: 'run-77-3',
      repository: 'octo-org/app',
      createdAt: CREATED
    })
    const plan = buildPlan(config, observedWith([origin]), NOW)
    expect(plan.keyInUse).toEqual({
      keyId: KEY_A,
      createdAt: CREATED,
      origin: { repository: 'octo-org/app', runId: '77', attempt: '3', createdAt: CREATED }
    })
    expect(planLines(plan, config)).toContain(
      `Access key ${KEY_A} was made by run 77 (attempt 3) of octo-org/app at ${CREATED.toISOString()}, https://github.com/octo-org/app/actions/runs/77/attempts/3.`
    )
    expect(plan.staleMarkers).toEqual([])
  })

  test('the key in use is the one the plan keeps, not the first key of the user', () => {
    const later = new Date('2025-07-01T08:30:00.000Z')
    const observed = steadyObserved(config, {
      user: observedUser({
        keys: [accessKey(KEY_A, 'Inactive', CREATED), accessKey(KEY_B, 'Active', later)],
        tags: [OWNERSHIP]
      })
    })
    const plan = buildPlan(config, observed, NOW)
    expect(plan.key).toMatchObject({ action: 'reuse', keyId: KEY_B })
    expect(plan.keyInUse).toEqual({ keyId: KEY_B, createdAt: later })
  })

  test('without one: the key and its time, no run named; a stale origin tag is removed', () => {
    const gone = formatKeyOrigin(KEY_B, { runId: 'run-1-1', createdAt: CREATED })
    const plan = buildPlan(config, observedWith([gone]), NOW)
    expect(plan.keyInUse).toEqual({ keyId: KEY_A, createdAt: CREATED })
    expect(planLines(plan, config).join('\n')).not.toContain('was made by')
    expect(plan.staleMarkers).toEqual([gone.key])
  })
})
