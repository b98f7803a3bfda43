// Mutation tests of src/plan/role.ts (issue 12): what a role plan reports, the role's boundary and
// tags on a re-run, the values written as secrets, and when another run's marker stops a switch.
import { configFrom } from '../../__fixtures__/config.js'
import {
  ACCOUNT_ID,
  BOUNDARY_ARN,
  BUCKET,
  KEY_A,
  KEY_B,
  NOW,
  OWNERSHIP,
  USER_PATH,
  accessKey,
  freshObserved,
  observedDestination,
  observedUser,
  steadyObserved
} from '../../__fixtures__/observed.js'
import type { Config } from '../../src/inputs/config.js'
import { MAX_ROTATION_LOCK_MS } from '../../src/plan/markers.js'
import type { Observed, ObservedRole } from '../../src/plan/observed.js'
import { buildRolePlan, roleArn } from '../../src/plan/role.js'
import type { RolePlan } from '../../src/plan/types.js'
import { refusal } from '../../__fixtures__/refusal.js'

const ISSUER = 'https://token.actions.githubusercontent.com'
const PROVIDER = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role${USER_PATH}octo-org+app`
const REPOSITORY = {
  fullName: 'octo-org/app',
  id: 456789,
  ownerId: 123456,
  defaultBranch: 'main',
  subject: { useDefault: true }
}

function oidc(providerExists = true): Observed['oidc'] {
  return { issuer: ISSUER, providerArn: PROVIDER, providerExists, repositories: [REPOSITORY] }
}

function roleConfig(inputs: Record<string, string> = {}): Config {
  return configFrom({ credentials: 'role', ...inputs })
}

/** The role as the first run of `config` made it. */
function madeRole(config: Config, overrides: Partial<ObservedRole> = {}): ObservedRole {
  const first = buildRolePlan(config, freshObserved(config, { oidc: oidc() }), NOW)
  return {
    arn: first.roleArn,
    path: USER_PATH,
    tags: [OWNERSHIP],
    permissionsBoundaryArn: BOUNDARY_ARN,
    trustPolicy: first.role.action === 'create' ? first.role.trustPolicy : undefined,
    inlinePolicies: { 's3-credentials-action': first.grants.putInline?.document },
    managedPolicyArns: [],
    ...overrides
  }
}

describe('what a role plan reports', () => {
  test('names, ARNs, region, partition and the inputs’ warnings', () => {
    const config = roleConfig({ trust: 'pull-request' })
    const plan: RolePlan = buildRolePlan(config, freshObserved(config, { oidc: oidc() }), NOW)
    expect(plan).toMatchObject({
      kind: 'role',
      roleName: 'octo-org+app',
      roleArn: ROLE_ARN,
      bucketName: BUCKET,
      bucketArn: `arn:aws:s3:::${BUCKET}`,
      region: config.region,
      partition: 'aws',
      subjects: ['repo:octo-org/app:pull_request']
    })
    expect(config.warnings.length).toBeGreaterThan(0)
    expect(plan.warnings).toEqual(config.warnings)
    expect(roleArn('aws-cn', ACCOUNT_ID, '/p/', 'r')).toBe(`arn:aws-cn:iam::${ACCOUNT_ID}:role/p/r`)
  })

  test('an existing role keeps its own ARN', () => {
    const config = roleConfig()
    const role = madeRole(config, { arn: `arn:aws:iam::${ACCOUNT_ID}:role/moved/octo-org+app` })
    const plan = buildRolePlan(config, freshObserved(config, { role, oidc: oidc() }), NOW)
    expect(plan.roleArn).toBe(role.arn)
  })

  test('no provider: the refusal names the issuer and the provider looked for, or none', () => {
    const config = roleConfig()
    expect(refusal(() => buildRolePlan(config, freshObserved(config), NOW))).toEqual({
      code: 'OIDC_PROVIDER_MISSING',
      message:
        "The account has no OIDC provider for GitHub's issuer (none found), so no workflow could assume a role; nothing was changed.",
      remedy:
        'deploy bootstrap/role.yml (it creates the provider), or create the provider with the audience sts.amazonaws.com.'
    })
    const missing = refusal(() =>
      buildRolePlan(config, freshObserved(config, { oidc: oidc(false) }), NOW)
    )
    expect(missing.message).toContain(`for ${ISSUER} (${PROVIDER})`)
  })
})

describe('the role itself', () => {
  test('created without a boundary where none is asked for', () => {
    const config = roleConfig({ 'permissions-boundary': 'none' })
    const plan = buildRolePlan(config, freshObserved(config, { oidc: oidc() }), NOW)
    expect(plan.role.action).toBe('create')
    expect('permissionsBoundary' in plan.role).toBe(false)
  })

  test('a re-run adds the missing tags and sets a boundary that differs, and only then', () => {
    const config = roleConfig({ tags: 'team=platform' })
    const role = madeRole(config, { permissionsBoundaryArn: undefined })
    const plan = buildRolePlan(config, freshObserved(config, { role, oidc: oidc() }), NOW)
    expect(plan.role).toEqual({
      action: 'reuse',
      tagsToAdd: [{ key: 'team', value: 'platform' }],
      setPermissionsBoundary: BOUNDARY_ARN
    })
  })

  test('permissions-boundary none leaves the role’s boundary as it is: nothing to set', () => {
    const none = roleConfig({ 'permissions-boundary': 'none' })
    const role = madeRole(none, { permissionsBoundaryArn: BOUNDARY_ARN })
    const kept = buildRolePlan(none, freshObserved(none, { role, oidc: oidc() }), NOW)
    expect(kept.role).toStrictEqual({ action: 'reuse', tagsToAdd: [] })
  })

  test('refused before any change, as a key’s plan is: a missing boundary, a foreign bucket', () => {
    const config = roleConfig()
    const noBoundary = freshObserved(config, {
      oidc: oidc(),
      boundary: { arn: BOUNDARY_ARN, exists: false }
    })
    expect(refusal(() => buildRolePlan(config, noBoundary, NOW)).code).toBe('BOUNDARY_MISSING')
    const foreign = freshObserved(config, { oidc: oidc(), bucket: { state: 'foreign' } })
    expect(refusal(() => buildRolePlan(config, foreign, NOW)).code).toBe('BUCKET_FOREIGN')
  })
})

describe('the values written as secrets (region-and-bucket-as secrets)', () => {
  const config = roleConfig({ 'region-and-bucket-as': 'secrets' })
  const holding = (secretNames: string[], role?: ObservedRole): Observed =>
    freshObserved(config, {
      ...(role ? { role } : {}),
      oidc: oidc(),
      destinations: config.destinations.map(destination =>
        observedDestination({ destination, secretNames })
      )
    })

  test('a new role: all three, even where the destination holds them', () => {
    const plan = buildRolePlan(
      config,
      holding(['AWS_ROLE_ARN', 'AWS_REGION', 'AWS_BUCKET_NAME']),
      NOW
    )
    expect(plan.writes[0]).toEqual({
      destination: config.destinations[0],
      secrets: ['roleArn', 'region', 'bucket'],
      variables: [],
      access: []
    })
  })

  test('the role kept: only the secrets missing', () => {
    const role = madeRole(config)
    const plan = buildRolePlan(config, holding(['AWS_ROLE_ARN', 'AWS_BUCKET_NAME'], role), NOW)
    expect(plan.writes[0]!.secrets).toEqual(['region'])
    const full = buildRolePlan(
      config,
      holding(['AWS_ROLE_ARN', 'AWS_REGION', 'AWS_BUCKET_NAME'], role),
      NOW
    )
    expect(full.writes[0]!.secrets).toEqual([])
  })

  test('an organization secret shared with other repositories is written again', () => {
    const org = roleConfig({
      'region-and-bucket-as': 'secrets',
      organization: 'octo-org',
      'selected-repositories': 'app'
    })
    const role = madeRole(org)
    const shared = (ids: number[]) => ({ visibility: 'selected', repositoryIds: ids })
    const observed = freshObserved(org, {
      role,
      oidc: oidc(),
      destinations: org.destinations.map(destination => ({
        ...observedDestination({
          destination,
          secretNames: ['AWS_ROLE_ARN', 'AWS_REGION', 'AWS_BUCKET_NAME']
        }),
        wantedRepositoryIds: [1],
        secretAccess: {
          AWS_ROLE_ARN: shared([1]),
          AWS_REGION: shared([1, 2]),
          AWS_BUCKET_NAME: shared([1])
        }
      }))
    })
    expect(buildRolePlan(org, observed, NOW).writes[0]!.secrets).toEqual(['region'])
  })

  test('variables: a new one is created, a changed one updated', () => {
    const vars = roleConfig()
    const observed = freshObserved(vars, {
      oidc: oidc(),
      destinations: vars.destinations.map(destination =>
        observedDestination({
          destination,
          secretNames: [],
          variables: { AWS_ROLE_ARN: 'arn:old', AWS_BUCKET_NAME: BUCKET }
        })
      )
    })
    expect(buildRolePlan(vars, observed, NOW).writes[0]!.variables).toEqual([
      { field: 'roleArn', exists: true },
      { field: 'region', exists: false }
    ])
  })
})

describe('retiring the user’s keys on a switch', () => {
  const config = roleConfig()
  const observed = (overrides: Partial<Observed> = {}): Observed =>
    steadyObserved(config, {
      user: observedUser({ keys: [accessKey(KEY_A), accessKey(KEY_B, 'Inactive')] }),
      oidc: oidc(),
      ...overrides
    })
  const lock = (expiresInMs: number, runId = 'run-9-1') => ({
    rotationLock: { runId, expiresAt: new Date(NOW.getTime() + expiresInMs) }
  })

  test('deactivate with only inactive keys, or a user without keys: nothing to retire', () => {
    const inactive = observed({ user: observedUser({ keys: [accessKey(KEY_B, 'Inactive')] }) })
    expect(
      buildRolePlan(roleConfig({ 'old-key': 'deactivate' }), inactive, NOW).retireKeys
    ).toBeUndefined()
    expect(
      buildRolePlan(config, observed({ user: observedUser({ keys: [] }) }), NOW).retireKeys
    ).toBeUndefined()
  })

  test('the refusal names the run, the user and until when', () => {
    expect(refusal(() => buildRolePlan(config, observed(lock(60_000)), NOW, 'run-10-1'))).toEqual({
      code: 'ROTATION_IN_PROGRESS',
      message: `Another run (run-9-1) is changing the keys of user 'octo-org+app' until ${new Date(NOW.getTime() + 60_000).toISOString()}; nothing was changed.`,
      remedy:
        'let that run finish and run again (the README workflow uses a concurrency group so runs queue instead).'
    })
  })

  test.each<[string, Partial<Observed>, string | undefined]>([
    ['an expired marker', lock(0), 'run-10-1'],
    ['a marker ending later than any run sets', lock(MAX_ROTATION_LOCK_MS + 1), 'run-10-1'],
    ['an earlier attempt of this run', lock(60_000, 'run-10-1'), 'run-10-2'],
    [
      'a marker of a run GitHub says completed',
      { ...lock(60_000), rotationLockRun: { state: 'completed' } },
      'run-10-1'
    ]
  ])('%s does not stop the switch', (_, overrides, runId) => {
    const plan = buildRolePlan(config, observed(overrides), NOW, runId)
    expect(plan.retireKeys?.keyIds).toEqual([KEY_A, KEY_B])
  })

  test.each<[string, Partial<Observed>, string | undefined]>([
    ['a marker ending at the longest a run sets', lock(MAX_ROTATION_LOCK_MS), 'run-10-1'],
    [
      'a marker of a run still running',
      { ...lock(60_000), rotationLockRun: { state: 'running' } },
      'run-10-1'
    ],
    ['a later attempt’s marker', lock(60_000, 'run-10-3'), 'run-10-2'],
    ['a marker seen by a run without an id', lock(60_000), undefined]
  ])('%s stops it', (_, overrides, runId) => {
    expect(refusal(() => buildRolePlan(config, observed(overrides), NOW, runId)).code).toBe(
      'ROTATION_IN_PROGRESS'
    )
  })
})
