/**
 * Issue 14, GitHub destinations: GitHub's limits on how many secrets and variables a repository,
 * an environment and an organization hold are checked before anything changes, and who may use a
 * kept organization secret or variable changes through GitHub's documented routes. The stand-in
 * refuses a create beyond a limit and an organization secret written without its value.
 */
import { snapshotMoto } from '../support/moto.js'
import type { GitHubStandin, Scope } from '../support/github-standin.js'
import { assertNoSecretLeak } from '../support/run-action.js'
import { ORG, orgWorld, repositoryId } from '../support/org-world.js'
import { closeWorld, REGION, REPO, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_BUCKET_NAME', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']
const WIDE_TOKEN = 'github_pat_wide_limits'

afterAll(closeWorld)

const world = (repos: string[] = []) => orgWorld(WIDE_TOKEN, repos)
const idOf = (w: World, fullName: string) => repositoryId(w, WIDE_TOKEN, fullName)

function fill(github: GitHubStandin, scope: Scope, count: number): void {
  for (let i = 0; i < count; i++) github.setSecret(scope, `OTHER_${i}`, 'v')
}

async function expectNothingChanged(w: World, before: string): Promise<void> {
  expect(w.aws.actions({ mutating: true })).toEqual([])
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(w.github.writeCount()).toBe(0)
}

describe('limits before changes', () => {
  test('a repository holding 97 secrets: the four would exceed 100, so nothing is made', async () => {
    const w = await world()
    fill(w.github, { repo: REPO }, 97)
    const before = await snapshotMoto(w.moto)
    w.aws.reset()
    const r = await w.run()
    expect(r.code).not.toBe(0)
    expect(r.log).toContain(`repository ${REPO} holds 97 secrets; this run would add 4 (limit 100)`)
    await expectNothingChanged(w, before)
  })

  test('exactly at the limit: 96 others and the four fit, and a rotation (read over a full page) adds none', async () => {
    const w = await world()
    fill(w.github, { repo: REPO }, 96)
    expect((await w.run()).code).toBe(0)
    expect(w.github.secretNames({ repo: REPO })).toHaveLength(100)
    const rotated = await w.run({ rotate: 'true' })
    expect(rotated.code).toBe(0)
    expect(rotated.outputs.rotated).toBe('true')
    expect(await w.works(w.storedPair()!)).toBe(true)
  })

  test('many repositories on a first run: the lists are read, and the full one stops the run', async () => {
    const repos = ['octo-org/a', 'octo-org/b', 'octo-org/c', 'octo-org/d', 'octo-org/e']
    const w = await world(repos)
    fill(w.github, { repo: 'octo-org/d' }, 98)
    const before = await snapshotMoto(w.moto)
    w.aws.reset()
    const r = await w.run({ repositories: repos.join('\n') })
    expect(r.code).not.toBe(0)
    expect(r.log).toContain('repository octo-org/d holds 98 secrets; this run would add 4')
    await expectNothingChanged(w, before)
  })

  test('an environment holding 99 variables: region and bucket as variables would exceed 100', async () => {
    const w = await world()
    const scope = { repo: REPO, environment: 'production' }
    for (let i = 0; i < 99; i++) w.github.setVariable(scope, `OTHER_${i}`, 'v')
    const before = await snapshotMoto(w.moto)
    w.aws.reset()
    const r = await w.run({ environment: 'production', 'region-and-bucket-as': 'variables' })
    expect(r.code).not.toBe(0)
    expect(r.log).toContain(
      `environment production of ${REPO} holds 99 variables; this run would add 2 (limit 100)`
    )
    await expectNothingChanged(w, before)
  })
})

describe('who may use kept organization secrets', () => {
  const inputs = { 'github-token': WIDE_TOKEN, organization: ORG, visibility: 'selected' }

  test('other selected repositories: set through the repositories route; the key stays and still works', async () => {
    const w = await world(['octo-org/web', 'octo-org/api'])
    const [web, api] = [await idOf(w, 'octo-org/web'), await idOf(w, 'octo-org/api')]
    expect((await w.run({ ...inputs, 'selected-repositories': 'web' })).code).toBe(0)
    const pair = {
      accessKeyId: w.github.secret({ org: ORG }, 'AWS_ACCESS_KEY_ID')!,
      secretAccessKey: w.github.secret({ org: ORG }, 'AWS_SECRET_ACCESS_KEY')!
    }
    const updatedAt = NAMES.map(n => w.github.secretMeta({ org: ORG }, n)?.updated_at)
    w.github.requests.length = 0
    const r = await w.run({ ...inputs, 'selected-repositories': 'web\napi' })
    expect(r.code).toBe(0)
    expect(
      w.github.countRequests({ operationId: 'actions/set-selected-repos-for-org-secret' })
    ).toBe(4)
    expect(w.github.countRequests({ operationId: 'actions/create-or-update-org-secret' })).toBe(0)
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [web, api]
      })
    expect(NAMES.map(n => w.github.secretMeta({ org: ORG }, n)?.updated_at)).toEqual(updatedAt)
    expect(w.github.secret({ org: ORG }, 'AWS_ACCESS_KEY_ID')).toBe(pair.accessKeyId)
    expect(w.github.secret({ org: ORG }, 'AWS_SECRET_ACCESS_KEY')).toBe(pair.secretAccessKey)
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    assertNoSecretLeak(r, [pair.secretAccessKey])
  })

  test('a changed visibility: every secret written in full, the pair with a new key that works', async () => {
    const w = await world(['octo-org/web'])
    const web = await idOf(w, 'octo-org/web')
    expect(
      (await w.run({ 'github-token': WIDE_TOKEN, organization: ORG, visibility: 'all' })).code
    ).toBe(0)
    const old = w.github.secret({ org: ORG }, 'AWS_ACCESS_KEY_ID')!
    w.github.requests.length = 0
    const r = await w.run({ ...inputs, 'selected-repositories': 'web' })
    expect(r.code).toBe(0)
    expect(r.log).toMatch(/visibility/)
    const writes = w.github.requests.filter(
      q => q.operationId === 'actions/create-or-update-org-secret' && q.status < 300
    )
    expect(writes).toHaveLength(4)
    for (const q of writes)
      expect(q.body).toMatchObject({
        encrypted_value: expect.any(String),
        visibility: 'selected',
        selected_repository_ids: [web]
      })
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [web]
      })
    const pair = {
      accessKeyId: w.github.secret({ org: ORG }, 'AWS_ACCESS_KEY_ID')!,
      secretAccessKey: w.github.secret({ org: ORG }, 'AWS_SECRET_ACCESS_KEY')!
    }
    expect(pair.accessKeyId).not.toBe(old)
    expect(await w.works(pair)).toBe(true)
    expect(w.github.secret({ org: ORG }, 'AWS_REGION')).toBe(REGION)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    assertNoSecretLeak(r, [pair.secretAccessKey])
  })

  test('organization variables: a changed visibility or repository list is seen and set, values kept', async () => {
    const w = await world(['octo-org/web', 'octo-org/api'])
    const [web, api] = [await idOf(w, 'octo-org/web'), await idOf(w, 'octo-org/api')]
    const asVariables = { ...inputs, 'region-and-bucket-as': 'variables' }
    expect((await w.run({ ...asVariables, visibility: 'all' })).code).toBe(0)
    const toSelected = await w.run({ ...asVariables, 'selected-repositories': 'web' })
    expect(toSelected.code).toBe(0)
    expect(w.github.variable({ org: ORG }, 'AWS_REGION')).toBe(REGION)
    const meta = () => ['AWS_REGION', 'AWS_BUCKET_NAME'].map(name => variableAccess(w, name))
    expect(meta()).toEqual([
      { visibility: 'selected', ids: [web] },
      { visibility: 'selected', ids: [web] }
    ])
    expect((await w.run({ ...asVariables, 'selected-repositories': 'web\napi' })).code).toBe(0)
    expect(meta()).toEqual([
      { visibility: 'selected', ids: [web, api] },
      { visibility: 'selected', ids: [web, api] }
    ])
    const since = w.github.writeCount()
    expect((await w.run({ ...asVariables, 'selected-repositories': 'api\nweb' })).code).toBe(0)
    expect(w.github.writeCount()).toBe(since)
  })
})

/** An organization variable's visibility and selected repository ids, as GitHub answers them. */
function variableAccess(w: World, name: string): { visibility?: string; ids?: number[] } {
  const stored = w.github.variableMeta({ org: ORG }, name)
  return {
    ...(stored?.visibility ? { visibility: stored.visibility } : {}),
    ...(stored?.selected_repository_ids ? { ids: stored.selected_repository_ids } : {})
  }
}
