// Unit tests of buildPlan (src/plan.ts) over typed Observed fixtures.
import { isEarlierAttempt } from '../../src/plan/markers.js'
import type { Config } from '../../src/inputs/config.js'
import { ActionError, type ErrorCode } from '../../src/errors.js'
import { buildPlan, type DestinationWrite, type Plan, userArn } from '../../src/plan/plan.js'
import { bucketAccessPolicy, INLINE_POLICY_NAME } from '../../src/plan/policy.js'
import type { Observed } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  ABSENT_BUCKET,
  ACCOUNT_ID,
  accessKey,
  BUCKET,
  daysAgo,
  FOREIGN_BUCKET,
  freshObserved,
  KEY_A,
  KEY_B,
  NOW,
  observedDestination,
  observedUser,
  ownedBucket,
  steadyObserved,
  USER_NAME,
  BOUNDARY_ARN,
  OWNERSHIP,
  USER_PATH
} from '../../__fixtures__/observed.js'

const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonS3FullAccess'
const READ_WRITE = bucketAccessPolicy('aws', BUCKET, 'read-write')
const READ_ONLY = bucketAccessPolicy('aws', BUCKET, 'read-only')

function plan(inputs: Inputs, observe: (config: Config) => Observed, now = NOW): Plan {
  const config = configFrom(inputs)
  return buildPlan(config, observe(config), now)
}

function expectCode(run: () => unknown, code: ErrorCode): void {
  let thrown: unknown
  try {
    run()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(ActionError)
  expect((thrown as ActionError).code).toBe(code)
  expect((thrown as ActionError).message).toContain('nothing was changed')
}

const secretsOf = (p: Plan): DestinationWrite['secrets'][] => p.writes.map(w => w.secrets)

describe('buildPlan: a fresh start', () => {
  test('creates the user and the bucket, puts the inline policy, creates a key, writes 4 secrets', () => {
    const config = configFrom()
    expect(buildPlan(config, freshObserved(config), NOW)).toStrictEqual({
      userName: USER_NAME,
      userArn: `arn:aws:iam::${ACCOUNT_ID}:user${USER_PATH}${USER_NAME}`,
      accountId: ACCOUNT_ID,
      bucketName: BUCKET,
      bucketArn: `arn:aws:s3:::${BUCKET}`,
      region: 'us-east-1',
      partition: 'aws',
      user: {
        action: 'create',
        path: USER_PATH,
        tags: [OWNERSHIP],
        permissionsBoundary: BOUNDARY_ARN
      },
      bucket: { action: 'create', tags: [OWNERSHIP] },
      grants: {
        putInline: { name: INLINE_POLICY_NAME, document: READ_WRITE },
        deleteInline: [],
        attach: [],
        detach: []
      },
      key: { action: 'create', reason: 'the user is new', rotation: false, removeFirst: [] },
      writes: [
        {
          destination: config.destinations[0],
          secrets: ['accessKeyId', 'secretAccessKey', 'region', 'bucket'],
          variables: [],
          access: []
        }
      ],
      staleMarkers: [],
      warnings: []
    })
  })

  test('writes the four secrets to every destination', () => {
    const p = plan({ organization: 'o', visibility: 'private', repositories: 'a/x\nb/y' }, c =>
      freshObserved(c)
    )
    expect(p.writes.map(w => w.destination.kind)).toEqual([
      'organization',
      'repository',
      'repository'
    ])
    for (const secrets of secretsOf(p))
      expect(secrets).toEqual(['accessKeyId', 'secretAccessKey', 'region', 'bucket'])
  })

  test('a new user gets the path, tags and permissions boundary', () => {
    const p = plan(
      {
        'user-path': '/ci/',
        tags: 'team=storage',
        'permissions-boundary': 'arn:aws:iam::123456789012:policy/Boundary'
      },
      c => freshObserved(c)
    )
    expect(p.user).toEqual({
      action: 'create',
      path: '/ci/',
      tags: [{ key: 'team', value: 'storage' }, OWNERSHIP],
      permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary'
    })
    expect(p.bucket).toEqual({
      action: 'create',
      tags: [{ key: 'team', value: 'storage' }, OWNERSHIP]
    })
    expect(p.userArn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/ci/${USER_NAME}`)
  })

  test.each([
    ['bucket-read-only', { putInline: { name: INLINE_POLICY_NAME, document: READ_ONLY } }],
    ['s3-full-access', { attach: [FULL_ACCESS] }],
    ['arn:aws:iam::123456789012:policy/Mine', { attach: ['arn:aws:iam::123456789012:policy/Mine'] }]
  ])('policy %s on a new user', (policy, grants) => {
    expect(plan({ policy }, c => freshObserved(c)).grants).toStrictEqual({
      deleteInline: [],
      attach: [],
      detach: [],
      ...grants
    })
  })

  test('the user ARN comes from the observed user when it exists', () => {
    const arn = 'arn:aws:iam::123456789012:user/ci/octo-org+app'
    const p = plan({ 'user-path': '/ci/' }, c =>
      steadyObserved(c, { user: observedUser({ arn, path: '/ci/' }) })
    )
    expect(p.userArn).toBe(arn)
    expect(userArn('aws-cn', '1', '/', 'u')).toBe('arn:aws-cn:iam::1:user/u')
  })
})

describe('buildPlan: an unchanged re-run', () => {
  test('reuses everything, changes no grant, writes nothing', () => {
    const p = plan({}, c => steadyObserved(c))
    expect(p.user).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
    expect(p.bucket).toStrictEqual({ action: 'reuse' })
    expect(p.grants).toStrictEqual({ deleteInline: [], attach: [], detach: [] })
    expect(p.key).toMatchObject({ action: 'reuse', keyId: KEY_A })
    expect(p.writes).toEqual([expect.objectContaining({ secrets: [], variables: [] })])
    expect(p.warnings).toEqual([])
  })

  test('an inline document with keys in another order counts as unchanged', () => {
    const reordered = JSON.parse(
      JSON.stringify({ Statement: READ_WRITE.Statement, Version: READ_WRITE.Version })
    ) as unknown
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({ inlinePolicies: { [INLINE_POLICY_NAME]: reordered } })
      })
    )
    expect(p.grants.putInline).toBeUndefined()
  })

  test('a missing region secret is written alone', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({
            secretNames: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_BUCKET_NAME']
          })
        ]
      })
    )
    expect(p.key.action).toBe('reuse')
    expect(secretsOf(p)).toEqual([['region']])
  })

  test('secret names are looked up with the prefix', () => {
    const p = plan({ 'secret-prefix': 'PROD_' }, c => steadyObserved(c))
    expect(p.key).toMatchObject({
      action: 'create',
      reason: 'the destinations do not hold a key yet'
    })
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey', 'region', 'bucket']])
  })

  test('one destination without the key makes a new key for all of them', () => {
    const p = plan({ repositories: 'a/x\nb/y' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({ destination: c.destinations[0]! }),
          observedDestination({ destination: c.destinations[1]!, secretNames: [] })
        ]
      })
    )
    // The key the first destination holds is replaced (and retired), not left behind unreferenced.
    expect(p.key).toMatchObject({ action: 'create', replaces: { keyId: KEY_A } })
    expect(secretsOf(p)).toEqual([
      ['accessKeyId', 'secretAccessKey'],
      ['accessKeyId', 'secretAccessKey', 'region', 'bucket']
    ])
  })

  test('the key plan warns about keys deleted first', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B)] }),
        destinations: [observedDestination({ secretNames: [] })]
      })
    )
    expect(p.warnings).toEqual([
      expect.stringContaining(`Access key ${KEY_A} will be deleted first`)
    ])
  })

  test('config warnings are passed on', () => {
    expect(plan({ policy: 's3-full-access' }, c => freshObserved(c)).warnings).toEqual([
      expect.stringContaining('s3-full-access')
    ])
  })
})

describe('buildPlan: who may use organization secrets', () => {
  const ORG_INPUTS = { organization: 'octo-org' }
  const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME']
  const held = (visibility: string, repositoryIds?: number[]) =>
    Object.fromEntries(
      NAMES.map(n => [n, { visibility, ...(repositoryIds ? { repositoryIds } : {}) }])
    )
  const observedOrg = (access: ReturnType<typeof held>, wanted?: number[]) => (config: Config) =>
    steadyObserved(config, {
      destinations: config.destinations.map(destination =>
        observedDestination({
          destination,
          secretAccess: access,
          ...(wanted ? { wantedRepositoryIds: wanted } : {})
        })
      )
    })
  const accessOf = (p: Plan) => p.writes.map(w => w.access)

  test('another visibility: region and bucket written with it, the pair with a new key (issue 14)', () => {
    // GitHub takes a visibility only with the value, and the secret access key is never read back.
    const p = plan({ ...ORG_INPUTS, visibility: 'private' }, observedOrg(held('all')))
    expect(p.key).toMatchObject({
      action: 'create',
      rotation: true,
      reason: expect.stringMatching(
        /visibility of the key pair in organization octo-org changes from all to private/
      ),
      replaces: { keyId: KEY_A }
    })
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey', 'region', 'bucket']])
    expect(accessOf(p)).toEqual([[]])
  })

  test('another visibility with max-key-age-days not due: the pair still gets a new key', () => {
    const p = plan(
      { ...ORG_INPUTS, visibility: 'private', rotate: 'true', 'max-key-age-days': '90' },
      observedOrg(held('all'))
    )
    expect(p.key).toMatchObject({ action: 'create', rotation: true })
  })

  test('another visibility with two active keys and no current-access-key-id: KEY_AMBIGUOUS', () => {
    const p = () =>
      plan({ ...ORG_INPUTS, visibility: 'private' }, config => ({
        ...observedOrg(held('all'))(config),
        user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B, 'Active', daysAgo(2))] })
      }))
    expect(p).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }))
  })

  test('another visibility of region and bucket only: written with their values, the key kept', () => {
    const access = { ...held('private'), AWS_REGION: { visibility: 'all' } }
    const p = plan({ ...ORG_INPUTS, visibility: 'private' }, observedOrg(access))
    expect(p.key.action).toBe('reuse')
    expect(secretsOf(p)).toEqual([['region']])
  })

  test('the same visibility: nothing to change', () => {
    expect(
      accessOf(plan({ ...ORG_INPUTS, visibility: 'private' }, observedOrg(held('private'))))
    ).toEqual([[]])
  })

  test('selected: other repositories change it, the same ones in another order do not', () => {
    const selected = { ...ORG_INPUTS, visibility: 'selected', 'selected-repositories': 'web,api' }
    const p = plan(selected, observedOrg(held('selected', [1, 2]), [1, 3]))
    expect(accessOf(p)).toEqual([['accessKeyId', 'secretAccessKey', 'region', 'bucket']])
    // Only the repositories change: the key stays (they are set through their own route).
    expect(p.key.action).toBe('reuse')
    expect(secretsOf(p)).toEqual([[]])
    expect(accessOf(plan(selected, observedOrg(held('selected', [2, 1]), [1, 2])))).toEqual([[]])
  })

  test('secrets rewritten anyway carry the visibility themselves', () => {
    const selected = { ...ORG_INPUTS, visibility: 'selected', 'selected-repositories': 'web' }
    const p = plan({ ...selected, rotate: 'true' }, observedOrg(held('selected', [1]), [2]))
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey']])
    expect(accessOf(p)).toEqual([['region', 'bucket']])
  })
})

describe('buildPlan: grants follow the policy input', () => {
  test('bucket-read-write to s3-full-access: delete our inline policy, attach AmazonS3FullAccess', () => {
    expect(plan({ policy: 's3-full-access' }, c => steadyObserved(c)).grants).toStrictEqual({
      deleteInline: [INLINE_POLICY_NAME],
      attach: [FULL_ACCESS],
      detach: []
    })
  })

  test('s3-full-access back to bucket-read-write: detach it, put the inline policy', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({ inlinePolicies: {}, managedPolicyArns: [FULL_ACCESS] })
      })
    )
    expect(p.grants).toStrictEqual({
      putInline: { name: INLINE_POLICY_NAME, document: READ_WRITE },
      deleteInline: [],
      attach: [],
      detach: [FULL_ACCESS]
    })
  })

  test('read-write to read-only rewrites the inline policy', () => {
    expect(plan({ policy: 'bucket-read-only' }, c => steadyObserved(c)).grants).toStrictEqual({
      putInline: { name: INLINE_POLICY_NAME, document: READ_ONLY },
      deleteInline: [],
      attach: [],
      detach: []
    })
  })

  test('an inline policy for another bucket is rewritten', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({
          inlinePolicies: { [INLINE_POLICY_NAME]: bucketAccessPolicy('aws', 'old', 'read-write') }
        })
      })
    )
    expect(p.grants.putInline).toEqual({ name: INLINE_POLICY_NAME, document: READ_WRITE })
  })

  test('other inline and managed policies are removed; the wanted managed one stays', () => {
    const mine = 'arn:aws:iam::123456789012:policy/Mine'
    const p = plan({ policy: mine }, c =>
      steadyObserved(c, {
        user: observedUser({
          inlinePolicies: { [INLINE_POLICY_NAME]: READ_WRITE, 'added-by-hand': {} },
          managedPolicyArns: [mine, FULL_ACCESS]
        })
      })
    )
    expect(p.grants).toStrictEqual({
      deleteInline: [INLINE_POLICY_NAME, 'added-by-hand'],
      attach: [],
      detach: [FULL_ACCESS]
    })
  })
})

describe('buildPlan: refusals', () => {
  test('a bucket of another account: BUCKET_FOREIGN', () => {
    expectCode(() => plan({}, c => freshObserved(c, { bucket: FOREIGN_BUCKET })), 'BUCKET_FOREIGN')
  })

  test('our bucket in another region: BUCKET_REGION_MISMATCH', () => {
    expectCode(
      () =>
        plan({ 'aws-region': 'eu-west-1' }, c =>
          steadyObserved(c, { bucket: ownedBucket('us-east-1') })
        ),
      'BUCKET_REGION_MISMATCH'
    )
  })

  test('our bucket in the configured region is fine', () => {
    expect(
      plan({ 'aws-region': 'eu-west-1' }, c =>
        steadyObserved(c, { bucket: ownedBucket('eu-west-1') })
      ).bucket.action
    ).toBe('reuse')
  })

  test('a user with another path: USER_PATH_MISMATCH', () => {
    expectCode(() => plan({ 'user-path': '/ci/' }, c => steadyObserved(c)), 'USER_PATH_MISMATCH')
    expectCode(
      () => plan({}, c => steadyObserved(c, { user: observedUser({ path: '/ci/' }) })),
      'USER_PATH_MISMATCH'
    )
  })

  test('two active keys and rotation without current-access-key-id: KEY_AMBIGUOUS', () => {
    const run = () =>
      plan({ rotate: 'true' }, c =>
        steadyObserved(c, { user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B)] }) })
      )
    expect(run).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }))
  })
})

describe('buildPlan: rotation', () => {
  test('writes only the key secrets when region and bucket exist', () => {
    const p = plan({ rotate: 'true' }, c => steadyObserved(c))
    expect(p.key).toMatchObject({ action: 'create', rotation: true, replaces: { keyId: KEY_A } })
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey']])
  })

  test('also writes a missing bucket secret', () => {
    const p = plan({ rotate: 'true' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({
            secretNames: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']
          })
        ]
      })
    )
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey', 'bucket']])
  })

  test('not due yet: writes nothing', () => {
    const p = plan({ rotate: 'true', 'max-key-age-days': '90' }, c =>
      steadyObserved(c, { user: observedUser({ keys: [accessKey(KEY_A, 'Active', daysAgo(5))] }) })
    )
    expect(p.key).toMatchObject({ action: 'not-due', keyId: KEY_A, ageDays: 5 })
    expect(secretsOf(p)).toEqual([[]])
  })

  test('a lock of another run that has not expired: ROTATION_IN_PROGRESS', () => {
    expectCode(
      () =>
        plan({ rotate: 'true' }, c =>
          steadyObserved(c, {
            rotationLock: { runId: '42', expiresAt: new Date(NOW.getTime() + 60_000) }
          })
        ),
      'ROTATION_IN_PROGRESS'
    )
  })

  test('a lock expiring later than any run can hold it is stale, with a warning naming the tag', () => {
    const p = plan({ rotate: 'true' }, c =>
      steadyObserved(c, {
        rotationLock: { runId: 'run-1-1', expiresAt: new Date('2999-01-01T00:00:00Z') }
      })
    )
    expect(p.key.action).toBe('create')
    expect(p.warnings.join(' ')).toMatch(/s3-credentials-action:rotation.*2999-01-01/)
  })

  test('a lock within the longest a run can hold it still blocks', () => {
    expectCode(
      () =>
        plan({ rotate: 'true' }, c =>
          steadyObserved(c, {
            rotationLock: { runId: '42', expiresAt: new Date(NOW.getTime() + 25 * 60_000) }
          })
        ),
      'ROTATION_IN_PROGRESS'
    )
  })

  test('a lock blocks any key creation on an existing user, not only rotation', () => {
    expectCode(
      () =>
        plan({}, c =>
          steadyObserved(c, {
            destinations: [observedDestination({ secretNames: [] })],
            rotationLock: { runId: '42', expiresAt: new Date(NOW.getTime() + 60_000) }
          })
        ),
      'ROTATION_IN_PROGRESS'
    )
  })

  test.each([
    ['an expired lock', 'true', -60_000],
    ['a lock expiring right now', 'true', 0],
    ['a live lock when no key is created', 'false', 60_000]
  ])('%s does not block', (_case, rotate, offset) => {
    const p = plan({ rotate }, c =>
      steadyObserved(c, {
        rotationLock: { runId: '42', expiresAt: new Date(NOW.getTime() + offset) }
      })
    )
    expect(p.key.action).toBe(rotate === 'true' ? 'create' : 'reuse')
  })

  test.each([
    ['an earlier attempt of this run', 'run-7-1', 'run-7-2', true],
    ['the same attempt (another job of a matrix)', 'run-7-2', 'run-7-2', false],
    ['a later attempt', 'run-7-3', 'run-7-2', false],
    ['another run', 'run-6-1', 'run-7-2', false],
    ['a local run', 'local-123', 'run-7-2', false]
  ])('a live lock of %s: ignored %s', (_case, lockRunId, runId, ignored) => {
    const config = configFrom({ rotate: 'true' })
    const observed = steadyObserved(config, {
      rotationLock: { runId: lockRunId, expiresAt: new Date(NOW.getTime() + 60_000) }
    })
    const build = () => buildPlan(config, observed, NOW, runId)
    if (ignored) expect(build().key.action).toBe('create')
    else expectCode(build, 'ROTATION_IN_PROGRESS')
    expect(isEarlierAttempt(lockRunId, runId)).toBe(ignored)
  })

  test('a pending key on the user makes a fresh key for every destination', () => {
    const p = plan({}, c =>
      steadyObserved(c, {
        user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B)] }),
        pendingKeyIds: [KEY_B]
      })
    )
    expect(p.key).toMatchObject({
      action: 'create',
      removeFirst: [{ keyId: KEY_B }],
      replaces: { keyId: KEY_A },
      resumes: [KEY_B]
    })
    // Region and bucket are there already and did not change.
    expect(secretsOf(p)).toEqual([['accessKeyId', 'secretAccessKey']])
  })
})

describe('buildPlan: region and bucket as variables', () => {
  const inputs: Inputs = { 'region-and-bucket-as': 'variables' }
  const right = { AWS_REGION: 'us-east-1', AWS_BUCKET_NAME: BUCKET }

  test.each<[string, Record<string, string>, DestinationWrite['variables']]>([
    [
      'missing',
      {},
      [
        { field: 'region', exists: false },
        { field: 'bucket', exists: false }
      ]
    ],
    ['the same', right, []],
    [
      'a different region',
      { ...right, AWS_REGION: 'eu-west-1' },
      [{ field: 'region', exists: true }]
    ],
    [
      'a different bucket',
      { ...right, AWS_BUCKET_NAME: 'old' },
      [{ field: 'bucket', exists: true }]
    ],
    ['missing the bucket only', { AWS_REGION: 'us-east-1' }, [{ field: 'bucket', exists: false }]]
  ])('variables %s', (_case, variables, expected) => {
    const p = plan(inputs, c =>
      steadyObserved(c, { destinations: [observedDestination({ variables })] })
    )
    expect(p.writes).toEqual([expect.objectContaining({ secrets: [], variables: expected })])
  })

  test('never plans region or bucket secrets, even with a new key', () => {
    const p = plan(inputs, c => freshObserved(c))
    expect(p.writes).toEqual([
      expect.objectContaining({
        secrets: ['accessKeyId', 'secretAccessKey'],
        variables: [
          { field: 'region', exists: false },
          { field: 'bucket', exists: false }
        ]
      })
    ])
  })

  test('variable names carry the prefix', () => {
    const p = plan({ ...inputs, 'secret-prefix': 'PROD_' }, c =>
      steadyObserved(c, {
        destinations: [
          observedDestination({
            secretNames: ['PROD_AWS_ACCESS_KEY_ID', 'PROD_AWS_SECRET_ACCESS_KEY'],
            variables: { PROD_AWS_REGION: 'us-east-1', PROD_AWS_BUCKET_NAME: BUCKET }
          })
        ]
      })
    )
    expect(p.writes).toEqual([expect.objectContaining({ secrets: [], variables: [] })])
  })
})

describe('buildPlan: tags', () => {
  test('tags missing on a reused user are added; present ones are not', () => {
    const p = plan({ tags: 'team=storage\ncost=1\nenv=prod' }, c =>
      steadyObserved(c, {
        user: observedUser({
          tags: [
            OWNERSHIP,
            { key: 'team', value: 'storage' },
            { key: 'env', value: 'dev' },
            { key: 'foreign', value: 'x' }
          ]
        })
      })
    )
    expect(p.user).toStrictEqual({
      action: 'reuse',
      tagsToAdd: [
        { key: 'cost', value: '1' },
        { key: 'env', value: 'prod' }
      ]
    })
  })

  test('bucket tags are merged, keeping tags others set', () => {
    const p = plan({ tags: 'team=storage\ncost=1' }, c =>
      steadyObserved(c, {
        bucket: ownedBucket('us-east-1', [
          { key: 'owner', value: 'finance' },
          { key: 'team', value: 'old' }
        ])
      })
    )
    expect(p.bucket).toStrictEqual({
      action: 'reuse',
      tagsToSet: [
        { key: 'owner', value: 'finance' },
        { key: 'team', value: 'storage' },
        { key: 'cost', value: '1' }
      ]
    })
  })

  test('a bucket that already has the tags is left alone', () => {
    const p = plan({ tags: 'team=storage' }, c =>
      steadyObserved(c, {
        bucket: ownedBucket('us-east-1', [
          { key: 'owner', value: 'finance' },
          { key: 'team', value: 'storage' }
        ])
      })
    )
    expect(p.bucket).toStrictEqual({ action: 'reuse' })
  })

  test('an absent bucket is created with the tags', () => {
    const p = plan({ tags: 'a=1' }, c => steadyObserved(c, { bucket: ABSENT_BUCKET }))
    expect(p.bucket).toStrictEqual({
      action: 'create',
      tags: [{ key: 'a', value: '1' }, OWNERSHIP]
    })
  })

  test.each([
    ['set when the user has none', undefined, 'arn:aws:iam::123456789012:policy/B'],
    [
      'changed when different',
      'arn:aws:iam::123456789012:policy/Old',
      'arn:aws:iam::123456789012:policy/B'
    ]
  ])('the permissions boundary is %s', (_case, present, wanted) => {
    const p = plan({ 'permissions-boundary': wanted }, c =>
      steadyObserved(c, {
        user: observedUser(present ? { permissionsBoundaryArn: present } : {})
      })
    )
    expect(p.user).toStrictEqual({ action: 'reuse', tagsToAdd: [], setPermissionsBoundary: wanted })
  })

  test('the same permissions boundary is not set again', () => {
    const b = 'arn:aws:iam::123456789012:policy/B'
    const p = plan({ 'permissions-boundary': b }, c =>
      steadyObserved(c, { user: observedUser({ permissionsBoundaryArn: b }) })
    )
    expect(p.user).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
  })
})
