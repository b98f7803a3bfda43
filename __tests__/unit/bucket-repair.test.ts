// Issue 14: a bucket the action made (its ownership tag names the home repository) is checked on
// every run and what it lacks of its hardening is put back; any other bucket is left as it is.
import { buildPlan } from '../../src/plan/plan.js'
import { tlsOnlyBucketPolicy } from '../../src/plan/policy.js'
import type { BucketHardening } from '../../src/plan/observed.js'
import { planLines } from '../../src/render/describe.js'
import { configFrom } from '../../__fixtures__/config.js'
import {
  BUCKET,
  hardenedBucket,
  NOW,
  ownedBucket,
  OWNERSHIP,
  steadyObserved
} from '../../__fixtures__/observed.js'

const TLS_ONLY = tlsOnlyBucketPolicy('aws', BUCKET)

function bucketPlan(hardening: Partial<BucketHardening>, tags = [OWNERSHIP]) {
  const config = configFrom()
  const observed = steadyObserved(config, {
    bucket: ownedBucket(config.region, tags, { ...hardenedBucket(), ...hardening })
  })
  const plan = buildPlan(config, observed, NOW)
  return { bucket: plan.bucket, lines: planLines(plan, config) }
}

test('a hardened bucket needs nothing', () => {
  expect(bucketPlan({}).bucket).toStrictEqual({ action: 'reuse' })
})

test('each missing setting is put back, and the plan says which', () => {
  const { bucket, lines } = bucketPlan({
    publicAccessBlocked: false,
    ownershipEnforced: false,
    encrypted: false
  })
  expect(bucket).toStrictEqual({
    action: 'reuse',
    repair: { publicAccessBlock: true, ownership: true, encryption: true }
  })
  expect(lines).toContain(
    `Reuse bucket ${BUCKET} in us-east-1; repair: block public access, enforce bucket-owner object ownership, default encryption.`
  )
})

test('no policy: the TLS-only policy', () => {
  const rest = hardenedBucket()
  delete rest.policy
  const config = configFrom()
  const plan = buildPlan(
    config,
    steadyObserved(config, { bucket: ownedBucket(config.region, [OWNERSHIP], rest) }),
    NOW
  )
  expect(plan.bucket).toStrictEqual({ action: 'reuse', repair: { policy: TLS_ONLY } })
})

test("the bucket's other statements are kept; a changed statement of ours is replaced", () => {
  const other = {
    Sid: 'ReadForCdn',
    Effect: 'Allow',
    Principal: { AWS: 'x' },
    Action: 's3:GetObject'
  }
  const weakened = {
    ...TLS_ONLY.Statement[0],
    Condition: { Bool: { 'aws:SecureTransport': 'true' } }
  }
  const { bucket } = bucketPlan({
    policy: { Version: '2012-10-17', Statement: [other, weakened] }
  })
  expect(bucket).toStrictEqual({
    action: 'reuse',
    repair: { policy: { ...TLS_ONLY, Statement: [other, TLS_ONLY.Statement[0]] } }
  })
})

test('the TLS-only statement among others, in any key order, is in place', () => {
  const reordered = Object.fromEntries(Object.entries(TLS_ONLY.Statement[0]!).reverse())
  const other = { Sid: 'X', Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }
  expect(
    bucketPlan({ policy: { Version: '2012-10-17', Statement: [other, reordered] } }).bucket
  ).toStrictEqual({ action: 'reuse' })
})

test('a bucket the action did not make for this repository is not reconfigured', () => {
  const bare = { publicAccessBlocked: false, ownershipEnforced: false, encrypted: false }
  expect(bucketPlan(bare, []).bucket).toStrictEqual({ action: 'reuse' })
  const other = { key: OWNERSHIP.key, value: 'octo-org/other' }
  expect(bucketPlan(bare, [other]).bucket).toStrictEqual({ action: 'reuse' })
})
