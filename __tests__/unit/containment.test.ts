// Issue 13: the action manages only the users it made for this repository, with its boundary, and
// grants only S3 policies of the caller's own account.
import { buildPlan } from '../../src/plan/plan.js'
import {
  awsManagedPolicyName,
  checkRoleOwnership,
  OWNERSHIP_TAG
} from '../../src/plan/containment.js'
import { PENDING_KEY_TAG, ROTATION_LOCK_TAG } from '../../src/plan/markers.js'
import type { Observed } from '../../src/plan/observed.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import {
  ACCOUNT_ID,
  BOUNDARY_ARN,
  freshObserved,
  KEY_A,
  KEY_B,
  NOW,
  observedUser,
  OWNERSHIP,
  steadyObserved
} from '../../__fixtures__/observed.js'
import { refusal } from '../../__fixtures__/refusal.js'

type Overrides = (o: Observed) => Partial<Observed>

function plan(inputs: Inputs = {}, overrides: Overrides = () => ({}), fresh = false) {
  const config = configFrom(inputs)
  const base = fresh ? freshObserved(config) : steadyObserved(config)
  return buildPlan(config, { ...base, ...overrides(base) }, NOW, 'run-9-1')
}

describe('ownership', () => {
  test('a new user carries the tag naming the home repository, the path and the boundary', () => {
    expect(plan({}, () => ({}), true).user).toEqual({
      action: 'create',
      path: '/s3-credentials-action/',
      tags: [{ key: OWNERSHIP_TAG, value: 'octo-org/app' }],
      permissionsBoundary: BOUNDARY_ARN
    })
  })

  test('an existing user without the tag is refused, naming the user and the adoption', () => {
    const r = refusal(() => plan({}, () => ({ user: observedUser({ tags: [] }) })))
    expect(r).toEqual({
      code: 'USER_NOT_MANAGED',
      message: `IAM user 'octo-org+app' exists but has no tag ${OWNERSHIP_TAG}, so it is not the action's user for octo-org/app; nothing was changed.`,
      remedy: expect.stringContaining(`tag it ${OWNERSHIP_TAG}=octo-org/app`)
    })
  })

  test("a user tagged for another repository is refused: the tag's value is compared", () => {
    const other = { key: OWNERSHIP_TAG, value: 'octo-org/other' }
    expect(refusal(() => plan({}, () => ({ user: observedUser({ tags: [other] }) })))).toEqual(
      expect.objectContaining({
        code: 'USER_NOT_MANAGED',
        message: expect.stringContaining(`its tag ${OWNERSHIP_TAG} names octo-org/other`)
      })
    )
  })

  test('the repository is compared without regard to case, as GitHub names are', () => {
    const tag = { key: OWNERSHIP_TAG.toUpperCase(), value: 'Octo-Org/App' }
    expect(plan({}, () => ({ user: observedUser({ tags: [tag] }) })).user.action).toBe('reuse')
  })

  test('a user in a group is refused, even when tagged', () => {
    expect(refusal(() => plan({}, () => ({ user: observedUser({ groups: ['admins'] }) })))).toEqual(
      expect.objectContaining({
        code: 'USER_IN_GROUP',
        message: expect.stringContaining(
          "IAM user 'octo-org+app' is a member of the group(s) admins"
        )
      })
    )
  })
})

describe('the permissions boundary', () => {
  test('a boundary that does not exist fails before any change', () => {
    expect(
      refusal(() => plan({}, () => ({ boundary: { arn: BOUNDARY_ARN, exists: false } })))
    ).toEqual({
      code: 'BOUNDARY_MISSING',
      message: `The permissions boundary ${BOUNDARY_ARN} does not exist; nothing was changed.`,
      remedy: expect.stringContaining('bootstrap/role.yml')
    })
  })

  test('none: no boundary, with a warning', () => {
    const p = plan({ 'permissions-boundary': 'none' }, () => ({}), true)
    expect(p.user).not.toHaveProperty('permissionsBoundary')
    expect(p.warnings.join(' ')).toContain('permissions-boundary none')
  })

  test('a name is of the caller account; an ARN of another account is refused', () => {
    const p = plan({ 'permissions-boundary': 'team-boundary' }, () => ({}), true)
    expect(p.user).toMatchObject({
      permissionsBoundary: `arn:aws:iam::${ACCOUNT_ID}:policy/team-boundary`
    })
    const foreign = 'arn:aws:iam::999999999999:policy/b'
    expect(refusal(() => plan({ 'permissions-boundary': foreign }, () => ({}), true))).toEqual(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining(
          "Input 'permissions-boundary': the policy arn:aws:iam::999999999999:policy/b belongs to account 999999999999"
        )
      })
    )
  })
})

describe('allowed policies', () => {
  test.each([
    ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
    ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
    [`arn:aws:iam::${ACCOUNT_ID}:policy/team/s3-app`]
  ])('%s is accepted', arn => {
    expect(plan({ policy: arn }, () => ({}), true).grants.attach).toEqual([arn])
  })

  test.each([
    ['arn:aws:iam::210987654321:policy/x', 'belongs to account 210987654321'],
    ['arn:aws-cn:iam::aws:policy/AmazonS3FullAccess', 'is in partition aws-cn, not aws']
  ])('%s is refused before any change', (arn, says) => {
    expect(refusal(() => plan({ policy: arn }, () => ({}), true))).toEqual(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining(says)
      })
    )
  })
})

describe('markers no run holds any more are removed', () => {
  const expired = { runId: 'run-1-1', expiresAt: new Date(NOW.getTime() - 1000) }

  test('a pending marker none of whose ids counts, and an expired rotation marker', () => {
    const p = plan({}, () => ({
      rotationLock: expired,
      pendingKeyIds: [KEY_A, 'AKIAGONE000000000000']
    }))
    expect(p.key.action).toBe('reuse')
    expect(p.staleMarkers).toEqual([PENDING_KEY_TAG, ROTATION_LOCK_TAG])
  })

  test('a live marker of another run stays; a marker of an ended run goes', () => {
    const live = { runId: 'run-5-1', expiresAt: new Date(NOW.getTime() + 60_000) }
    expect(plan({}, () => ({ rotationLock: live })).staleMarkers).toEqual([])
    expect(
      plan({}, () => ({ rotationLock: live, rotationLockRun: { state: 'completed' } })).staleMarkers
    ).toEqual([ROTATION_LOCK_TAG])
  })

  test('a run that makes a key handles the markers itself', () => {
    const p = plan({ rotate: 'true' }, () => ({ rotationLock: expired }))
    expect(p.key.action).toBe('create')
    expect(p.staleMarkers).toEqual([])
  })

  test('a pending key that counts is not stale', () => {
    const p = plan({}, o => ({
      user: {
        ...o.user!,
        keys: [...o.user!.keys, { id: KEY_B, status: 'Active', createdAt: NOW }]
      },
      pendingKeyIds: [KEY_B]
    }))
    expect(p.staleMarkers).toEqual([])
    expect(OWNERSHIP.key).toBe(OWNERSHIP_TAG)
  })
})

describe('organization secrets exposed beyond the named repositories (issue 15)', () => {
  test.each([
    ['all', 'every repository'],
    ['private', 'every private and internal repository']
  ])(
    'visibility %s: a warning naming how many repositories can read the key',
    (visibility, who) => {
      const config = configFrom({ organization: 'octo-org', visibility })
      const observed = freshObserved(config)
      observed.destinations = observed.destinations.map(d => ({ ...d, readers: 42 }))
      expect(buildPlan(config, observed, NOW).warnings).toContain(
        `visibility '${visibility}': ${who} of 'octo-org' (42 repositories) can read the AWS key; prefer visibility selected with selected-repositories.`
      )
    }
  )

  test('GitHub would not say how many: the warning names no count', () => {
    const config = configFrom({ organization: 'octo-org', visibility: 'all' })
    expect(buildPlan(config, freshObserved(config), NOW).warnings).toContain(
      `visibility 'all': every repository of 'octo-org' can read the AWS key; prefer visibility selected with selected-repositories.`
    )
  })

  test('selected: no warning', () => {
    const config = configFrom({ organization: 'octo-org' })
    expect(buildPlan(config, freshObserved(config), NOW).warnings.join(' ')).not.toContain(
      'can read the AWS key'
    )
  })
})

// containment.ts's surviving mutants of 2026-12-04 (docs/mutation.md).
describe('the name of an AWS-managed policy, from its ARN', () => {
  test.each([
    ['arn:aws:iam::aws:policy/AmazonS3FullAccess', 'AmazonS3FullAccess'],
    ['arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess', 'AmazonS3ReadOnlyAccess'],
    ['arn:aws:iam::aws:policy/service-role/AmazonS3X', 'AmazonS3X'],
    ['arn:aws:iam::aws:policy/a/b/AmazonS3FullAccess', 'AmazonS3FullAccess']
  ])('%s: %s', (arn, name) => {
    expect(awsManagedPolicyName(arn)).toBe(name)
  })

  test.each([
    'xarn:aws:iam::aws:policy/AmazonS3FullAccess',
    'arn:aws:iam::aws:policy/AmazonS3FullAccess/',
    `arn:aws:iam::${ACCOUNT_ID}:policy/AmazonS3FullAccess`,
    'arn:1:iam::aws:policy/AmazonS3FullAccess'
  ])('%s: not an AWS-managed policy', arn => {
    expect(awsManagedPolicyName(arn)).toBeUndefined()
  })
})

test('a role that is not the action’s: the remedy says how to choose another or adopt it', () => {
  const refused = refusal(() =>
    checkRoleOwnership({ tags: [], path: '/' }, 'app', 'octo-org/app', '/s3-credentials-action/')
  )
  expect(refused).toMatchObject({
    code: 'ROLE_NOT_MANAGED',
    remedy: `choose another role-name, or adopt the role on purpose: give it the path /s3-credentials-action/, remove what it should not have, then tag it ${OWNERSHIP_TAG}=octo-org/app (see the README).`
  })
})
