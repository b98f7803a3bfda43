// Unit tests of buildPlan (src/plan/plan.ts) written against its surviving mutants: each pins a
// decision the other plan tests left open.
import type { Config } from '../../src/inputs/config.js'
import { buildPlan, type Plan } from '../../src/plan/plan.js'
import { bucketAccessPolicy, INLINE_POLICY_NAME } from '../../src/plan/policy.js'
import type { Observed } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  accessKey,
  BUCKET,
  freshObserved,
  KEY_A,
  KEY_B,
  NOW,
  observedDestination,
  observedUser,
  ownedBucket,
  steadyObserved,
  OWNERSHIP,
  USER_PATH
} from '../../__fixtures__/observed.js'

const READ_WRITE = bucketAccessPolicy('aws', BUCKET, 'read-write')
const ALL_FOUR = ['accessKeyId', 'secretAccessKey', 'region', 'bucket']

function plan(inputs: Inputs, observe: (config: Config) => Observed): Plan {
  const config = configFrom(inputs)
  return buildPlan(config, observe(config), NOW)
}

describe('a destination holds the key only with both halves of the pair', () => {
  test.each([
    ['only AWS_ACCESS_KEY_ID', ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_BUCKET_NAME']],
    ['only AWS_SECRET_ACCESS_KEY', ['AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME']]
  ])('%s: a new key for it', (_what, secretNames) => {
    const p = plan({}, c =>
      steadyObserved(c, { destinations: [observedDestination({ secretNames })] })
    )
    expect(p.key).toMatchObject({
      action: 'create',
      reason: 'the destinations do not hold a key yet'
    })
    expect(p.writes[0]!.secrets).toEqual(ALL_FOUR)
  })

  test('one destination with half a pair, one with the pair: some hold it', () => {
    const p = plan({ repositories: 'a/x\nb/y' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({ destination: c.destinations[0]! }),
          observedDestination({
            destination: c.destinations[1]!,
            secretNames: ['AWS_ACCESS_KEY_ID']
          })
        ]
      })
    )
    expect(p.key).toMatchObject({
      action: 'create',
      reason: 'some destinations do not hold the key yet',
      replaces: { keyId: KEY_A }
    })
  })
})

describe('current-access-key-id reaches the key decision', () => {
  const twoKeys = (c: Config) =>
    steadyObserved(c, { user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B)] }) })

  test('with two active keys, the named one is the key the destinations hold', () => {
    const p = plan({ 'current-access-key-id': KEY_B }, twoKeys)
    expect(p.key).toEqual({
      action: 'reuse',
      keyId: KEY_B,
      reason: 'the destinations hold an active key of the user'
    })
  })

  test('a named key that is not active: a new key', () => {
    const p = plan({ 'current-access-key-id': 'AKIAZZZZZZZZZZZZZZZZ' }, c => steadyObserved(c))
    expect(p.key).toMatchObject({
      action: 'create',
      reason: 'the stored key AKIAZZZZZZZZZZZZZZZZ is not an active key of the user'
    })
  })
})

describe('grants: every inline policy but ours is removed', () => {
  const withInline = (inlinePolicies: Record<string, unknown>) => (c: Config) =>
    steadyObserved(c, { user: observedUser({ inlinePolicies }) })

  test('bucket-read-write keeps ours and deletes the others', () => {
    const p = plan(
      {},
      withInline({ [INLINE_POLICY_NAME]: READ_WRITE, 'left-over': {}, another: { x: 1 } })
    )
    expect(p.grants).toStrictEqual({
      deleteInline: ['left-over', 'another'],
      attach: [],
      detach: []
    })
  })

  test('a switch to a managed policy deletes ours and the others', () => {
    const p = plan(
      { policy: 'arn:aws:iam::123456789012:policy/Mine' },
      withInline({ [INLINE_POLICY_NAME]: READ_WRITE, 'left-over': {} })
    )
    expect(p.grants).toStrictEqual({
      deleteInline: [INLINE_POLICY_NAME, 'left-over'],
      attach: ['arn:aws:iam::123456789012:policy/Mine'],
      detach: []
    })
  })

  test('ours with another document is put again', () => {
    const p = plan({ policy: 'bucket-read-only' }, withInline({ [INLINE_POLICY_NAME]: READ_WRITE }))
    expect(p.grants).toStrictEqual({
      putInline: {
        name: INLINE_POLICY_NAME,
        document: bucketAccessPolicy('aws', BUCKET, 'read-only')
      },
      deleteInline: [],
      attach: [],
      detach: []
    })
  })

  test('an attached policy the choice includes stays, others are detached', () => {
    const FULL = 'arn:aws:iam::aws:policy/AmazonS3FullAccess'
    const OTHER = 'arn:aws:iam::123456789012:policy/Other'
    const p = plan({ policy: 's3-full-access' }, c =>
      steadyObserved(c, {
        user: observedUser({ inlinePolicies: {}, managedPolicyArns: [OTHER, FULL] })
      })
    )
    expect(p.grants).toStrictEqual({ deleteInline: [], attach: [], detach: [OTHER] })
  })
})

describe('organization secrets shared with the selected repositories', () => {
  const ORG = {
    organization: 'octo-org',
    visibility: 'selected',
    'selected-repositories': 'web,api'
  }
  const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME']
  const observedOrg =
    (held: Record<string, { visibility: string; repositoryIds?: number[] }>, wanted: number[]) =>
    (config: Config) =>
      steadyObserved(config, {
        destinations: config.destinations.map(destination =>
          observedDestination({ destination, secretAccess: held, wantedRepositoryIds: wanted })
        )
      })
  const sharedWith = (ids?: number[]) =>
    Object.fromEntries(
      NAMES.map(n => [n, { visibility: 'selected', ...(ids ? { repositoryIds: ids } : {}) }])
    )
  const accessOf = (p: Plan) => p.writes.map(w => w.access)

  test('shared with an extra repository: access is changed', () => {
    expect(accessOf(plan(ORG, observedOrg(sharedWith([1, 2, 3]), [2, 1])))).toEqual([ALL_FOUR])
  })

  test('shared with fewer repositories: access is changed', () => {
    expect(accessOf(plan(ORG, observedOrg(sharedWith([2]), [1, 2])))).toEqual([ALL_FOUR])
    expect(accessOf(plan(ORG, observedOrg(sharedWith(), [1, 2])))).toEqual([ALL_FOUR])
  })

  test('the same repositories listed in another order: nothing to change', () => {
    expect(accessOf(plan(ORG, observedOrg(sharedWith([30, 4, 200]), [200, 30, 4])))).toEqual([[]])
    expect(accessOf(plan(ORG, observedOrg(sharedWith([]), [])))).toEqual([[]])
  })

  test('repositories that differ only by position after sorting numerically', () => {
    // 10 < 9 as text: a text sort would pair them up wrongly.
    expect(accessOf(plan(ORG, observedOrg(sharedWith([10, 9]), [9, 10])))).toEqual([[]])
    expect(accessOf(plan(ORG, observedOrg(sharedWith([10, 9]), [9, 11])))).toEqual([ALL_FOUR])
  })

  test('only the secrets whose sharing differs change', () => {
    const held = {
      ...sharedWith([1, 2]),
      AWS_REGION: { visibility: 'selected', repositoryIds: [1] }
    }
    expect(accessOf(plan(ORG, observedOrg(held, [1, 2])))).toEqual([['region']])
  })

  test('a secret without an observed access entry is left alone', () => {
    const held: Record<string, { visibility: string; repositoryIds?: number[] }> = sharedWith([1])
    delete held.AWS_BUCKET_NAME
    expect(accessOf(plan(ORG, observedOrg(held, [1, 2])))).toEqual([
      ['accessKeyId', 'secretAccessKey', 'region']
    ])
  })

  test('repository destinations never change access', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({ secretAccess: sharedWith([1]), wantedRepositoryIds: [2] })
        ]
      })
    )
    expect(accessOf(p)).toEqual([[]])
  })

  test('visibility all or private: repository ids are not compared', () => {
    const held = Object.fromEntries(NAMES.map(n => [n, { visibility: 'all', repositoryIds: [1] }]))
    expect(
      accessOf(
        plan({ ...ORG, visibility: 'all', 'selected-repositories': '' }, observedOrg(held, [2]))
      )
    ).toEqual([[]])
  })
})

describe('region and bucket secrets', () => {
  test('a fresh start rewrites region and bucket secrets that exist already', () => {
    const p = plan({}, c =>
      freshObserved(c, {
        destinations: c.destinations.map(destination =>
          observedDestination({ destination, secretNames: ['AWS_REGION', 'AWS_BUCKET_NAME'] })
        )
      })
    )
    expect(p.writes[0]!.secrets).toEqual(ALL_FOUR)
  })

  test('an existing user whose key no destination holds: a fresh start too', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        destinations: [observedDestination({ secretNames: ['AWS_REGION', 'AWS_BUCKET_NAME'] })]
      })
    )
    expect(p.key).toMatchObject({ action: 'create' })
    expect(p.writes[0]!.secrets).toEqual(ALL_FOUR)
  })

  test('a rotation leaves existing region and bucket secrets as they are', () => {
    const p = plan({ rotate: 'true' }, c => steadyObserved(c))
    expect(p.key).toMatchObject({ action: 'create', replaces: { keyId: KEY_A } })
    expect(p.writes[0]!.secrets).toEqual(['accessKeyId', 'secretAccessKey'])
  })

  test('as variables: only a changed or missing value is written', () => {
    const p = plan({ 'region-and-bucket-as': 'variables' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({ variables: { AWS_REGION: 'eu-west-1', AWS_BUCKET_NAME: BUCKET } })
        ]
      })
    )
    expect(p.writes[0]!.variables).toEqual([{ field: 'region', exists: true }])
    expect(p.writes[0]!.secrets).toEqual([])
  })
})

describe('tags', () => {
  test('a tag whose value matches under another key is missing', () => {
    const p = plan({ tags: 'team=storage' }, c =>
      steadyObserved(c, {
        user: observedUser({ tags: [OWNERSHIP, { key: 'owner', value: 'storage' }] }),
        bucket: ownedBucket(c.region, [{ key: 'owner', value: 'storage' }])
      })
    )
    expect(p.user).toStrictEqual({
      action: 'reuse',
      tagsToAdd: [{ key: 'team', value: 'storage' }]
    })
    expect(p.bucket).toStrictEqual({
      action: 'reuse',
      tagsToSet: [
        { key: 'owner', value: 'storage' },
        { key: 'team', value: 'storage' }
      ]
    })
  })

  test('a tag whose key matches with another value is missing, and replaced on the bucket', () => {
    const p = plan({ tags: 'team=storage' }, c =>
      steadyObserved(c, {
        user: observedUser({ tags: [OWNERSHIP, { key: 'team', value: 'web' }] }),
        bucket: ownedBucket(c.region, [
          { key: 'team', value: 'web' },
          { key: 'cost', value: '1' }
        ])
      })
    )
    expect(p.user).toStrictEqual({
      action: 'reuse',
      tagsToAdd: [{ key: 'team', value: 'storage' }]
    })
    expect(p.bucket).toStrictEqual({
      action: 'reuse',
      tagsToSet: [
        { key: 'cost', value: '1' },
        { key: 'team', value: 'storage' }
      ]
    })
  })

  test('tags present with key and value: nothing to add', () => {
    const tags = [{ key: 'team', value: 'storage' }]
    const p = plan({ tags: 'team=storage' }, c =>
      steadyObserved(c, {
        user: observedUser({ tags: [OWNERSHIP, ...tags] }),
        bucket: ownedBucket(c.region, tags)
      })
    )
    expect(p.user).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
    expect(p.bucket).toStrictEqual({ action: 'reuse' })
  })
})

describe('refusals and warnings: the exact text', () => {
  function thrown(run: () => unknown): { code: string; message: string; remedy: string } {
    try {
      run()
    } catch (e) {
      const { code, message, remedy } = e as { code: string; message: string; remedy: string }
      return { code, message, remedy }
    }
    throw new Error('did not throw')
  }

  test('BUCKET_FOREIGN', () => {
    expect(thrown(() => plan({}, c => freshObserved(c, { bucket: { state: 'foreign' } })))).toEqual(
      {
        code: 'BUCKET_FOREIGN',
        message: `Bucket '${BUCKET}' exists but belongs to another AWS account (or this role may not see it); nothing was changed.`,
        remedy: 'choose another bucket-name (bucket names are global across all AWS accounts).'
      }
    )
  })

  test('BUCKET_REGION_MISMATCH', () => {
    expect(
      thrown(() =>
        plan({ 'aws-region': 'eu-west-1' }, c =>
          steadyObserved(c, { bucket: ownedBucket('us-east-2') })
        )
      )
    ).toEqual({
      code: 'BUCKET_REGION_MISMATCH',
      message: `Bucket '${BUCKET}' is in us-east-2, not in aws-region eu-west-1; nothing was changed.`,
      remedy: 'set aws-region: us-east-2, or choose another bucket-name.'
    })
  })

  test('an absent bucket is never in the wrong region', () => {
    const p = plan({ 'aws-region': 'eu-west-1' }, c =>
      steadyObserved(c, { bucket: { state: 'absent' } })
    )
    expect(p.bucket).toStrictEqual({ action: 'create', tags: [OWNERSHIP] })
  })

  test('USER_PATH_MISMATCH', () => {
    expect(thrown(() => plan({ 'user-path': '/ci/' }, c => steadyObserved(c)))).toEqual({
      code: 'USER_PATH_MISMATCH',
      message:
        "IAM user 'octo-org+app' exists with path /s3-credentials-action/, not user-path /ci/; nothing was changed.",
      remedy: 'set user-path: /s3-credentials-action/, or choose another user-name.'
    })
  })

  test('ROTATION_IN_PROGRESS', () => {
    const expiresAt = new Date(NOW.getTime() + 60_000)
    expect(
      thrown(() =>
        plan({ rotate: 'true' }, c =>
          steadyObserved(c, { rotationLock: { runId: 'run-9-1', expiresAt } })
        )
      )
    ).toEqual({
      code: 'ROTATION_IN_PROGRESS',
      message: `Another run (run-9-1) is changing the keys of this user until ${expiresAt.toISOString()}; nothing was changed.`,
      remedy:
        'let that run finish and run again (the README workflow uses a concurrency group so runs queue instead).'
    })
  })

  test('a lock at exactly the longest hold still blocks; one millisecond later it is stale', () => {
    const at = (ms: number) => (c: Config) =>
      steadyObserved(c, {
        rotationLock: { runId: 'run-9-1', expiresAt: new Date(NOW.getTime() + ms) }
      })
    expect(thrown(() => plan({ rotate: 'true' }, at(25 * 60_000))).code).toBe(
      'ROTATION_IN_PROGRESS'
    )
    const expiresAt = new Date(NOW.getTime() + 25 * 60_000 + 1)
    expect(plan({ rotate: 'true' }, at(25 * 60_000 + 1)).warnings).toEqual([
      `The tag s3-credentials-action:rotation on the user says a run holds it until ${expiresAt.toISOString()}, later than any run can (25 minutes): it is ignored as stale.`
    ])
  })

  test('a live lock does not stop a fresh start (no user yet)', () => {
    const p = plan({}, c =>
      freshObserved(c, {
        rotationLock: { runId: 'run-9-1', expiresAt: new Date(NOW.getTime() + 60_000) }
      })
    )
    expect(p.key).toMatchObject({ action: 'create', reason: 'the user is new' })
    expect(p.warnings).toEqual([])
  })

  test('a lock with this run as a later attempt is ignored without a warning', () => {
    const config = configFrom({ rotate: 'true' })
    const observed = steadyObserved(config, {
      rotationLock: { runId: 'run-7-1', expiresAt: new Date(NOW.getTime() + 60_000) }
    })
    const p = buildPlan(config, observed, NOW, 'run-7-2')
    expect(p.key.action).toBe('create')
    expect(p.warnings).toEqual([])
    expect(thrown(() => buildPlan(config, observed, NOW)).code).toBe('ROTATION_IN_PROGRESS')
  })

  test('a pending marker naming no key of the user: a warning naming the tag and the key', () => {
    const p = plan({}, c => steadyObserved(c, { pendingKeyIds: ['AKIAGONEGONEGONEGONE'] }))
    expect(p.key).toMatchObject({ action: 'reuse', keyId: KEY_A })
    expect(p.warnings).toEqual([
      "The tag s3-credentials-action:pending names AKIAGONEGONEGONEGONE, not a key of the user: it is not treated as an unfinished run's key. Remove the tag if no run of the action set it."
    ])
  })

  test('without a user, a pending marker warns of nothing', () => {
    const p = plan({}, c => freshObserved(c, { pendingKeyIds: ['AKIAGONEGONEGONEGONE'] }))
    expect(p.warnings).toEqual([])
  })

  test('keys deleted first are warned with their reason', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({ keys: [accessKey(KEY_A, 'Inactive'), accessKey(KEY_B, 'Inactive')] })
      })
    )
    expect(p.warnings).toEqual([
      `Access key ${KEY_A} will be deleted first: inactive (replaced by an earlier rotation).`,
      `Access key ${KEY_B} will be deleted first: inactive (replaced by an earlier rotation).`
    ])
  })
})

describe('the user and the bucket', () => {
  const BOUNDARY = 'arn:aws:iam::123456789012:policy/Boundary'

  test('an existing user gets a permissions boundary that differs', () => {
    const p = plan({ 'permissions-boundary': BOUNDARY }, c => steadyObserved(c))
    expect(p.user).toStrictEqual({
      action: 'reuse',
      tagsToAdd: [],
      setPermissionsBoundary: BOUNDARY
    })
  })

  test('the same boundary, or none asked for: nothing to set', () => {
    expect(
      plan({ 'permissions-boundary': BOUNDARY }, c =>
        steadyObserved(c, { user: observedUser({ permissionsBoundaryArn: BOUNDARY }) })
      ).user
    ).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
    expect(
      plan({ 'permissions-boundary': 'none' }, c =>
        steadyObserved(c, { user: observedUser({ permissionsBoundaryArn: BOUNDARY }) })
      ).user
    ).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
  })

  test('a new user without a boundary has none in its plan', () => {
    expect(plan({ 'permissions-boundary': 'none' }, c => freshObserved(c)).user).toStrictEqual({
      action: 'create',
      path: USER_PATH,
      tags: [OWNERSHIP]
    })
  })

  test('the user ARN is built from the partition, account, path and name', () => {
    const p = plan({ 'user-path': '/ci/' }, c =>
      freshObserved(c, { identity: { accountId: '210987654321', partition: 'aws-cn', arn: 'x' } })
    )
    expect(p.userArn).toBe('arn:aws-cn:iam::210987654321:user/ci/octo-org+app')
    expect(p.bucketArn).toBe(`arn:aws-cn:s3:::${BUCKET}`)
    expect(p.partition).toBe('aws-cn')
  })
})

describe('region and bucket as variables', () => {
  test('a missing variable is created, a right one left alone', () => {
    const p = plan({ 'region-and-bucket-as': 'variables' }, c =>
      steadyObserved(c, {
        destinations: [observedDestination({ variables: { AWS_REGION: 'us-east-1' } })]
      })
    )
    expect(p.writes[0]!.variables).toEqual([{ field: 'bucket', exists: false }])
  })

  type Held = Record<string, { visibility: string; repositoryIds?: number[] }>
  /** An organization destination with region and bucket as variables, its secrets held as `held`. */
  const orgPlan = (inputs: Inputs, held: Held, wantedRepositoryIds?: number[]) =>
    plan({ organization: 'octo-org', 'region-and-bucket-as': 'variables', ...inputs }, c =>
      steadyObserved(c, {
        destinations: c.destinations.map(destination =>
          observedDestination({
            destination,
            secretAccess: held,
            ...(wantedRepositoryIds ? { wantedRepositoryIds } : {}),
            variables: { AWS_REGION: 'us-east-1', AWS_BUCKET_NAME: BUCKET }
          })
        )
      })
    )

  test('organization access of the key secrets: another visibility makes a new key', () => {
    const held = Object.fromEntries(
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME'].map(n => [
        n,
        { visibility: 'all' }
      ])
    )
    const p = orgPlan({ visibility: 'private' }, held)
    expect(p.key.action).toBe('create')
    expect(p.writes[0]!.access).toEqual([])
    expect(p.writes[0]!.secrets).toEqual(['accessKeyId', 'secretAccessKey'])
    expect(p.writes[0]!.variables).toEqual([])
  })

  // plan.ts's surviving mutants of 2026-12-04 (docs/mutation.md).
  test('only one half of the pair held with another visibility: a new key all the same', () => {
    const held = {
      AWS_ACCESS_KEY_ID: { visibility: 'all' },
      AWS_SECRET_ACCESS_KEY: { visibility: 'private' }
    }
    expect(orgPlan({ visibility: 'private' }, held).key.action).toBe('create')
  })

  test('the pair shared with other repositories, region and bucket as variables: only its repositories are set', () => {
    const held = {
      AWS_ACCESS_KEY_ID: { visibility: 'selected', repositoryIds: [1] },
      AWS_SECRET_ACCESS_KEY: { visibility: 'selected', repositoryIds: [1] }
    }
    const p = orgPlan({ visibility: 'selected', 'selected-repositories': 'web' }, held, [2])
    expect(p.key.action).not.toBe('create')
    expect(p.writes[0]!.access).toEqual(['accessKeyId', 'secretAccessKey'])
    expect(p.writes[0]!.secrets).toEqual([])
  })

  test('organization variables whose visibility or repositories differ are updated, values kept (issue 14)', () => {
    const variables = { AWS_REGION: 'us-east-1', AWS_BUCKET_NAME: BUCKET }
    const inputs = {
      organization: 'octo-org',
      visibility: 'selected',
      'selected-repositories': 'web',
      'region-and-bucket-as': 'variables'
    }
    const planWith = (
      variableAccess: Record<string, { visibility: string; repositoryIds?: number[] }>
    ) =>
      plan(inputs, c =>
        steadyObserved(c, {
          destinations: c.destinations.map(destination =>
            observedDestination({
              destination,
              variables,
              variableAccess,
              wantedRepositoryIds: [7]
            })
          )
        })
      ).writes[0]!.variables
    expect(
      planWith({
        AWS_REGION: { visibility: 'all' },
        AWS_BUCKET_NAME: { visibility: 'selected', repositoryIds: [7] }
      })
    ).toEqual([{ field: 'region', exists: true }])
    expect(
      planWith({
        AWS_REGION: { visibility: 'selected', repositoryIds: [7] },
        AWS_BUCKET_NAME: { visibility: 'selected', repositoryIds: [8] }
      })
    ).toEqual([{ field: 'bucket', exists: true }])
  })
})
