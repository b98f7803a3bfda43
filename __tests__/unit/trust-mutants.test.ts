// Mutation tests of src/plan/trust.ts (issue 12): the trust policy's exact shape, which subject
// customizations are refused and what the refusal says, and the subjects each entry names.
import {
  issuerHost,
  oidcIssuer,
  subjectPrefix,
  subjectsFor,
  trustPolicy
} from '../../src/plan/trust.js'
import { refusal } from '../../__fixtures__/refusal.js'
import { trustedRepository as repository } from '../../__fixtures__/trust.js'

const ISSUER = 'https://token.actions.githubusercontent.com'
const HOST = 'token.actions.githubusercontent.com'
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${HOST}`

describe('issuers', () => {
  test('an Enterprise Server keeps its port; the host drops the scheme and a trailing slash only', () => {
    expect(oidcIssuer('https://github.example.com:8443/some/path')).toBe(
      'https://github.example.com:8443/_services/token'
    )
    expect(oidcIssuer('https://acme.ghe.com/')).toBe('https://token.actions.acme.ghe.com')
    expect(issuerHost(`${ISSUER}/`)).toBe(HOST)
    expect(issuerHost('https://github.example.com/_services/token')).toBe(
      'github.example.com/_services/token'
    )
  })
})

describe('subjectPrefix: which customizations are refused', () => {
  test('claim keys count only where the default is not used', () => {
    const ignored = repository({
      subject: { useDefault: true, includeClaimKeys: ['repository_owner'] }
    })
    expect(subjectPrefix(ignored)).toBe('repo:octo-org/app')
    // Not the default, but no claim keys either: GitHub's default subject.
    expect(subjectPrefix(repository({ subject: { useDefault: false } }))).toBe('repo:octo-org/app')
  })

  test('the refusal names the repository, its claim keys (or none) and how to reset them', () => {
    const custom = refusal(() =>
      subjectPrefix(
        repository({
          subject: { useDefault: false, includeClaimKeys: ['repository_owner', 'context'] }
        })
      )
    )
    expect(custom).toEqual({
      code: 'OIDC_SUBJECT_CUSTOMIZED',
      message:
        'Repository octo-org/app customizes its OIDC subject (claim keys repository_owner, context), so the action cannot tell which subject its runs carry; nothing was changed.',
      remedy:
        'reset it to the default (PUT /repos/octo-org/app/actions/oidc/customization/sub with use_default true), or trust the role yourself.'
    })
    const none = refusal(() =>
      subjectPrefix(repository({ subject: { useDefault: false, includeClaimKeys: [] } }))
    )
    expect(none.message).toContain('(claim keys none)')
  })

  test('GitHub’s names-form prefix is believed even where ids were asked for; another repository’s is not', () => {
    expect(
      subjectPrefix(
        repository({
          subject: {
            useDefault: true,
            useImmutableSubject: true,
            subClaimPrefix: 'repo:octo-org/app'
          }
        })
      )
    ).toBe('repo:octo-org/app')
    expect(
      subjectPrefix(
        repository({
          subject: { useDefault: true, subClaimPrefix: 'repo:octo-org@123456/web@999' }
        })
      )
    ).toBe('repo:octo-org/app')
  })
})

describe('subjectsFor', () => {
  test('branches by name, `?` as a pattern, each subject once, sorted', () => {
    const subjects = subjectsFor(
      [
        { kind: 'branch', name: 'release' },
        { kind: 'tag', pattern: 'v?' },
        { kind: 'branch', name: 'develop' },
        { kind: 'branch', name: 'release' },
        { kind: 'tag', pattern: 'v?' },
        { kind: 'tag', pattern: 'a*' }
      ],
      [repository()]
    )
    expect(subjects).toEqual({
      exact: [
        'repo:octo-org/app:ref:refs/heads/develop',
        'repo:octo-org/app:ref:refs/heads/release'
      ],
      patterns: ['repo:octo-org/app:ref:refs/tags/a*', 'repo:octo-org/app:ref:refs/tags/v?']
    })
  })
})

describe('trustPolicy', () => {
  const exact = ['repo:octo-org/app:ref:refs/heads/main']
  const patterns = ['repo:octo-org/app:ref:refs/tags/v*']

  test('exact subjects only: one StringEquals statement with the audience and the subjects', () => {
    expect(trustPolicy(PROVIDER, ISSUER, { exact, patterns: [] })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'GitHubRunsOfTheRepositories',
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com', [`${HOST}:sub`]: exact }
          }
        }
      ]
    })
  })

  test('patterns only: the audience compared exactly, the subjects by StringLike', () => {
    expect(trustPolicy(PROVIDER, ISSUER, { exact: [], patterns })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'GitHubTagRunsOfTheRepositories',
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${HOST}:sub`]: patterns }
          }
        }
      ]
    })
  })

  test('no subjects: no statement at all', () => {
    expect(trustPolicy(PROVIDER, ISSUER, { exact: [], patterns: [] }).Statement).toEqual([])
  })
})
