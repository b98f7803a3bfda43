/**
 * Issue 13 (containment): docs/iam-policy.json and docs/boundary-policy.json are the policies of
 * bootstrap/role.yml (scripts/iam-policy.mjs writes them), and the role policy keeps the action to
 * its own users and buckets: every Allow on users but the read-only one names the action's path,
 * changes to a user's rights need the boundary, no user loses it, and no statement names every
 * bucket or the old `*-ACCOUNT_ID` bucket pattern.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { oidcIssuer, oidcProviderArn, trustPolicy } from '../../src/plan/trust.js'
import {
  DOCS_FILES,
  renderTemplate,
  rolePolicyDocuments,
  type PolicyDocument,
  type PolicyStatement
} from '../../scripts/lib/iam-policy.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const readJson = (path: string) => JSON.parse(read(path)) as PolicyDocument

const docs = rolePolicyDocuments({ partition: 'aws', accountId: 'ACCOUNT_ID' })
const real = rolePolicyDocuments({ partition: 'aws-us-gov', accountId: '123456789012' })

const USERS = 'arn:aws:iam::ACCOUNT_ID:user/*'
const PATH_USERS = 'arn:aws:iam::ACCOUNT_ID:user/s3-credentials-action/*'
const BOUNDARY = 'arn:aws:iam::ACCOUNT_ID:policy/s3-credentials-action-boundary'
const resources = (s: PolicyStatement) => [s.Resource].flat()
const named = (doc: PolicyDocument, sid: string) => {
  const statement = doc.Statement.find(s => s.Sid === sid)
  if (!statement) throw new Error(`no statement ${sid}`)
  return statement
}

describe('docs/ shows the policies of bootstrap/role.yml', () => {
  test.each([
    ['role', DOCS_FILES.role],
    ['boundary', DOCS_FILES.boundary]
  ] as const)('the %s policy is %s', (key, path) => {
    expect(readJson(path)).toEqual(docs[key])
  })

  test('with a real partition and account, no placeholder or CloudFormation reference is left', () => {
    const text = JSON.stringify(real)
    expect(text).not.toMatch(/ACCOUNT_ID|\$\{|"Ref"|Fn::|arn:aws:/)
    expect(text).toContain('arn:aws-us-gov:iam::123456789012:policy/s3-credentials-action-boundary')
    expect(text).toContain('arn:aws-us-gov:s3:::s3ca-*')
  })

  test('the template names no partition or account literally', () => {
    const template = read('bootstrap/role.yml')
    // Only the OIDC provider parameter's pattern may spell a partition (arn:aws[a-z-]*).
    expect(template.replace(/arn:aws\[a-z-\]\*/g, '')).not.toMatch(/arn:aws[:-]|\d{12}/)
    expect(template).not.toMatch(/!(Sub|Ref|If|GetAtt|Equals)\b/)
  })
})

describe('the role policy', () => {
  const allows = docs.role.Statement.filter(s => s.Effect === 'Allow')
  const onUsers = allows.filter(s => resources(s).some(r => r.includes(':user/')))

  test('every Allow on users names the action path, except the read-only statement', () => {
    const readOnly = onUsers.filter(s => resources(s).includes(USERS))
    expect(readOnly).toHaveLength(1)
    expect(readOnly[0]!.Action.every(a => /^iam:(Get|List)/.test(a))).toBe(true)
    for (const statement of onUsers.filter(s => s !== readOnly[0]))
      expect({ sid: statement.Sid, resources: resources(statement) }).toEqual({
        sid: statement.Sid,
        resources: [PATH_USERS]
      })
  })

  test('users are created, and their rights changed, only with the boundary', () => {
    for (const sid of [
      'CreateUsersWithTheBoundary',
      'ManageUsersWithinTheBoundary',
      'AttachAllowedPoliciesWithinTheBoundary'
    ])
      expect(named(docs.role, sid).Condition?.StringEquals).toEqual({
        'iam:PermissionsBoundary': BOUNDARY
      })
    const guarded = [
      'CreateUser',
      'PutUserPolicy',
      'AttachUserPolicy',
      'PutUserPermissionsBoundary'
    ]
    for (const action of guarded.map(a => `iam:${a}`))
      for (const statement of allows.filter(s => s.Action.includes(action)))
        expect(statement.Condition?.StringEquals?.['iam:PermissionsBoundary']).toBe(BOUNDARY)
  })

  test('only the S3 managed policies and the account own policies may be attached', () => {
    expect(named(docs.role, 'AttachAllowedPoliciesWithinTheBoundary').Condition?.ArnLike).toEqual({
      'iam:PolicyARN': [
        'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        'arn:aws:iam::ACCOUNT_ID:policy/*'
      ]
    })
  })

  test('denies removing a boundary, setting another one and changing the two policies', () => {
    expect(named(docs.role, 'DenyRemovingBoundaries')).toEqual({
      Sid: 'DenyRemovingBoundaries',
      Effect: 'Deny',
      Action: ['iam:DeleteUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'],
      Resource: '*'
    })
    expect(named(docs.role, 'DenyOtherBoundaries')).toMatchObject({
      Effect: 'Deny',
      Action: ['iam:PutUserPermissionsBoundary', 'iam:PutRolePermissionsBoundary'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': BOUNDARY } }
    })
    expect(named(docs.role, 'DenyChangingThePolicies')).toMatchObject({
      Effect: 'Deny',
      Resource: [BOUNDARY, 'arn:aws:iam::ACCOUNT_ID:policy/s3-credentials-action-role']
    })
  })

  test('grants nothing on users, roles or buckets outside the action’s, and no other service', () => {
    for (const statement of allows) {
      for (const action of statement.Action) expect(action).toMatch(/^(iam|s3):[A-Za-z]+$/)
      for (const resource of resources(statement))
        expect(resource).toMatch(
          /^arn:aws:(iam::ACCOUNT_ID:((user|role)\/(s3-credentials-action\/)?\*|policy\/s3-credentials-action-boundary|oidc-provider\/token\.actions\.githubusercontent\.com)|s3:::s3ca-\*)$/
        )
    }
  })

  test('changes roles only on the action’s path, and creates them only with the boundary', () => {
    const wide = allows.filter(st => resources(st).includes('arn:aws:iam::ACCOUNT_ID:role/*'))
    expect(wide.flatMap(st => st.Action).every(a => /^iam:(Get|List)/.test(a))).toBe(true)
    // A role's trust is rewritten, and a role deleted, only where it carries the ownership tag.
    expect(named(docs.role, 'ManageTrustAndDeletionOfOwnedRolesOnThePath')).toMatchObject({
      Action: ['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole'],
      Condition: { Null: { 'aws:ResourceTag/s3-credentials-action:repository': 'false' } }
    })
    expect(named(docs.role, 'CreateRolesWithTheBoundary')).toMatchObject({
      Action: ['iam:CreateRole'],
      Resource: 'arn:aws:iam::ACCOUNT_ID:role/s3-credentials-action/*',
      Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } }
    })
  })
})

describe('no statement names every bucket or the old bucket pattern', () => {
  test.each([
    ['role', docs.role],
    ['boundary', docs.boundary]
  ] as const)('the %s policy', (_, doc) => {
    for (const resource of doc.Statement.flatMap(resources)) {
      expect(resource).not.toMatch(/^arn:aws:s3:::\*/)
      expect(resource).not.toMatch(/-ACCOUNT_ID(\/\*)?$/)
    }
  })
})

describe('the boundary', () => {
  test('allows S3 on s3ca-* buckets and their objects, and nothing else', () => {
    for (const statement of docs.boundary.Statement) {
      expect(statement.Effect).toBe('Allow')
      for (const action of statement.Action) expect(action).toMatch(/^s3:/)
      expect(resources(statement)).toEqual([
        statement.Action.some(a => /Object|MultipartUploadParts|AbortMultipartUpload/.test(a))
          ? 'arn:aws:s3:::s3ca-*/*'
          : 'arn:aws:s3:::s3ca-*'
      ])
    }
    const actions = docs.boundary.Statement.flatMap(s => s.Action)
    for (const needed of [
      's3:ListBucket',
      's3:GetBucketLocation',
      's3:ListBucketMultipartUploads',
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts'
    ])
      expect(actions).toContain(needed)
  })
})

describe('bootstrap/role.yml', () => {
  const template = parse(read('bootstrap/role.yml')) as {
    Parameters: Record<string, { Default?: string; AllowedPattern?: string }>
    Resources: Record<string, { Type: string; Condition?: string; Properties: never }>
    Outputs: Record<string, unknown>
  }

  test('names the role, its policy and the boundary as the action expects', () => {
    const props = (name: string) => template.Resources[name]!.Properties as Record<string, unknown>
    expect(props('Role').RoleName).toBe('s3-credentials-action')
    expect(props('RolePolicy').ManagedPolicyName).toBe('s3-credentials-action-role')
    expect(props('BoundaryPolicy').ManagedPolicyName).toBe('s3-credentials-action-boundary')
    expect(props('BoundaryPolicy').Path).toBeUndefined()
    expect(template.Resources.GitHubOidcProvider!.Condition).toBe('CreateOidcProvider')
    expect(Object.keys(template.Outputs).sort()).toEqual(['BoundaryArn', 'RoleArn'])
  })

  test('trusts only the repository environment, through GitHub OIDC', () => {
    const [trust, ...others] = renderTemplate({
      parameters: { Repository: 'octo-org/octo-repo' }
    }).trustPolicy().Statement
    expect(others).toEqual([])
    expect(trust).toEqual({
      Sid: 'GitHubEnvironmentOnly',
      Effect: 'Allow',
      Principal: {
        Federated: 'arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com'
      },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub':
            'repo:octo-org/octo-repo:environment:aws-credentials'
        }
      }
    })
  })

  test('parameters: the repository pattern, the environment and the optional provider', () => {
    const { Repository, EnvironmentName, OidcProviderArn } = template.Parameters
    const repository = new RegExp(Repository!.AllowedPattern!)
    expect(repository.test('octo-org/octo-repo')).toBe(true)
    expect(repository.test('octo-org/octo-repo:ref:refs/heads/main')).toBe(false)
    expect(repository.test('*')).toBe(false)
    expect(EnvironmentName!.Default).toBe('aws-credentials')
    expect(new RegExp(EnvironmentName!.AllowedPattern!).test('prod:*')).toBe(false)
    const provider = new RegExp(OidcProviderArn!.AllowedPattern!)
    expect(OidcProviderArn!.Default).toBe('')
    expect(provider.test('')).toBe(true)
    expect(
      provider.test('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com')
    ).toBe(true)
    expect(provider.test('arn:aws:iam::123456789012:oidc-provider/example.com')).toBe(false)
  })
})

/**
 * GitHub Enterprise Server 3.19+ and GHE.com: GitHub's "Configuring OpenID Connect in Amazon Web
 * Services" names the provider URL https://HOSTNAME/_services/token (GHES), the GHE.com network
 * details https://token.actions.SUBDOMAIN.ghe.com, both with the audience sts.amazonaws.com and the
 * condition keys HOSTNAME/_services/token:aud and :sub (the issuer without https://), which is
 * also the provider's name in its ARN (IAM matches the path too).
 */
describe('bootstrap/role.yml for another GitHub (GitHubOidcIssuerHost)', () => {
  const ACCOUNT = '123456789012'
  test.each([
    ['github.com, the default', undefined, 'https://github.com'],
    [
      'GitHub Enterprise Server',
      'github.example.com/_services/token',
      'https://github.example.com'
    ],
    ['GHE.com', 'token.actions.octocorp.ghe.com', 'https://octocorp.ghe.com']
  ])('%s: the provider, the trust and the provider check name its issuer', (_, host, server) => {
    const rendered = renderTemplate({
      accountId: ACCOUNT,
      parameters: {
        Repository: 'octo-org/octo-repo',
        ...(host === undefined ? {} : { GitHubOidcIssuerHost: host })
      }
    })
    // The issuer the action derives from the server's URL (role mode) is the template's.
    const issuer = oidcIssuer(server)
    const arn = oidcProviderArn('aws', ACCOUNT, issuer)
    const key = issuer.replace('https://', '')
    expect(rendered.providerUrl).toBe(issuer)
    const [trust] = rendered.trustPolicy().Statement
    expect(trust!.Principal.Federated).toBe(arn)
    expect(trust!.Condition).toEqual({
      StringEquals: {
        [`${key}:aud`]: 'sts.amazonaws.com',
        [`${key}:sub`]: 'repo:octo-org/octo-repo:environment:aws-credentials'
      }
    })
    // The condition keys the action writes for its own roles on that server.
    const own = trustPolicy(arn, issuer, { exact: ['x'], patterns: [] }).Statement[0]!
    expect(Object.keys(trust!.Condition.StringEquals!).sort()).toEqual(
      Object.keys(own.Condition.StringEquals!).sort()
    )
    expect(named(rendered.role, 'ReadTheGitHubProvider')).toEqual({
      Sid: 'ReadTheGitHubProvider',
      Effect: 'Allow',
      Action: ['iam:GetOpenIDConnectProvider'],
      Resource: arn
    })
  })

  test('an existing provider is trusted as given, and none is created', () => {
    const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/github.example.com/_services/token`
    const rendered = renderTemplate({
      accountId: ACCOUNT,
      parameters: {
        Repository: 'octo-org/octo-repo',
        GitHubOidcIssuerHost: 'github.example.com/_services/token',
        OidcProviderArn: existing
      }
    })
    expect(rendered.providerUrl).toBeUndefined()
    expect(rendered.trustPolicy().Statement[0]!.Principal.Federated).toBe(existing)
  })

  test('the parameter takes the three issuers GitHub documents, as the action derives them', () => {
    const template = parse(read('bootstrap/role.yml')) as {
      Parameters: Record<string, { Default?: string; AllowedPattern?: string }>
    }
    const { GitHubOidcIssuerHost, OidcProviderArn } = template.Parameters
    expect(GitHubOidcIssuerHost!.Default).toBe('token.actions.githubusercontent.com')
    const host = new RegExp(GitHubOidcIssuerHost!.AllowedPattern!)
    for (const good of [
      'token.actions.githubusercontent.com',
      'token.actions.octocorp.ghe.com',
      'github.example.com/_services/token',
      'ghes-1.corp.example/_services/token'
    ])
      expect({ good, ok: host.test(good) }).toEqual({ good, ok: true })
    for (const bad of [
      'https://token.actions.githubusercontent.com',
      'token.actions.githubusercontent.com/',
      'token.actions.githubusercontent.com/octo-enterprise',
      'github.example.com',
      'GitHub.Example.com/_services/token',
      'github.example.com:8443/_services/token',
      'example.com/_services/token"',
      'token.actions.ghe.com',
      ''
    ])
      expect({ bad, ok: host.test(bad) }).toEqual({ bad, ok: false })
    const provider = new RegExp(OidcProviderArn!.AllowedPattern!)
    expect(
      provider.test('arn:aws:iam::123456789012:oidc-provider/github.example.com/_services/token')
    ).toBe(true)
    expect(
      provider.test('arn:aws:iam::123456789012:oidc-provider/token.actions.octocorp.ghe.com')
    ).toBe(true)
    expect(provider.test('arn:aws:iam::123456789012:oidc-provider/example.com')).toBe(false)
  })
})
