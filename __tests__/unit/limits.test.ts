// Unit tests of GitHub's limits on what a destination holds (src/plan/limits.ts) and of how
// buildPlan applies them (issue 14).
import { ActionError } from '../../src/errors.js'
import { checkDestinationLimits, limitProblems } from '../../src/plan/limits.js'
import { buildPlan, type DestinationWrite } from '../../src/plan/plan.js'
import { buildRolePlan } from '../../src/plan/role.js'
import type { Destination } from '../../src/inputs/config.js'
import type { ObservedDestination } from '../../src/plan/observed.js'
import { configFrom } from '../../__fixtures__/config.js'
import {
  freshObserved,
  NOW,
  observedDestination,
  steadyObserved
} from '../../__fixtures__/observed.js'

const NAMES = configFrom().names
const REPO: Destination = { kind: 'repository', owner: 'o', repo: 'r' }
const ENVIRONMENT: Destination = { kind: 'repository', owner: 'o', repo: 'r', environment: 'prod' }
const ORG: Destination = {
  kind: 'organization',
  org: 'o',
  visibility: 'selected',
  selectedRepositories: ['r']
}

const others = (n: number, prefix = 'OTHER') =>
  Array.from({ length: n }, (_, i) => `${prefix}_${i}`)

function write(
  destination: Destination,
  overrides: Partial<DestinationWrite> = {}
): DestinationWrite {
  return {
    destination,
    secrets: ['accessKeyId', 'secretAccessKey', 'region', 'bucket'],
    variables: [],
    access: [],
    ...overrides
  }
}

function holding(destination: Destination, overrides: Partial<ObservedDestination> = {}) {
  return observedDestination({ destination, secretNames: [], ...overrides })
}

function limitError(run: () => unknown): ActionError {
  try {
    run()
  } catch (e) {
    expect(e).toBeInstanceOf(ActionError)
    return e as ActionError
  }
  throw new Error('expected GITHUB_LIMIT, nothing was thrown')
}

describe('limitProblems', () => {
  test('a repository: 96 others and four new fit in 100, 97 do not', () => {
    expect(
      limitProblems([write(REPO)], [holding(REPO, { secretNames: others(96) })], NAMES, 'actions')
    ).toEqual([])
    expect(
      limitProblems([write(REPO)], [holding(REPO, { secretNames: others(97) })], NAMES, 'actions')
    ).toEqual(['repository o/r holds 97 secrets; this run would add 4 (limit 100)'])
  })

  test('secrets already held are rewritten, not added: a full repository may rotate', () => {
    const full = holding(REPO, {
      secretNames: [...others(96), ...Object.values(NAMES).slice(0, 4)]
    })
    expect(full.secretNames).toHaveLength(100)
    expect(limitProblems([write(REPO)], [full], NAMES, 'actions')).toEqual([])
  })

  test('an environment (100) and an organization (1,000)', () => {
    expect(
      limitProblems(
        [write(ENVIRONMENT), write(ORG)],
        [
          holding(ENVIRONMENT, { secretNames: others(99) }),
          holding(ORG, { secretNames: others(997) })
        ],
        NAMES,
        'actions'
      )
    ).toEqual([
      'environment prod of o/r holds 99 secrets; this run would add 4 (limit 100)',
      'organization o holds 997 secrets; this run would add 4 (limit 1000)'
    ])
    expect(
      limitProblems([write(ORG)], [holding(ORG, { secretNames: others(996) })], NAMES, 'actions')
    ).toEqual([])
  })

  test('variables: 500 a repository, 100 an environment, 1,000 an organization', () => {
    const vars = (n: number) => Object.fromEntries(others(n, 'VAR').map(v => [v, 'x']))
    const twoNew = {
      secrets: [],
      variables: [
        { field: 'region' as const, exists: false },
        { field: 'bucket' as const, exists: false }
      ]
    }
    expect(
      limitProblems(
        [write(REPO, twoNew), write(ENVIRONMENT, twoNew), write(ORG, twoNew)],
        [
          holding(REPO, { variables: vars(499) }),
          holding(ENVIRONMENT, { variables: vars(98) }),
          holding(ORG, { variables: vars(999) })
        ],
        NAMES,
        'actions'
      )
    ).toEqual([
      'repository o/r holds 499 variables; this run would add 2 (limit 500)',
      'organization o holds 999 variables; this run would add 2 (limit 1000)'
    ])
    // An update is no create.
    const update = { secrets: [], variables: [{ field: 'region' as const, exists: true }] }
    expect(
      limitProblems(
        [write(ENVIRONMENT, update)],
        [holding(ENVIRONMENT, { variables: vars(100) })],
        NAMES,
        'actions'
      )
    ).toEqual([])
  })

  test('Dependabot and Codespaces secrets: GitHub documents no limit, none is checked', () => {
    const full = [holding(REPO, { secretNames: others(100) })]
    expect(limitProblems([write(REPO)], full, NAMES, 'dependabot')).toEqual([])
    expect(limitProblems([write(REPO)], full, NAMES, 'codespaces')).toEqual([])
  })

  test('a destination that adds nothing is never over, even when it holds more than the limit', () => {
    const none = write(REPO, { secrets: [] })
    expect(
      limitProblems([none], [holding(REPO, { secretNames: others(120) })], NAMES, 'actions')
    ).toEqual([])
  })
})

describe('checkDestinationLimits', () => {
  test('GITHUB_LIMIT names every destination over, and says nothing was changed', () => {
    const e = limitError(() =>
      checkDestinationLimits(
        [write(REPO), write(ENVIRONMENT)],
        [
          holding(REPO, { secretNames: others(98) }),
          holding(ENVIRONMENT, { secretNames: others(100) })
        ],
        NAMES,
        'actions'
      )
    )
    expect(e.code).toBe('GITHUB_LIMIT')
    expect(e.message).toBe(
      'GitHub would refuse the new secrets or variables: repository o/r holds 98 secrets; this run would add 4 (limit 100); environment prod of o/r holds 100 secrets; this run would add 4 (limit 100); nothing was changed.'
    )
    expect(e.remedy).toMatch(/delete secrets or variables/)
  })
})

describe('buildPlan applies the limits before anything is made', () => {
  test('a new user whose repository holds 97 other secrets: refused', () => {
    const config = configFrom()
    const observed = freshObserved(config, {
      destinations: config.destinations.map(d => holding(d, { secretNames: others(97) }))
    })
    expect(limitError(() => buildPlan(config, observed, NOW)).code).toBe('GITHUB_LIMIT')
  })

  test('a rotation of a full repository adds nothing: planned', () => {
    const config = configFrom({ rotate: 'true' })
    const observed = steadyObserved(config)
    observed.destinations[0]!.secretNames.push(...others(96))
    expect(buildPlan(config, observed, NOW).key.action).toBe('create')
  })

  test('role mode too: the role ARN a full repository would add is refused', () => {
    const config = configFrom({ credentials: 'role' })
    const observed = freshObserved(config, {
      destinations: config.destinations.map(d =>
        holding(d, { variables: Object.fromEntries(others(500, 'VAR').map(v => [v, 'x'])) })
      ),
      oidc: {
        issuer: 'https://token.actions.githubusercontent.com',
        providerArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        providerExists: true,
        repositories: [
          {
            fullName: 'octo-org/app',
            id: 456789,
            ownerId: 123456,
            defaultBranch: 'main',
            subject: { useDefault: true }
          }
        ]
      }
    })
    expect(limitError(() => buildRolePlan(config, observed, NOW)).code).toBe('GITHUB_LIMIT')
  })
})
