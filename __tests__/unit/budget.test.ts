// Unit tests of the write budget (src/budget.ts) and of how buildPlan applies it.
import {
  checkWriteBudget,
  countWrites,
  WRITES_PER_HOUR,
  WRITES_PER_MINUTE
} from '../../src/plan/budget.js'
import type { Destination } from '../../src/inputs/config.js'
import { ActionError } from '../../src/errors.js'
import { buildPlan, type DestinationWrite } from '../../src/plan/plan.js'
import { configFrom } from '../../__fixtures__/config.js'
import { freshObserved, NOW, steadyObserved } from '../../__fixtures__/observed.js'

const repo = (i: number): Destination => ({ kind: 'repository', owner: 'octo-org', repo: `r${i}` })

/** `n` destinations with `each` secret writes (at most four) and `variables` variable writes. */
function writes(n: number, each = 4, variables = 0): DestinationWrite[] {
  const fields = ['accessKeyId', 'secretAccessKey', 'region', 'bucket'] as const
  return Array.from({ length: n }, (_, i) => ({
    destination: repo(i),
    secrets: fields.slice(0, each),
    variables: (['region', 'bucket'] as const)
      .slice(0, variables)
      .map(field => ({ field, exists: false })),
    access: []
  }))
}

function budgetError(run: () => unknown): ActionError {
  try {
    run()
  } catch (e) {
    expect(e).toBeInstanceOf(ActionError)
    return e as ActionError
  }
  throw new Error('expected RATE_LIMIT_BUDGET, nothing was thrown')
}

const repositories = (n: number) => Array.from({ length: n }, (_, i) => `octo-org/r${i}`).join('\n')

describe('countWrites', () => {
  test('counts every secret and variable, and the destinations that get any', () => {
    expect(countWrites([])).toEqual({ writes: 0, destinations: 0 })
    expect(countWrites(writes(3))).toEqual({ writes: 12, destinations: 3 })
    expect(countWrites(writes(5, 2, 2))).toEqual({ writes: 20, destinations: 5 })
    expect(countWrites([...writes(2, 2), ...writes(7, 0)])).toEqual({
      writes: 4,
      destinations: 2
    })
  })

  // Issue 12's surviving mutant: access-only updates subtracted instead of counted.
  test("an organization secret's repositories set alone (access) are writes too", () => {
    const [one, two] = writes(2, 1)
    const accessOnly = { ...two!, secrets: [], access: ['region', 'bucket'] as const }
    expect(
      countWrites([
        { ...one!, access: ['bucket'] },
        { ...accessOnly, access: ['region', 'bucket'] }
      ])
    ).toEqual({
      writes: 4,
      destinations: 2
    })
  })
})

describe('the budget message counts destinations', () => {
  test('one destination in the singular, more in the plural', () => {
    const one = budgetError(() => checkWriteBudget(writes(1, 4), 3))
    expect(one.message).toContain('needs 4 secret and variable writes to 1 destination, more')
    const two = budgetError(() => checkWriteBudget(writes(2, 4), 3))
    expect(two.message).toContain('needs 8 secret and variable writes to 2 destinations, more')
  })
})

describe('checkWriteBudget', () => {
  test('GitHub.com limits: 80 a minute, 500 an hour', () => {
    expect([WRITES_PER_MINUTE, WRITES_PER_HOUR]).toEqual([80, 500])
  })

  test('up to 80 writes: no warning', () => {
    expect(checkWriteBudget(writes(20), 500)).toEqual([])
    expect(checkWriteBudget(writes(0), 500)).toEqual([])
  })

  test('81 to max-writes: one warning up front, with the count and the way out', () => {
    for (const [n, each] of [
      [81, 1],
      [21, 4],
      [125, 4]
    ] as const) {
      const warnings = checkWriteBudget(writes(n, each), 500)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`needs ${n * each} secret and variable writes to ${n}`)
      expect(warnings[0]).toContain('about 80 content-creating requests a minute')
      expect(warnings[0]).toContain(`about ${Math.ceil((n * each) / 80)} minutes`)
      expect(warnings[0]).toContain('Organization secrets with visibility: selected')
    }
  })

  test('above max-writes: RATE_LIMIT_BUDGET, nothing changed, organization secrets recommended', () => {
    const e = budgetError(() => checkWriteBudget(writes(126), 500))
    expect(e.code).toBe('RATE_LIMIT_BUDGET')
    expect(e.message).toContain('needs 504 secret and variable writes to 126 destinations')
    expect(e.message).toContain('more than max-writes (500')
    expect(e.message).toContain('nothing was changed')
    expect(e.remedy).toMatch(/organization secrets .*visibility: selected.*four writes/)
    expect(e.remedy).toContain('raise max-writes')
  })

  test('max-writes moves the hard limit, not the per-minute warning', () => {
    expect(checkWriteBudget(writes(200), 1000)).toHaveLength(1)
    expect(budgetError(() => checkWriteBudget(writes(30), 100)).code).toBe('RATE_LIMIT_BUDGET')
    expect(checkWriteBudget(writes(25), 100)).toHaveLength(1)
  })

  test('variables count like secrets', () => {
    expect(budgetError(() => checkWriteBudget(writes(126, 2, 2), 500)).code).toBe(
      'RATE_LIMIT_BUDGET'
    )
  })
})

describe('buildPlan applies the budget to what the plan writes', () => {
  test('a first run to 126 repositories fails before anything changes', () => {
    const config = configFrom({ repositories: repositories(126) })
    const e = budgetError(() => buildPlan(config, freshObserved(config), NOW))
    expect(e.code).toBe('RATE_LIMIT_BUDGET')
  })

  test('a first run to 21 repositories warns in the plan', () => {
    const config = configFrom({ repositories: repositories(21) })
    const plan = buildPlan(config, freshObserved(config), NOW)
    expect(plan.warnings).toEqual([expect.stringContaining('needs 84 secret and variable writes')])
  })

  test('a steady run to 600 repositories writes nothing and needs no budget', () => {
    const config = configFrom({ repositories: repositories(600) })
    const plan = buildPlan(config, steadyObserved(config), NOW)
    expect(countWrites(plan.writes).writes).toBe(0)
    expect(plan.warnings).toEqual([])
  })

  test('rotating 200 repositories writes only the pair: 400 writes fit', () => {
    const config = configFrom({ repositories: repositories(200), rotate: 'true' })
    const plan = buildPlan(config, steadyObserved(config), NOW)
    expect(countWrites(plan.writes)).toEqual({ writes: 400, destinations: 200 })
    expect(plan.warnings).toEqual([expect.stringContaining('needs 400 secret and variable')])
  })

  test('an organization with visibility selected needs four writes for any number of repositories', () => {
    const names = Array.from({ length: 300 }, (_, i) => `r${i}`).join(',')
    const config = configFrom({
      organization: 'octo-org',
      visibility: 'selected',
      'selected-repositories': names
    })
    const plan = buildPlan(config, freshObserved(config), NOW)
    expect(countWrites(plan.writes)).toEqual({ writes: 4, destinations: 1 })
    expect(plan.warnings).toEqual([])
  })

  test('max-writes raises the limit for a plan that needs more', () => {
    const config = configFrom({ repositories: repositories(200), 'max-writes': '800' })
    expect(countWrites(buildPlan(config, freshObserved(config), NOW).writes).writes).toBe(800)
  })
})

describe('planWrites: region and bucket are written only when missing or stale', () => {
  const fields = (w: DestinationWrite) => w.secrets

  test('a fresh start writes all four everywhere, even over existing secrets', () => {
    const config = configFrom({ repositories: 'octo-org/a\nocto-org/b' })
    const plan = buildPlan(config, freshObserved(config), NOW)
    expect(plan.writes.map(fields)).toEqual([
      ['accessKeyId', 'secretAccessKey', 'region', 'bucket'],
      ['accessKeyId', 'secretAccessKey', 'region', 'bucket']
    ])
  })

  test('rotation writes the pair only, and region and bucket where they are missing', () => {
    const config = configFrom({ repositories: 'octo-org/a\nocto-org/b', rotate: 'true' })
    const observed = steadyObserved(config)
    observed.destinations[1]!.secretNames = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']
    const plan = buildPlan(config, observed, NOW)
    expect(plan.key).toMatchObject({ action: 'create', rotation: true })
    expect(plan.writes.map(fields)).toEqual([
      ['accessKeyId', 'secretAccessKey'],
      ['accessKeyId', 'secretAccessKey', 'region', 'bucket']
    ])
  })

  test('a key that replaces the stored one leaves existing region and bucket alone', () => {
    const config = configFrom({
      repositories: 'octo-org/a\nocto-org/b',
      'current-access-key-id': 'AKIAAAAAAAAAAAAAAAAA'
    })
    const observed = steadyObserved(config)
    observed.destinations[1]!.secretNames = []
    const plan = buildPlan(config, observed, NOW)
    expect(plan.key).toMatchObject({
      action: 'create',
      replaces: { keyId: 'AKIAAAAAAAAAAAAAAAAA' }
    })
    expect(plan.writes.map(fields)).toEqual([
      ['accessKeyId', 'secretAccessKey'],
      ['accessKeyId', 'secretAccessKey', 'region', 'bucket']
    ])
  })

  test('variables are compared: equal ones are left, changed ones updated, missing ones created', () => {
    const config = configFrom({
      repositories: 'octo-org/a\nocto-org/b\nocto-org/c',
      'region-and-bucket-as': 'variables'
    })
    const observed = steadyObserved(config)
    const [a, b, c] = observed.destinations
    a!.variables = { AWS_REGION: 'us-east-1', AWS_BUCKET_NAME: observed.bucketName }
    b!.variables = { AWS_REGION: 'eu-west-1', AWS_BUCKET_NAME: observed.bucketName }
    c!.variables = {}
    const plan = buildPlan(config, observed, NOW)
    expect(plan.writes.map(w => [w.secrets, w.variables])).toEqual([
      [[], []],
      [[], [{ field: 'region', exists: true }]],
      [
        [],
        [
          { field: 'region', exists: false },
          { field: 'bucket', exists: false }
        ]
      ]
    ])
  })
})
