// Mutation tests of src/plan/removal.ts (issue 12): the action's role is removed with its policies
// and the values naming it; a role of that name that is not the action's is left alone.
import type { Config } from '../../src/inputs/config.js'
import {
  buildRemovalPlan,
  isRemovalPlan,
  removesSomething,
  type RemovalPlan
} from '../../src/plan/removal.js'
import type { ObservedRole } from '../../src/plan/observed.js'
import { configFrom } from '../../__fixtures__/config.js'
import {
  ACCOUNT_ID,
  NOW,
  OWNERSHIP,
  USER_PATH,
  freshObserved,
  observedDestination,
  ownedBucket,
  steadyObserved
} from '../../__fixtures__/observed.js'
import type { ObservedBucket } from '../../src/plan/observed.js'

const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role${USER_PATH}octo-org+app`
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess'

function role(overrides: Partial<ObservedRole> = {}): ObservedRole {
  return {
    arn: ROLE_ARN,
    path: USER_PATH,
    tags: [OWNERSHIP],
    trustPolicy: {},
    inlinePolicies: { 's3-credentials-action': {} },
    managedPolicyArns: [READ_ONLY],
    ...overrides
  }
}

/** After role mode's setup: the role, no user, the role's values where asked. */
function removal(inputs: Record<string, string>, observedRole: ObservedRole): RemovalPlan {
  const config: Config = configFrom({ remove: 'true', ...inputs })
  const observed = freshObserved(config, {
    role: observedRole,
    destinations: config.destinations.map(destination =>
      observedDestination({
        destination,
        secretNames: ['AWS_ROLE_ARN', 'AWS_REGION', 'AWS_BUCKET_NAME'],
        variables: { AWS_ROLE_ARN: ROLE_ARN, AWS_REGION: 'r', AWS_BUCKET_NAME: 'b' }
      })
    )
  })
  return buildRemovalPlan(config, observed, NOW)
}

describe('removing the action’s role', () => {
  test('the role with its policies, and its ARN wherever a destination holds it', () => {
    const p = removal({}, role())
    expect(p.role).toEqual({
      roleName: 'octo-org+app',
      roleArn: ROLE_ARN,
      inlinePolicies: ['s3-credentials-action'],
      managedPolicies: [READ_ONLY]
    })
    expect(p.user).toBeUndefined()
    expect(p.destinations[0]).toMatchObject({
      secrets: ['AWS_REGION', 'AWS_BUCKET_NAME', 'AWS_ROLE_ARN'],
      variables: ['AWS_ROLE_ARN']
    })
    expect(removesSomething(p)).toBe(true)
  })

  test('with region-and-bucket-as variables: the ARN and the two variables', () => {
    const p = removal({ 'region-and-bucket-as': 'variables' }, role())
    expect(p.destinations[0]).toMatchObject({
      secrets: ['AWS_ROLE_ARN'],
      variables: ['AWS_REGION', 'AWS_BUCKET_NAME', 'AWS_ROLE_ARN']
    })
  })

  test.each<[string, Partial<ObservedRole>]>([
    ['untagged', { tags: [] }],
    ['another repository’s', { tags: [{ ...OWNERSHIP, value: 'octo-org/other' }] }],
    ['on another path', { path: '/elsewhere/' }]
  ])('a role %s is left alone, and so is its ARN', (_, overrides) => {
    const p = removal({}, role(overrides))
    expect(p.role).toBeUndefined()
    expect('role' in p).toBe(false)
    expect(p.destinations[0]).toMatchObject({
      secrets: ['AWS_REGION', 'AWS_BUCKET_NAME'],
      variables: []
    })
  })

  test('a role alone is something to remove', () => {
    const p = removal({}, role())
    expect(removesSomething({ ...p, destinations: [] })).toBe(true)
    expect(removesSomething({ ...p, role: undefined, destinations: [] })).toBe(false)
  })
})

describe('isRemovalPlan', () => {
  test('only a plan of kind removal', () => {
    expect(isRemovalPlan(removal({}, role()))).toBe(true)
    expect(isRemovalPlan({ kind: 'role' })).toBe(false)
    expect(isRemovalPlan({ kind: 'access-key' })).toBe(false)
    expect(isRemovalPlan({})).toBe(false)
  })
})

describe('what stays and what goes, beyond the role', () => {
  const plan = (
    inputs: Record<string, string>,
    overrides: Parameters<typeof steadyObserved>[1]
  ) => {
    const config = configFrom({ remove: 'true', ...inputs })
    return buildRemovalPlan(config, steadyObserved(config, overrides), NOW)
  }

  test('variables: only those a destination holds', () => {
    const p = plan(
      { 'region-and-bucket-as': 'variables' },
      {
        destinations: [
          observedDestination({ secretNames: [], variables: { AWS_REGION: 'us-east-1' } })
        ]
      }
    )
    expect(p.destinations[0]).toMatchObject({ secrets: [], variables: ['AWS_REGION'] })
  })

  test('without remove-bucket, a bucket of another account is not ours to keep: absent', () => {
    expect(plan({}, { bucket: { state: 'foreign' } }).bucket).toEqual({ action: 'absent' })
  })

  test('a bucket of another repository is kept, naming the repository its tag names', () => {
    const bucket = {
      ...(ownedBucket('us-east-1', [{ ...OWNERSHIP, value: 'octo-org/other' }]) as Extract<
        ObservedBucket,
        { state: 'owned' }
      >),
      empty: true
    }
    expect(plan({ 'remove-bucket': 'true' }, { bucket }).bucket).toEqual({
      action: 'keep',
      why: 'not-ours',
      owner: 'octo-org/other'
    })
  })

  test('a destination holding one secret and one variable has something to remove', () => {
    const p = plan({}, {})
    const only = {
      ...p,
      user: undefined,
      bucket: { action: 'absent' as const },
      destinations: [
        { ...p.destinations[0]!, secrets: ['AWS_REGION'], variables: ['AWS_BUCKET_NAME'] }
      ]
    }
    expect(removesSomething(only)).toBe(true)
  })
})
