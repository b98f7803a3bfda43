// Unit tests of the drift check: planChanges (plan/drift.ts) and its words (render/describe.ts).
import { buildPlan, type Plan } from '../../src/plan/plan.js'
import { planChanges } from '../../src/plan/drift.js'
import { driftItems } from '../../src/render/describe.js'
import type { Config } from '../../src/inputs/config.js'
import type { Observed } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  BUCKET,
  freshObserved,
  hardenedBucket,
  KEY_B,
  NOW,
  observedDestination,
  observedUser,
  OWNERSHIP,
  ownedBucket,
  steadyObserved
} from '../../__fixtures__/observed.js'

function plan(inputs: Inputs, observe: (config: Config) => Observed): Plan {
  const config = configFrom(inputs)
  return buildPlan(config, observe(config), NOW)
}

const FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonS3FullAccess'

describe('planChanges and driftItems', () => {
  test('an unchanged setup: no changes, nothing drifted', () => {
    const p = plan({}, c => steadyObserved(c))
    expect(planChanges(p)).toBe(false)
    expect(driftItems(p)).toEqual([])
  })

  test.each<[string, Inputs, (c: Config) => Observed, string[]]>([
    [
      'the bucket lost its public access block',
      {},
      c =>
        steadyObserved(c, {
          bucket: ownedBucket(c.region, [OWNERSHIP], {
            ...hardenedBucket(BUCKET),
            publicAccessBlocked: false
          })
        }),
      ['bucket hardening (block public access)']
    ],
    [
      'a foreign managed policy is attached to the user',
      {},
      c => steadyObserved(c, { user: observedUser({ managedPolicyArns: [FULL_ACCESS] }) }),
      ['grant AmazonS3FullAccess attached to the user']
    ],
    [
      'the stored key is not an active key of the user',
      { 'current-access-key-id': KEY_B },
      c => steadyObserved(c),
      [`access key: the stored key ${KEY_B} is not an active key of the user`]
    ],
    [
      'a destination lacks its secrets',
      {},
      c =>
        steadyObserved(c, {
          destinations: [
            observedDestination({
              secretNames: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_BUCKET_NAME']
            })
          ]
        }),
      ['octo-org/app: 1 secret(s) or variable(s) to write']
    ],
    [
      'user tags the inputs ask for are missing',
      { tags: 'team=platform' },
      c =>
        steadyObserved(c, {
          bucket: ownedBucket(c.region, [OWNERSHIP, { key: 'team', value: 'platform' }])
        }),
      ['user tags missing (team)']
    ]
  ])('%s: changes, named in one item', (_, inputs, observe, items) => {
    const p = plan(inputs, observe)
    expect(driftItems(p)).toEqual(items)
    expect(planChanges(p)).toBe(true)
  })

  test('a first setup changes everything, each part named', () => {
    const p = plan({}, c => freshObserved(c))
    expect(planChanges(p)).toBe(true)
    expect(driftItems(p)).toEqual([
      'IAM user octo-org+app missing',
      `bucket ${BUCKET} missing`,
      'inline policy s3-credentials-action missing or changed',
      'access key: the user is new'
    ])
  })
})
