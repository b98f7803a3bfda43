// Mutation tests of src/plan/drift.ts (issue 12): each part of a plan that changes something counts
// as a change on its own, in the key's plan, the role's plan and a removal plan.
import { buildPlan, type Plan } from '../../src/plan/plan.js'
import { anyPlanChanges, planChanges, rolePlanChanges } from '../../src/plan/drift.js'
import type { RemovalPlan } from '../../src/plan/removal.js'
import type { DestinationWrite, RolePlan } from '../../src/plan/types.js'
import type { GraceAction, OldKeyGrace } from '../../src/plan/keys.js'
import { configFrom } from '../../__fixtures__/config.js'
import { KEY_A, NOW, REPO_DESTINATION, steadyObserved } from '../../__fixtures__/observed.js'

const TAG = { key: 'team', value: 'platform' }
const DOCUMENT = { Version: '2012-10-17' as const, Statement: [] }
const BOUNDARY = 'arn:aws:iam::123456789012:policy/boundary'

/** A re-run of a set-up key: nothing to do. */
function steadyPlan(): Plan {
  const config = configFrom()
  return buildPlan(config, steadyObserved(config), NOW)
}

function noWrite(overrides: Partial<DestinationWrite> = {}): DestinationWrite {
  return { destination: REPO_DESTINATION, secrets: [], variables: [], access: [], ...overrides }
}

function grace(action: GraceAction): OldKeyGrace {
  return {
    keyId: KEY_A,
    status: 'Active',
    replacedAt: NOW,
    retireAfter: NOW,
    pastGrace: action !== 'wait',
    usedAfterGrace: false,
    action
  }
}

describe('planChanges: each part alone is a change', () => {
  test('the steady plan changes nothing', () => {
    const plan = steadyPlan()
    expect(plan.user.action).toBe('reuse')
    expect(plan.key.action).not.toBe('create')
    expect(planChanges(plan)).toBe(false)
    expect(anyPlanChanges(plan)).toBe(false)
  })

  const steady = steadyPlan()
  const cases: [string, Partial<Plan>][] = [
    ['a user to create', { user: { action: 'create', path: '/', tags: [] } }],
    ['user tags to add', { user: { action: 'reuse', tagsToAdd: [TAG] } }],
    [
      'a permissions boundary to set',
      { user: { action: 'reuse', tagsToAdd: [], setPermissionsBoundary: BOUNDARY } }
    ],
    ['a bucket to create', { bucket: { action: 'create', tags: [] } }],
    ['a bucket to repair', { bucket: { action: 'reuse', repair: { encryption: true } } }],
    ['bucket tags to set', { bucket: { action: 'reuse', tagsToSet: [TAG] } }],
    [
      'an inline policy to put',
      { grants: { ...steady.grants, putInline: { name: 'p', document: DOCUMENT } } }
    ],
    ['a policy to attach', { grants: { ...steady.grants, attach: ['arn:a'] } }],
    ['a policy to detach', { grants: { ...steady.grants, detach: ['arn:d'] } }],
    ['an inline policy to delete', { grants: { ...steady.grants, deleteInline: ['old'] } }],
    [
      'a key to create',
      { key: { action: 'create', reason: 'new', rotation: false, removeFirst: [] } as Plan['key'] }
    ],
    ['a stale marker to remove', { staleMarkers: ['s3-credentials-action:pending'] }],
    ['a grace key to delete', { oldKeyGrace: grace('delete') }],
    ['a grace key to deactivate', { oldKeyGrace: grace('deactivate') }],
    [
      'a secret to write, in one destination of two',
      { writes: [noWrite(), noWrite({ secrets: ['region'] })] }
    ],
    [
      'a variable to write',
      { writes: [noWrite({ variables: [{ field: 'region', exists: true }] })] }
    ],
    ['an access to set', { writes: [noWrite({ access: ['region'] })] }],
    [
      'a deletion, in the second destination',
      { writes: [noWrite(), noWrite({ deletions: [{ field: 'roleArn', kind: 'variable' }] })] }
    ],
    [
      'a role to delete',
      {
        switchFromRole: {
          roleName: 'r',
          roleArn: 'arn:r',
          deleteRole: true,
          inlinePolicies: [],
          managedPolicyArns: []
        }
      }
    ]
  ]
  test.each(cases)('%s', (_, change) => {
    const plan = { ...steady, ...change }
    expect(planChanges(plan)).toBe(true)
    expect(anyPlanChanges(plan)).toBe(true)
  })

  test('what is no change: a grace key waiting or to go first, an empty deletion list, a role kept', () => {
    for (const action of ['wait', 'first'] as const)
      expect(planChanges({ ...steady, oldKeyGrace: grace(action) })).toBe(false)
    expect(planChanges({ ...steady, writes: [noWrite({ deletions: [] })] })).toBe(false)
    expect(
      planChanges({
        ...steady,
        switchFromRole: {
          roleName: 'r',
          roleArn: 'arn:r',
          deleteRole: false,
          inlinePolicies: [],
          managedPolicyArns: []
        }
      })
    ).toBe(false)
  })
})

describe('rolePlanChanges: each part alone is a change', () => {
  const steady: RolePlan = {
    kind: 'role',
    roleName: 'octo-org+app',
    roleArn: 'arn:aws:iam::123456789012:role/octo-org+app',
    bucketName: 'b',
    bucketArn: 'arn:aws:s3:::b',
    region: 'eu-west-1',
    partition: 'aws',
    accountId: '123456789012',
    role: { action: 'reuse', tagsToAdd: [] },
    subjects: [],
    bucket: { action: 'reuse' },
    grants: { deleteInline: [], attach: [], detach: [] },
    writes: [noWrite()],
    warnings: []
  }

  test('the steady role plan changes nothing', () => {
    expect(rolePlanChanges(steady)).toBe(false)
    expect(anyPlanChanges(steady)).toBe(false)
  })

  const cases: [string, Partial<RolePlan>][] = [
    [
      'a role to create',
      {
        role: {
          action: 'create',
          path: '/',
          tags: [],
          trustPolicy: { Version: '2012-10-17', Statement: [] }
        }
      }
    ],
    ['role tags to add', { role: { action: 'reuse', tagsToAdd: [TAG] } }],
    [
      'a boundary to set',
      { role: { action: 'reuse', tagsToAdd: [], setPermissionsBoundary: BOUNDARY } }
    ],
    [
      'a trust policy to update',
      {
        role: {
          action: 'reuse',
          tagsToAdd: [],
          trustPolicy: { Version: '2012-10-17', Statement: [] }
        }
      }
    ],
    ['a bucket to create', { bucket: { action: 'create', tags: [] } }],
    ['a bucket to repair', { bucket: { action: 'reuse', repair: { ownership: true } } }],
    ['bucket tags to set', { bucket: { action: 'reuse', tagsToSet: [TAG] } }],
    [
      'an inline policy to put',
      { grants: { ...steady.grants, putInline: { name: 'p', document: DOCUMENT } } }
    ],
    ['a policy to attach', { grants: { ...steady.grants, attach: ['arn:a'] } }],
    ['a policy to detach', { grants: { ...steady.grants, detach: ['arn:d'] } }],
    ['an inline policy to delete', { grants: { ...steady.grants, deleteInline: ['old'] } }],
    ['a secret to write', { writes: [noWrite(), noWrite({ secrets: ['roleArn'] })] }],
    [
      'a variable to write',
      { writes: [noWrite({ variables: [{ field: 'bucket', exists: false }] })] }
    ],
    [
      'a key secret to delete',
      { writes: [noWrite({ deletions: [{ field: 'accessKeyId', kind: 'secret' }] })] }
    ],
    ['keys to retire', { retireKeys: { userName: 'u', keyIds: [KEY_A], disposal: 'delete' } }]
  ]
  test.each(cases)('%s', (_, change) => {
    const plan = { ...steady, ...change }
    expect(rolePlanChanges(plan)).toBe(true)
    expect(anyPlanChanges(plan)).toBe(true)
  })
})

describe('anyPlanChanges of a removal', () => {
  const removal = (overrides: Partial<RemovalPlan> = {}): RemovalPlan => ({
    kind: 'removal',
    userName: 'u',
    userArn: 'arn:u',
    bucketName: 'b',
    bucketArn: 'arn:aws:s3:::b',
    destinations: [],
    bucket: { action: 'absent' },
    lockWarnings: [],
    ...overrides
  })

  test('a removal changes something exactly when it removes something', () => {
    expect(anyPlanChanges(removal())).toBe(false)
    expect(anyPlanChanges(removal({ bucket: { action: 'delete' } }))).toBe(true)
    expect(
      anyPlanChanges(removal({ user: { keys: [], inlinePolicies: [], managedPolicies: [] } }))
    ).toBe(true)
  })
})
