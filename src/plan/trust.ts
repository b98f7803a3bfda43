/**
 * The OIDC trust protocol: which issuer GitHub's tokens come from, what subject a workflow run of a
 * repository carries, and the trust policy that lets exactly those subjects assume the role. The
 * subjects are built here from what GitHub says of each repository (its spelling, its ids, its
 * subject format), so that no input can name another repository, owner or fork.
 */
import { ActionError } from '../errors.js'
import type { TrustEntry } from '../inputs/config.js'
import { githubServerKind } from '../inputs/rules.js'

/** The audience aws-actions/configure-aws-credentials asks GitHub's token for. */
export const OIDC_AUDIENCE = 'sts.amazonaws.com'

/** github.com's issuer, also the default of bootstrap/role.yml's GitHubOidcIssuerHost. */
export const GITHUB_COM_ISSUER = 'https://token.actions.githubusercontent.com'

/**
 * The issuer of the tokens of the GitHub the action runs against: github.com's, a GHE.com
 * tenant's (`token.actions.<tenant>.ghe.com`), or a GitHub Enterprise Server's own.
 */
export function oidcIssuer(serverUrl: string): string {
  const url = new URL(serverUrl)
  const kind = githubServerKind(serverUrl)
  if (kind === 'github.com') return GITHUB_COM_ISSUER
  if (kind === 'ghe.com') return `https://token.actions.${url.hostname.split('.')[0]}.ghe.com`
  return `${url.origin}/_services/token`
}

/** The issuer without its scheme: IAM's name for the provider and its condition keys' prefix. */
export function issuerHost(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/$/, '')
}

export function oidcProviderArn(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHost(issuer)}`
}

/** What GitHub says of a repository the role trusts (GET /repos, GET .../oidc/customization/sub). */
export interface TrustedRepository {
  /** `owner/name` as GitHub spells it: subjects are compared case-sensitively. */
  fullName: string
  id: number
  ownerId: number
  defaultBranch: string
  subject: SubjectCustomization
}

export interface SubjectCustomization {
  useDefault: boolean
  includeClaimKeys?: string[]
  useImmutableSubject?: boolean
  /** GitHub's own word on the subject's prefix (`repo:owner@id/name@id` where ids are used). */
  subClaimPrefix?: string
}

/**
 * The subject's `repo:` part for the repository: GitHub's prefix where it gives one, the immutable
 * ids where the repository opted in, the names otherwise. A customized subject (other claim keys)
 * is refused: the action would have to guess what the tokens carry.
 */
export function subjectPrefix(repo: TrustedRepository): string {
  const s = repo.subject
  const [owner = '', name = ''] = repo.fullName.split('/')
  const custom = !s.useDefault && s.includeClaimKeys !== undefined
  if (custom && s.includeClaimKeys!.join(',') !== 'repo,context')
    throw new ActionError(
      'OIDC_SUBJECT_CUSTOMIZED',
      `Repository ${repo.fullName} customizes its OIDC subject (claim keys ${s.includeClaimKeys!.join(', ') || 'none'}), so the action cannot tell which subject its runs carry; nothing was changed.`,
      `reset it to the default (PUT /repos/${repo.fullName}/actions/oidc/customization/sub with use_default true), or trust the role yourself.`
    )
  const expected = s.useImmutableSubject
    ? `repo:${owner}@${repo.ownerId}/${name}@${repo.id}`
    : `repo:${owner}/${name}`
  // GitHub's prefix is believed only when it names this repository: it goes into a trust policy.
  const given = s.subClaimPrefix
  if (
    given &&
    (given === `repo:${owner}/${name}` ||
      given === `repo:${owner}@${repo.ownerId}/${name}@${repo.id}`)
  )
    return given
  return expected
}

export interface Subjects {
  /** Compared exactly (StringEquals). */
  exact: string[]
  /** Tag patterns (StringLike). */
  patterns: string[]
}

/** Every subject `trust` names, for every trusted repository. */
export function subjectsFor(entries: TrustEntry[], repos: TrustedRepository[]): Subjects {
  const exact: string[] = []
  const patterns: string[] = []
  for (const repo of repos) {
    const prefix = subjectPrefix(repo)
    for (const entry of entries) {
      switch (entry.kind) {
        case 'default-branch':
          exact.push(`${prefix}:ref:refs/heads/${repo.defaultBranch}`)
          break
        case 'branch':
          exact.push(`${prefix}:ref:refs/heads/${entry.name}`)
          break
        case 'environment':
          exact.push(`${prefix}:environment:${entry.name}`)
          break
        case 'pull-request':
          exact.push(`${prefix}:pull_request`)
          break
        case 'tag':
          ;(/[*?]/.test(entry.pattern) ? patterns : exact).push(
            `${prefix}:ref:refs/tags/${entry.pattern}`
          )
      }
    }
  }
  return { exact: [...new Set(exact)].sort(), patterns: [...new Set(patterns)].sort() }
}

export interface TrustStatement {
  Sid: string
  Effect: 'Allow'
  Principal: { Federated: string }
  Action: 'sts:AssumeRoleWithWebIdentity'
  Condition: Record<string, Record<string, string | string[]>>
}
export interface TrustPolicy {
  Version: '2012-10-17'
  Statement: TrustStatement[]
}

/**
 * Only the account's provider for the issuer, only tokens for STS, only the subjects named: one
 * statement for exact subjects, one for tag patterns (the two operators cannot share a statement
 * without both having to match).
 */
export function trustPolicy(providerArn: string, issuer: string, subjects: Subjects): TrustPolicy {
  const host = issuerHost(issuer)
  const statement = (Sid: string, operator: string, values: string[]): TrustStatement => ({
    Sid,
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${host}:aud`]: OIDC_AUDIENCE,
        ...(operator === 'StringEquals' ? { [`${host}:sub`]: values } : {})
      },
      ...(operator === 'StringLike' ? { StringLike: { [`${host}:sub`]: values } } : {})
    }
  })
  return {
    Version: '2012-10-17',
    Statement: [
      ...(subjects.exact.length > 0
        ? [statement('GitHubRunsOfTheRepositories', 'StringEquals', subjects.exact)]
        : []),
      ...(subjects.patterns.length > 0
        ? [statement('GitHubTagRunsOfTheRepositories', 'StringLike', subjects.patterns)]
        : [])
    ]
  }
}
