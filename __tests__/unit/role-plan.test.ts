/**
 * Role mode's pure parts: the `trust` input, the OIDC subjects and trust policy (plan/trust.ts) and
 * the role plan (plan/role.ts): what is created, kept, changed, written, deleted and retired.
 */
import { configFrom } from '../../__fixtures__/config.js'
import {
  ACCOUNT_ID,
  BOUNDARY_ARN,
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
import { InputErrors, isActionError } from '../../src/errors.js'
import type { Observed, ObservedRole } from '../../src/plan/observed.js'
import { buildRolePlan } from '../../src/plan/role.js'
import { buildPlan } from '../../src/plan/plan.js'
import {
  oidcIssuer,
  oidcProviderArn,
  subjectPrefix,
  subjectsFor,
  trustPolicy
} from '../../src/plan/trust.js'
import { trustedRepository as repository } from '../../__fixtures__/trust.js'

const ISSUER = 'https://token.actions.githubusercontent.com'
const PROVIDER = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`

function roleConfig(inputs: Record<string, string> = {}): Config {
  return configFrom({ credentials: 'role', ...inputs })
}

function oidc(repos = [repository()], providerExists = true): Observed['oidc'] {
  return { issuer: ISSUER, providerArn: PROVIDER, providerExists, repositories: repos }
}

function observedRole(config: Config, overrides: Partial<ObservedRole> = {}): ObservedRole {
  const plan = buildRolePlan(config, freshObserved(config, { oidc: oidc() }), NOW)
  const created = plan.role.action === 'create' ? plan.role : undefined
  return {
    arn: plan.roleArn,
    path: USER_PATH,
    tags: [OWNERSHIP],
    permissionsBoundaryArn: BOUNDARY_ARN,
    trustPolicy: created?.trustPolicy,
    inlinePolicies: { 's3-credentials-action': plan.grants.putInline?.document },
    managedPolicyArns: [],
    ...overrides
  }
}

/** Role mode after a first run: the role, its variables, no user. */
function steadyRole(config: Config, overrides: Partial<Observed> = {}): Observed {
  const role = observedRole(config)
  return steadyObserved(config, {
    user: undefined,
    role,
    oidc: oidc(),
    destinations: config.destinations.map(destination =>
      observedDestination({
        destination,
        secretNames: [],
        variables: {
          AWS_ROLE_ARN: role.arn,
          AWS_REGION: config.region,
          AWS_BUCKET_NAME: 's3ca-octo-org-app-edfc67-123456789012'
        }
      })
    ),
    ...overrides
  })
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (e) {
    if (isActionError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected an ActionError')
}

describe('the trust input', () => {
  test('empty trusts the default branch; entries parse to their kinds', () => {
    expect(roleConfig().trust).toEqual([{ kind: 'default-branch' }])
    expect(
      roleConfig({ trust: 'branch:release/v2\nenvironment:prod\ntag:v*\npull-request' }).trust
    ).toEqual([
      { kind: 'branch', name: 'release/v2' },
      { kind: 'environment', name: 'prod' },
      { kind: 'tag', pattern: 'v*' },
      { kind: 'pull-request' }
    ])
  })

  test('pull-request is accepted with a warning', () => {
    expect(roleConfig({ trust: 'pull-request' }).warnings.join(' ')).toContain('pull request')
  })

  test.each([
    ['*'],
    ['repo:octo-org/*'],
    ['repo:other/app:ref:refs/heads/main'],
    ['branch:*'],
    ['branch:main:environment:prod'],
    ['branch:${aws:username}'],
    ['branch:'],
    ['branch:../x'],
    ['tag:v1:x'],
    ['environment:${aws:username}'],
    ['environment:prod*'],
    ['environment:'],
    ['org:octo-org']
  ])('%j is refused before any change', entry => {
    let error: unknown
    try {
      roleConfig({ trust: entry })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputErrors)
    expect((error as InputErrors).errors.map(e => e.input)).toEqual(['trust'])
  })

  test('role mode refuses organization visibility all/private and other secret stores', () => {
    const errors = (inputs: Record<string, string>) => {
      try {
        roleConfig(inputs)
        return []
      } catch (e) {
        return (e as InputErrors).errors.map(x => x.input)
      }
    }
    expect(errors({ organization: 'octo-org', visibility: 'all' })).toEqual(['visibility'])
    expect(errors({ 'secret-store': 'dependabot', 'region-and-bucket-as': 'secrets' })).toEqual([
      'secret-store'
    ])
    expect(errors({ organization: 'octo-org' })).toEqual([])
  })

  test('role mode stores variables by default; access-key mode secrets', () => {
    expect(roleConfig().regionAndBucketAs).toBe('variables')
    expect(configFrom().regionAndBucketAs).toBe('secrets')
    expect(roleConfig({ 'region-and-bucket-as': 'secrets' }).regionAndBucketAs).toBe('secrets')
  })
})

describe('subjects and the trust policy', () => {
  test('issuer per GitHub: github.com, GHE.com, Enterprise Server', () => {
    expect(oidcIssuer('https://github.com')).toBe(ISSUER)
    expect(oidcIssuer('https://octo.ghe.com')).toBe('https://token.actions.octo.ghe.com')
    expect(oidcIssuer('https://github.example.com')).toBe(
      'https://github.example.com/_services/token'
    )
    expect(oidcProviderArn('aws', ACCOUNT_ID, 'https://github.example.com/_services/token')).toBe(
      `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/github.example.com/_services/token`
    )
  })

  test('the immutable format uses the ids; GitHub’s prefix wins when it names the repository', () => {
    expect(subjectPrefix(repository())).toBe('repo:octo-org/app')
    expect(
      subjectPrefix(repository({ subject: { useDefault: true, useImmutableSubject: true } }))
    ).toBe('repo:octo-org@123456/app@456789')
    expect(
      subjectPrefix(
        repository({
          subject: { useDefault: true, subClaimPrefix: 'repo:octo-org@123456/app@456789' }
        })
      )
    ).toBe('repo:octo-org@123456/app@456789')
    // A prefix naming anything else is not believed.
    expect(
      subjectPrefix(repository({ subject: { useDefault: true, subClaimPrefix: 'repo:evil/*' } }))
    ).toBe('repo:octo-org/app')
  })

  test('a customized subject is refused with its own code', () => {
    const custom = repository({
      subject: { useDefault: false, includeClaimKeys: ['repository_owner', 'context'] }
    })
    expect(errorOf(() => subjectPrefix(custom)).code).toBe('OIDC_SUBJECT_CUSTOMIZED')
    const same = repository({
      subject: { useDefault: false, includeClaimKeys: ['repo', 'context'] }
    })
    expect(subjectPrefix(same)).toBe('repo:octo-org/app')
  })

  test('each entry, for each repository; patterns apart from exact subjects', () => {
    const repos = [repository(), repository({ fullName: 'octo-org/web', defaultBranch: 'trunk' })]
    const subjects = subjectsFor(
      [
        { kind: 'default-branch' },
        { kind: 'environment', name: 'prod' },
        { kind: 'tag', pattern: 'v*' },
        { kind: 'tag', pattern: 'v1.0.0' },
        { kind: 'pull-request' }
      ],
      repos
    )
    expect(subjects.exact).toEqual([
      'repo:octo-org/app:environment:prod',
      'repo:octo-org/app:pull_request',
      'repo:octo-org/app:ref:refs/heads/main',
      'repo:octo-org/app:ref:refs/tags/v1.0.0',
      'repo:octo-org/web:environment:prod',
      'repo:octo-org/web:pull_request',
      'repo:octo-org/web:ref:refs/heads/trunk',
      'repo:octo-org/web:ref:refs/tags/v1.0.0'
    ])
    expect(subjects.patterns).toEqual([
      'repo:octo-org/app:ref:refs/tags/v*',
      'repo:octo-org/web:ref:refs/tags/v*'
    ])
    const policy = trustPolicy(PROVIDER, ISSUER, subjects)
    expect(policy.Statement).toHaveLength(2)
    for (const st of policy.Statement) {
      expect(st.Principal).toEqual({ Federated: PROVIDER })
      expect(st.Condition.StringEquals!['token.actions.githubusercontent.com:aud']).toBe(
        'sts.amazonaws.com'
      )
    }
    expect(policy.Statement[1]!.Condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:sub': subjects.patterns
    })
  })
})

describe('a switch back to access-key', () => {
  const keyConfig = () => configFrom()
  test('the action’s role: its ARN goes from the destinations once they hold the key, and the role with old-key delete', () => {
    const config = keyConfig()
    const role = observedRole(roleConfig())
    const observed = freshObserved(config, {
      role,
      destinations: config.destinations.map(destination =>
        observedDestination({
          destination,
          secretNames: [],
          variables: { AWS_ROLE_ARN: role.arn, AWS_REGION: 'us-east-1' }
        })
      )
    })
    const plan = buildPlan(config, observed, NOW)
    expect(plan.key.action).toBe('create')
    expect(plan.writes[0]!.deletions).toEqual([{ field: 'roleArn', kind: 'variable' }])
    expect(plan.switchFromRole).toMatchObject({
      roleArn: role.arn,
      deleteRole: true,
      inlinePolicies: ['s3-credentials-action']
    })
    expect(
      buildPlan(configFrom({ 'old-key': 'keep' }), observed, NOW).switchFromRole?.deleteRole
    ).toBe(false)
  })

  test('the role’s ARN kept as a secret goes as a secret', () => {
    const config = keyConfig()
    const role = observedRole(roleConfig())
    const observed = freshObserved(config, {
      role,
      destinations: config.destinations.map(destination =>
        observedDestination({ destination, secretNames: ['AWS_ROLE_ARN'] })
      )
    })
    expect(buildPlan(config, observed, NOW).writes[0]!.deletions).toEqual([
      { field: 'roleArn', kind: 'secret' }
    ])
  })

  test('a role that is not the action’s is left alone, and so are the values naming it', () => {
    const config = keyConfig()
    const role = observedRole(roleConfig(), { tags: [] })
    const observed = freshObserved(config, {
      role,
      destinations: config.destinations.map(destination =>
        observedDestination({ destination, secretNames: ['AWS_ROLE_ARN'] })
      )
    })
    const plan = buildPlan(config, observed, NOW)
    expect(plan.switchFromRole).toBeUndefined()
    expect(plan.writes[0]!.deletions).toBeUndefined()
  })
})

describe('the role plan', () => {
  test('a first run creates the role with path, boundary, ownership tag and trust', () => {
    const config = roleConfig()
    const plan = buildRolePlan(config, freshObserved(config, { oidc: oidc() }), NOW)
    expect(plan.roleArn).toBe(`arn:aws:iam::${ACCOUNT_ID}:role${USER_PATH}octo-org+app`)
    expect(plan.role).toMatchObject({
      action: 'create',
      path: USER_PATH,
      permissionsBoundary: BOUNDARY_ARN,
      tags: [OWNERSHIP]
    })
    expect(plan.subjects).toEqual(['repo:octo-org/app:ref:refs/heads/main'])
    expect(plan.grants.putInline?.name).toBe('s3-credentials-action')
    expect(plan.writes[0]!.variables.map(v => v.field)).toEqual(['roleArn', 'region', 'bucket'])
    expect(plan.writes[0]!.secrets).toEqual([])
    expect(plan.writes[0]!.deletions).toBeUndefined()
    expect(plan.retireKeys).toBeUndefined()
  })

  test('a re-run changes nothing', () => {
    const config = roleConfig()
    const plan = buildRolePlan(config, steadyRole(config), NOW)
    expect(plan.role).toEqual({ action: 'reuse', tagsToAdd: [] })
    expect(plan.grants).toEqual({ deleteInline: [], attach: [], detach: [] })
    expect(plan.writes[0]).toMatchObject({ secrets: [], variables: [], access: [] })
    expect(plan.bucket).toEqual({ action: 'reuse' })
  })

  test('organization variables shared with other repositories are updated with their values (issue 14)', () => {
    const config = roleConfig({ organization: 'octo-org', 'selected-repositories': 'app' })
    const steady = steadyRole(config)
    const shared = (ids: number[]) => ({ visibility: 'selected', repositoryIds: ids })
    const observed = {
      ...steady,
      destinations: steady.destinations.map(o => ({
        ...o,
        wantedRepositoryIds: [1],
        variableAccess: {
          AWS_ROLE_ARN: shared([1]),
          AWS_REGION: shared([2]),
          AWS_BUCKET_NAME: { visibility: 'all' }
        }
      }))
    }
    const plan = buildRolePlan(config, observed, NOW)
    expect(plan.writes[0]!.variables).toEqual([
      { field: 'region', exists: true },
      { field: 'bucket', exists: true }
    ])
  })

  test('a changed trust updates the trust policy', () => {
    const config = roleConfig({ trust: 'environment:prod' })
    const plan = buildRolePlan(config, steadyRole(roleConfig()), NOW)
    expect(plan.role.action === 'reuse' && plan.role.trustPolicy).toBeTruthy()
    expect(plan.subjects).toEqual(['repo:octo-org/app:environment:prod'])
  })

  test('a switch from access-key deletes the key secrets and retires the keys per old-key', () => {
    const config = roleConfig()
    const user = observedUser({
      keys: [accessKey(KEY_A), accessKey(KEY_B, 'Inactive')]
    })
    const observed = steadyObserved(config, { user, oidc: oidc() })
    const plan = buildRolePlan(config, observed, NOW)
    // The new role gets its grants, whatever the user has.
    expect(plan.grants.putInline?.name).toBe('s3-credentials-action')
    expect(plan.writes[0]!.deletions).toEqual([
      { field: 'accessKeyId', kind: 'secret' },
      { field: 'secretAccessKey', kind: 'secret' }
    ])
    expect(plan.retireKeys).toEqual({
      userName: 'octo-org+app',
      keyIds: [KEY_A, KEY_B],
      disposal: 'delete'
    })
    const deactivate = buildRolePlan(roleConfig({ 'old-key': 'deactivate' }), observed, NOW)
    expect(deactivate.retireKeys?.keyIds).toEqual([KEY_A])
    expect(
      buildRolePlan(roleConfig({ 'old-key': 'keep' }), observed, NOW).retireKeys
    ).toBeUndefined()
  })

  test('key secrets are deleted only where the action’s user exists', () => {
    const config = roleConfig()
    const observed = steadyObserved(config, { user: undefined, oidc: oidc() })
    expect(buildRolePlan(config, observed, NOW).writes[0]!.deletions).toBeUndefined()
  })

  test('no provider on GitHub Enterprise Server or GHE.com: the remedy names the bootstrap parameter', () => {
    const config = roleConfig()
    const remedyFor = (issuer: string) => {
      const providerArn = oidcProviderArn('aws', ACCOUNT_ID, issuer)
      const observed = freshObserved(config, {
        oidc: { issuer, providerArn, providerExists: false, repositories: [repository()] }
      })
      try {
        buildRolePlan(config, observed, NOW)
      } catch (e) {
        if (isActionError(e) && e.code === 'OIDC_PROVIDER_MISSING') return e.remedy
        throw e
      }
      throw new Error('expected OIDC_PROVIDER_MISSING')
    }
    expect(remedyFor(oidcIssuer('https://github.example.com'))).toContain(
      'GitHubOidcIssuerHost=github.example.com/_services/token'
    )
    expect(remedyFor(oidcIssuer('https://octocorp.ghe.com'))).toContain(
      'GitHubOidcIssuerHost=token.actions.octocorp.ghe.com'
    )
    // github.com's issuer is the template's default: nothing to add.
    expect(remedyFor(ISSUER)).not.toContain('GitHubOidcIssuerHost')
  })

  test('refusals: no provider, a foreign role, a role on another path, a foreign user', () => {
    const config = roleConfig()
    expect(errorOf(() => buildRolePlan(config, freshObserved(config), NOW)).code).toBe(
      'OIDC_PROVIDER_MISSING'
    )
    expect(
      errorOf(() =>
        buildRolePlan(config, freshObserved(config, { oidc: oidc([repository()], false) }), NOW)
      ).code
    ).toBe('OIDC_PROVIDER_MISSING')
    const foreign = observedRole(config, { tags: [{ ...OWNERSHIP, value: 'other/app' }] })
    expect(
      errorOf(() => buildRolePlan(config, steadyRole(config, { role: foreign }), NOW)).code
    ).toBe('ROLE_NOT_MANAGED')
    const elsewhere = observedRole(config, { path: '/' })
    expect(
      errorOf(() => buildRolePlan(config, steadyRole(config, { role: elsewhere }), NOW)).message
    ).toContain('its path is /')
    const user = observedUser({ tags: [] })
    expect(errorOf(() => buildRolePlan(config, steadyRole(config, { user }), NOW)).code).toBe(
      'USER_NOT_MANAGED'
    )
  })

  test('another run’s rotation marker stops a switch that would retire keys', () => {
    const config = roleConfig()
    const user = observedUser({ keys: [accessKey(KEY_A)] })
    const lock = { runId: 'run-9-1', expiresAt: new Date(NOW.getTime() + 60_000) }
    const observed = steadyObserved(config, { user, oidc: oidc(), rotationLock: lock })
    expect(errorOf(() => buildRolePlan(config, observed, NOW, 'run-10-1')).code).toBe(
      'ROTATION_IN_PROGRESS'
    )
  })
})
