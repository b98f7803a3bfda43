// Unit tests of buildRemovalPlan (src/plan/removal.ts) over typed Observed fixtures.
import type { Config } from '../../src/inputs/config.js'
import { ActionError, type ErrorCode } from '../../src/errors.js'
import { buildRemovalPlan, removesSomething, type RemovalPlan } from '../../src/plan/removal.js'
import { INLINE_POLICY_NAME } from '../../src/plan/policy.js'
import type { Observed, ObservedBucket, ObservedUser } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  ACCOUNT_ID,
  accessKey,
  BUCKET,
  FOREIGN_BUCKET,
  freshObserved,
  hardenedBucket,
  KEY_A,
  KEY_B,
  NOW,
  observedDestination,
  observedUser,
  OWNERSHIP,
  ownedBucket,
  steadyObserved,
  USER_NAME
} from '../../__fixtures__/observed.js'

const REMOVE: Inputs = { remove: 'true' }
const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonS3FullAccess'

function removal(inputs: Inputs, observe: (config: Config) => Observed): RemovalPlan {
  const config = configFrom({ ...REMOVE, ...inputs })
  return buildRemovalPlan(config, observe(config), NOW)
}

function expectCode(run: () => unknown, code: ErrorCode): ActionError {
  try {
    run()
  } catch (e) {
    expect(e).toBeInstanceOf(ActionError)
    expect((e as ActionError).code).toBe(code)
    return e as ActionError
  }
  throw new Error(`expected ${code}`)
}

const emptyOwnedBucket = (): ObservedBucket => ({ ...(ownedBucket() as OwnedBucket), empty: true })
type OwnedBucket = Extract<ObservedBucket, { state: 'owned' }>

describe('what a removal takes down', () => {
  test('after a setup: every secret the action wrote, the keys, the grants and the user', () => {
    const p = removal({}, c =>
      steadyObserved(c, {
        user: observedUser({
          keys: [accessKey(KEY_A), accessKey(KEY_B, 'Inactive')],
          managedPolicyArns: [FULL_ACCESS]
        })
      })
    )
    expect(p.kind).toBe('removal')
    expect(p.userName).toBe(USER_NAME)
    expect(p.destinations).toEqual([
      {
        destination: { kind: 'repository', owner: 'octo-org', repo: 'app' },
        secrets: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME'],
        variables: []
      }
    ])
    expect(p.user).toEqual({
      keys: [KEY_A, KEY_B],
      inlinePolicies: [INLINE_POLICY_NAME],
      managedPolicies: [FULL_ACCESS]
    })
    expect(removesSomething(p)).toBe(true)
  })

  test('only the names the action writes (secret-prefix), and only where they exist', () => {
    const p = removal({ 'secret-prefix': 'prod_' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({
            destination: c.destinations[0]!,
            secretNames: ['PROD_AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID', 'PROD_AWS_REGION', 'OTHER']
          })
        ]
      })
    )
    expect(p.destinations[0]!.secrets).toEqual(['PROD_AWS_ACCESS_KEY_ID', 'PROD_AWS_REGION'])
  })

  test('region-and-bucket-as variables: the key secrets and the two variables', () => {
    const p = removal({ 'region-and-bucket-as': 'variables' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({
            destination: c.destinations[0]!,
            secretNames: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'],
            variables: { AWS_REGION: 'us-east-1', AWS_BUCKET_NAME: BUCKET, OTHER: 'x' }
          })
        ]
      })
    )
    expect(p.destinations[0]).toMatchObject({
      secrets: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      variables: ['AWS_REGION', 'AWS_BUCKET_NAME']
    })
  })

  test('every destination the inputs name: repositories with an environment, an organization', () => {
    const p = removal(
      { organization: 'octo-org', repositories: 'octo-org/a\nocto-org/b', environment: 'prod' },
      c => steadyObserved(c)
    )
    expect(p.destinations.map(d => d.destination)).toEqual([
      {
        kind: 'organization',
        org: 'octo-org',
        visibility: 'selected',
        selectedRepositories: ['app']
      },
      { kind: 'repository', owner: 'octo-org', repo: 'a', environment: 'prod' },
      { kind: 'repository', owner: 'octo-org', repo: 'b', environment: 'prod' }
    ])
    expect(p.destinations.every(d => d.secrets.length === 4)).toBe(true)
  })

  test('a second run with nothing left removes nothing', () => {
    const p = removal({ 'remove-bucket': 'true' }, c => freshObserved(c))
    expect(p.user).toBeUndefined()
    expect(p.bucket).toEqual({ action: 'absent' })
    expect(p.destinations[0]!.secrets).toEqual([])
    expect(removesSomething(p)).toBe(false)
  })

  test('secrets left after the user is gone (a run stopped midway) are still removed', () => {
    const p = removal({}, c => steadyObserved(c, { user: undefined }))
    expect(p.user).toBeUndefined()
    expect(p.destinations[0]!.secrets).toHaveLength(4)
    expect(removesSomething(p)).toBe(true)
  })
})

describe('the bucket', () => {
  test('is kept unless remove-bucket is given', () => {
    const p = removal({}, c => steadyObserved(c, { bucket: emptyOwnedBucket() }))
    expect(p.bucket).toEqual({ action: 'keep', why: 'not-asked' })
  })

  test("is deleted with remove-bucket when it is the action's for this repository and empty", () => {
    const p = removal({ 'remove-bucket': 'true' }, c =>
      steadyObserved(c, { bucket: emptyOwnedBucket() })
    )
    expect(p.bucket).toEqual({ action: 'delete' })
    expect(removesSomething({ ...p, user: undefined, destinations: [] })).toBe(true)
  })

  test.each([
    [
      'holds objects (or versions, or delete markers)',
      { ...(ownedBucket() as OwnedBucket), empty: false },
      'not-empty'
    ],
    ['emptiness not read', ownedBucket(), 'not-empty'],
    [
      'has no ownership tag',
      { ...(ownedBucket('us-east-1', []) as OwnedBucket), empty: true },
      'not-ours'
    ],
    [
      "is another repository's",
      {
        ...(ownedBucket('us-east-1', [{ ...OWNERSHIP, value: 'octo-org/other' }]) as OwnedBucket),
        empty: true
      },
      'not-ours'
    ],
    ['belongs to another account', FOREIGN_BUCKET, 'foreign'],
    [
      'is in another region',
      { ...(ownedBucket('eu-west-1', [OWNERSHIP], hardenedBucket()) as OwnedBucket), empty: true },
      'other-region'
    ]
  ] as [string, ObservedBucket, string][])(
    'is kept, with remove-bucket, when it %s',
    (_, bucket, why) => {
      const p = removal({ 'remove-bucket': 'true' }, c => steadyObserved(c, { bucket }))
      expect(p.bucket).toMatchObject({ action: 'keep', why })
    }
  )

  test('the ownership tag is compared without case, as the user tag is', () => {
    const tags = [{ ...OWNERSHIP, value: 'Octo-Org/App' }]
    const p = removal({ 'remove-bucket': 'true' }, c =>
      steadyObserved(c, {
        bucket: { ...(ownedBucket('us-east-1', tags) as OwnedBucket), empty: true }
      })
    )
    expect(p.bucket).toEqual({ action: 'delete' })
  })
})

describe("containment: nothing is removed from a user that is not the action's", () => {
  test.each([
    ['no ownership tag', { tags: [] }, 'USER_NOT_MANAGED'],
    [
      'another repository',
      { tags: [{ ...OWNERSHIP, value: 'octo-org/other' }] },
      'USER_NOT_MANAGED'
    ],
    ['in a group', { groups: ['admins'] }, 'USER_IN_GROUP'],
    ['another path', { path: '/elsewhere/' }, 'USER_PATH_MISMATCH']
  ] as [string, Partial<ObservedUser>, ErrorCode][])(
    '%s: refused before any change, secrets included',
    (_, user, code) => {
      const e = expectCode(
        () =>
          removal({ 'remove-bucket': 'true' }, c =>
            steadyObserved(c, { user: observedUser(user), bucket: emptyOwnedBucket() })
          ),
        code
      )
      expect(e.message).toContain('nothing was changed')
    }
  )

  test('another run holding the rotation marker refuses the removal', () => {
    expectCode(
      () =>
        removal({}, c =>
          steadyObserved(c, {
            rotationLock: {
              runId: 'run-7-1',
              repository: 'octo-org/app',
              expiresAt: new Date(NOW.getTime() + 60_000)
            },
            rotationLockRun: { state: 'running' }
          })
        ),
      'ROTATION_IN_PROGRESS'
    )
  })

  test('the user ARN names the account and path even when the user is gone', () => {
    const p = removal({}, c => freshObserved(c))
    expect(p.userArn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER_NAME}`)
  })
})
