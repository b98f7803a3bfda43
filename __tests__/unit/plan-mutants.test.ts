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
  steadyObserved
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
        user: observedUser({ tags: [{ key: 'owner', value: 'storage' }] }),
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
        user: observedUser({ tags: [{ key: 'team', value: 'web' }] }),
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
      steadyObserved(c, { user: observedUser({ tags }), bucket: ownedBucket(c.region, tags) })
    )
    expect(p.user).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
    expect(p.bucket).toStrictEqual({ action: 'reuse' })
  })
})
