/**
 * Issue 6: secret destinations beyond one repository. The bundled action runs against moto and the
 * GitHub stand-in, which validates every request against GitHub's OpenAPI description and
 * decrypts every sealed secret with the key pair of the store it was written to.
 */
import { snapshotMoto, type AwsCreds } from '../support/moto.js'
import type { GitHubStandin, Scope } from '../support/github-standin.js'
import { assertNoSecretLeak } from '../support/run-action.js'
import { ORG, orgWorld, repositoryId as idOf } from '../support/org-world.js'
import { ACCOUNT_ID, closeWorld, REGION, REPO, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_BUCKET_NAME', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']
const PAIR = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']
/** A token that may write every kind of secret and variable this file uses. */
const WIDE_TOKEN = 'github_pat_wide'

afterAll(closeWorld)

const world = (repos: string[] = []) =>
  orgWorld(WIDE_TOKEN, repos, ['dependabot_secrets', 'codespaces_secrets'])

function pairIn(github: GitHubStandin, scope: Scope): AwsCreds | undefined {
  const accessKeyId = github.secret(scope, 'AWS_ACCESS_KEY_ID')
  const secretAccessKey = github.secret(scope, 'AWS_SECRET_ACCESS_KEY')
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined
}

/** The destination holds the four secrets, decrypted to a working pair, the region and the bucket. */
async function expectFourSecrets(w: World, scope: Scope, bucket = BUCKET): Promise<AwsCreds> {
  expect(w.github.secretNames(scope)).toEqual(NAMES)
  expect(w.github.secret(scope, 'AWS_REGION')).toBe(REGION)
  expect(w.github.secret(scope, 'AWS_BUCKET_NAME')).toBe(bucket)
  const pair = pairIn(w.github, scope)!
  expect(await w.works(pair)).toBe(true)
  return pair
}

/** Writes (PUT/POST/PATCH) the stand-in answered with success, as 'METHOD path'. */
function writesDone(github: GitHubStandin): string[] {
  return github.requests
    .filter(r => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method) && r.status < 300)
    .map(r => `${r.method} ${r.path}`)
    .sort()
}

const repositoryId = (w: World, fullName: string) => idOf(w, WIDE_TOKEN, fullName)

describe('a list of repositories', () => {
  const REPOS = ['octo-org/app-1', 'octo-org/app-2', 'octo-org/app-3']
  let w: World

  beforeAll(async () => {
    w = await world(REPOS)
  })

  test('each repository gets the four secrets, sealed with its own public key read once', async () => {
    const r = await w.run({ repositories: 'octo-org/app-1\nocto-org/app-2, octo-org/app-3' })
    expect(r.code).toBe(0)
    const pairs = await Promise.all(REPOS.map(repo => expectFourSecrets(w, { repo })))
    expect(new Set(pairs.map(p => p.accessKeyId)).size).toBe(1)
    expect(pairs[0]!.accessKeyId).toBe(r.outputs['access-key-id'])
    assertNoSecretLeak(r, [pairs[0]!.secretAccessKey])
    // `repository` (the home repository) only names the user and the bucket.
    expect(w.github.secretNames({ repo: REPO })).toEqual([])
    // Three stores, three key pairs: a secret sealed for another store would not decrypt (422).
    const keyIds = new Set(REPOS.map(repo => keyIdOf(w, repo)))
    expect(keyIds.size).toBe(3)

    // Per repository: one public key read and four writes, and the list of its secrets, read
    // beside the key (GitHub's limits are checked against it before anything is made).
    for (const repo of REPOS) {
      for (const path of [
        `/repos/${repo}/actions/secrets/public-key`,
        `/repos/${repo}/actions/secrets`
      ])
        expect(w.github.requests.filter(q => q.path === path)).toHaveLength(1)
    }
    expect(w.github.countRequests({ operationId: 'actions/create-or-update-repo-secret' })).toBe(12)
    expect(w.github.requests).toHaveLength(18)
  })

  test('a second run reads one public key and one list per repository and writes nothing', async () => {
    const before = w.github.requests.length
    const writes = w.github.writeCount()
    const r = await w.run({ repositories: REPOS.join('\n') })
    expect(r.code).toBe(0)
    expect(w.github.writeCount()).toBe(writes)
    const reads = w.github.requests.slice(before)
    expect(reads.map(q => q.operationId).sort()).toEqual(
      [
        ...REPOS.map(() => 'actions/get-repo-public-key'),
        ...REPOS.map(() => 'actions/list-repo-secrets')
      ].sort()
    )
  })

  test('rotation rewrites the pair only: region and bucket stay as they are', async () => {
    const regionBefore = REPOS.map(repo => w.github.secretMeta({ repo }, 'AWS_REGION'))
    const bucketBefore = REPOS.map(repo => w.github.secretMeta({ repo }, 'AWS_BUCKET_NAME'))
    const oldKey = pairIn(w.github, { repo: REPOS[0]! })!.accessKeyId
    w.github.requests.length = 0
    const r = await w.run({ repositories: REPOS.join('\n'), rotate: 'true' })
    expect(r.code).toBe(0)
    expect(r.outputs.rotated).toBe('true')
    expect(writesDone(w.github)).toEqual(
      REPOS.flatMap(repo => PAIR.map(n => `PUT /repos/${repo}/actions/secrets/${n}`)).sort()
    )
    expect(REPOS.map(repo => w.github.secretMeta({ repo }, 'AWS_REGION'))).toEqual(regionBefore)
    expect(REPOS.map(repo => w.github.secretMeta({ repo }, 'AWS_BUCKET_NAME'))).toEqual(
      bucketBefore
    )
    const pairs = await Promise.all(REPOS.map(repo => expectFourSecrets(w, { repo })))
    expect(pairs[0]!.accessKeyId).not.toBe(oldKey)
    expect(await w.keysOf(USER)).toEqual([{ id: pairs[0]!.accessKeyId, status: 'Active' }])
  })
})

function keyIdOf(w: World, repo: string): string {
  const put = w.github.requests.find(
    q => q.method === 'PUT' && q.path.startsWith(`/repos/${repo}/actions/secrets/`)
  )
  return (put?.body as { key_id: string }).key_id
}

describe('environments', () => {
  test('an existing environment gets the secrets; the repository does not', async () => {
    const w = await world()
    const r = await w.run({ environment: 'production' })
    expect(r.code).toBe(0)
    await expectFourSecrets(w, { repo: REPO, environment: 'production' })
    expect(w.github.secretNames({ repo: REPO })).toEqual([])
    expect(w.github.countRequests({ operationId: 'actions/get-environment-public-key' })).toBe(1)
    expect(
      w.github.countRequests({ operationId: 'actions/create-or-update-environment-secret' })
    ).toBe(4)
  })

  test('a missing environment fails clearly before any AWS change', async () => {
    const w = await world()
    const before = await snapshotMoto(w.moto)
    w.aws.reset()
    const r = await w.run({ environment: 'staging' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(
      /404 while trying to read the secrets public key for octo-org\/octo-repo \(environment staging\)/
    )
    expect(r.log).toMatch(/environments must already exist/)
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(await snapshotMoto(w.moto)).toBe(before)
    expect(w.github.writeCount()).toBe(0)
  })
})

describe('organization secrets', () => {
  test.each(['all', 'private'] as const)('visibility %s', async visibility => {
    const w = await world()
    const r = await w.run({ 'github-token': WIDE_TOKEN, organization: ORG, visibility })
    expect(r.code).toBe(0)
    await expectFourSecrets(w, { org: ORG })
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({ visibility })
    expect(w.github.secretNames({ repo: REPO })).toEqual([])
    expect(w.github.countRequests({ operationId: 'actions/get-org-public-key' })).toBe(1)
    expect(r.log).toMatch(
      new RegExp(
        `::warning::visibility '${visibility}': every .*repository of '${ORG}' \\(\\d+ repositories\\) can read`
      )
    )
  })

  test('without visibility: the home repository alone may use them (issue 15)', async () => {
    const w = await world()
    const home = await repositoryId(w, REPO)
    const r = await w.run({ 'github-token': WIDE_TOKEN, organization: ORG })
    expect(r.code).toBe(0)
    await expectFourSecrets(w, { org: ORG })
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [home]
      })
    expect(r.log).not.toMatch(/can read the AWS key/)
  })

  test('visibility selected: repository names resolve to ids, set on every secret', async () => {
    const w = await world(['octo-org/web', 'octo-org/api'])
    const ids = [await repositoryId(w, 'octo-org/web'), await repositoryId(w, 'octo-org/api')]
    w.github.requests.length = 0
    const r = await w.run({
      'github-token': WIDE_TOKEN,
      organization: ORG,
      visibility: 'selected',
      'selected-repositories': 'web\napi'
    })
    expect(r.code).toBe(0)
    await expectFourSecrets(w, { org: ORG })
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: ids
      })
    expect(w.github.countRequests({ operationId: 'repos/get' })).toBe(2)
  })

  test('a selected repository that does not exist fails before any change', async () => {
    const w = await world(['octo-org/web'])
    const before = await snapshotMoto(w.moto)
    const r = await w.run({
      'github-token': WIDE_TOKEN,
      organization: ORG,
      visibility: 'selected',
      'selected-repositories': 'web,nope'
    })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/look up repository nope/)
    expect(await snapshotMoto(w.moto)).toBe(before)
    expect(w.github.writeCount()).toBe(0)
  })

  test('a changed visibility or repository list reaches the secrets kept (issue 14: by the documented routes)', async () => {
    const w = await world(['octo-org/web', 'octo-org/api'])
    const [web, api] = [
      await repositoryId(w, 'octo-org/web'),
      await repositoryId(w, 'octo-org/api')
    ]
    const inputs = { 'github-token': WIDE_TOKEN, organization: ORG }
    expect((await w.run({ ...inputs, visibility: 'all' })).code).toBe(0)
    const first = await expectFourSecrets(w, { org: ORG })

    // A visibility is taken only with the value: region and bucket are rewritten, the key pair
    // gets a new key (the secret access key is never read back).
    const selected = { ...inputs, visibility: 'selected', 'selected-repositories': 'web' }
    const toSelected = await w.run(selected)
    expect(toSelected.code).toBe(0)
    expect(toSelected.log).toMatch(/visibility of the key pair in organization octo-org changes/)
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [web]
      })
    const pair = await expectFourSecrets(w, { org: ORG })
    expect(pair.accessKeyId).not.toBe(first.accessKeyId)
    const values = () => NAMES.map(name => w.github.secret({ org: ORG }, name))
    const before = values()

    // Other repositories alone: set through the repositories route, values untouched.
    const since = w.github.writeCount()
    const both = await w.run({ ...selected, 'selected-repositories': 'web\napi' })
    expect(both.code).toBe(0)
    expect(both.log).toContain('AWS_REGION (its selected repositories only)')
    expect(w.github.writeCount() - since).toBe(4)
    for (const name of NAMES)
      expect(w.github.secretMeta({ org: ORG }, name)).toMatchObject({
        selected_repository_ids: [web, api]
      })

    // Unchanged: nothing written; the same key throughout, so values never changed.
    const again = w.github.writeCount()
    expect((await w.run({ ...selected, 'selected-repositories': 'api\nweb' })).code).toBe(0)
    expect(w.github.writeCount()).toBe(again)
    expect(values()).toEqual(before)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
  })

  test('organization and repositories together: both get the secrets', async () => {
    const w = await world(['octo-org/app-1'])
    const r = await w.run({
      'github-token': WIDE_TOKEN,
      organization: ORG,
      repositories: 'octo-org/app-1'
    })
    expect(r.code).toBe(0)
    const [org, repo] = [
      await expectFourSecrets(w, { org: ORG }),
      await expectFourSecrets(w, { repo: 'octo-org/app-1' })
    ]
    expect(org).toEqual(repo)
  })
})

describe('dependabot and codespaces stores', () => {
  test.each([
    ['dependabot', 'repository'],
    ['codespaces', 'repository'],
    ['dependabot', 'organization'],
    ['codespaces', 'organization']
  ] as const)('%s secrets of the %s', async (store, level) => {
    const w = await world(['octo-org/web'])
    const webId = await repositoryId(w, 'octo-org/web')
    const org = level === 'organization'
    const r = await w.run({
      'github-token': WIDE_TOKEN,
      'secret-store': store,
      ...(org ? { organization: ORG, visibility: 'selected', 'selected-repositories': 'web' } : {})
    })
    expect(r.code).toBe(0)
    const scope: Scope = org ? { org: ORG, store } : { repo: REPO, store }
    await expectFourSecrets(w, scope)
    if (org)
      expect(w.github.secretMeta(scope, 'AWS_SECRET_ACCESS_KEY')).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [webId]
      })
    // Nothing in the actions store.
    expect(w.github.secretNames(org ? { org: ORG } : { repo: REPO })).toEqual([])
    expect(
      w.github.countRequests({ operationId: `${store}/get-${org ? 'org' : 'repo'}-public-key` })
    ).toBe(1)
  })

  test('a token without the dependabot permission is refused before any change', async () => {
    const w = await world()
    const before = await snapshotMoto(w.moto)
    const r = await w.run({ 'secret-store': 'dependabot' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/To fix: grant the token "Dependabot secrets: read and write"/)
    expect(await snapshotMoto(w.moto)).toBe(before)
  })
})

describe('region and bucket as variables', () => {
  test('repository: variables created, a re-run writes nothing, a change is a PATCH', async () => {
    const w = await world()
    const r = await w.run({ 'region-and-bucket-as': 'variables' })
    expect(r.code).toBe(0)
    expect(w.github.secretNames({ repo: REPO })).toEqual(PAIR)
    expect(await w.works(pairIn(w.github, { repo: REPO })!)).toBe(true)
    expect(w.github.variable({ repo: REPO }, 'AWS_REGION')).toBe(REGION)
    expect(w.github.variable({ repo: REPO }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    expect(w.github.countRequests({ operationId: 'actions/create-repo-variable' })).toBe(2)

    const writes = w.github.writeCount()
    expect((await w.run({ 'region-and-bucket-as': 'variables' })).code).toBe(0)
    expect(w.github.writeCount()).toBe(writes)

    w.github.requests.length = 0
    const moved = await w.run({
      'region-and-bucket-as': 'variables',
      'aws-region': 'us-west-2',
      'bucket-name': 'octo-moved-bucket'
    })
    expect(moved.code).toBe(0)
    expect(writesDone(w.github)).toEqual([
      'PATCH /repos/octo-org/octo-repo/actions/variables/AWS_BUCKET_NAME',
      'PATCH /repos/octo-org/octo-repo/actions/variables/AWS_REGION'
    ])
    expect(w.github.variable({ repo: REPO }, 'AWS_REGION')).toBe('us-west-2')
    expect(w.github.variable({ repo: REPO }, 'AWS_BUCKET_NAME')).toBe('octo-moved-bucket')
  })

  test("a variable created whose answer was lost: the retry's 409 turns into an update", async () => {
    const w = await world()
    w.github.failWhen(
      q => q.method === 'POST' && q.path.endsWith('/actions/variables'),
      { status: 502, afterApplying: true },
      1
    )
    const r = await w.run({ 'region-and-bucket-as': 'variables', 'aws-region': REGION })
    expect(r.code).toBe(0)
    expect(w.github.variable({ repo: REPO }, 'AWS_REGION')).toBe(REGION)
    expect(w.github.variable({ repo: REPO }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    // One POST was answered 502 (taking effect), retried into a 409, then updated.
    expect(w.github.countRequests({ operationId: 'actions/update-repo-variable' })).toBe(1)
  })

  test('rotation leaves the variables alone', async () => {
    const w = await world()
    expect((await w.run({ 'region-and-bucket-as': 'variables' })).code).toBe(0)
    w.github.requests.length = 0
    const r = await w.run({ 'region-and-bucket-as': 'variables', rotate: 'true' })
    expect(r.code).toBe(0)
    expect(writesDone(w.github)).toEqual(
      PAIR.map(n => `PUT /repos/octo-org/octo-repo/actions/secrets/${n}`)
    )
  })

  test('an environment gets environment variables', async () => {
    const w = await world()
    const r = await w.run({ 'region-and-bucket-as': 'variables', environment: 'production' })
    expect(r.code).toBe(0)
    const scope = { repo: REPO, environment: 'production' }
    expect(w.github.secretNames(scope)).toEqual(PAIR)
    expect(w.github.variable(scope, 'AWS_REGION')).toBe(REGION)
    expect(w.github.variable(scope, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    expect(w.github.variableNames({ repo: REPO })).toEqual([])
  })

  test('an organization gets organization variables with the same visibility', async () => {
    const w = await world(['octo-org/web'])
    const r = await w.run({
      'github-token': WIDE_TOKEN,
      'region-and-bucket-as': 'variables',
      organization: ORG,
      visibility: 'selected',
      'selected-repositories': 'web'
    })
    expect(r.code).toBe(0)
    expect(w.github.secretNames({ org: ORG })).toEqual(PAIR)
    expect(w.github.variable({ org: ORG }, 'AWS_REGION')).toBe(REGION)
    expect(w.github.variable({ org: ORG }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    const created = w.github.requests.filter(q => q.operationId === 'actions/create-org-variable')
    expect(created.map(q => q.body)).toEqual([
      expect.objectContaining({
        visibility: 'selected',
        selected_repository_ids: [expect.any(Number)]
      }),
      expect.objectContaining({
        visibility: 'selected',
        selected_repository_ids: [expect.any(Number)]
      })
    ])
  })
})

describe('the write budget', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `octo-org/many-${i}`)

  test('more than 500 writes fail before any change, recommending organization secrets', async () => {
    const repos = many(126)
    const w = await world(repos)
    const before = await snapshotMoto(w.moto)
    for (const dryRun of ['false', 'true']) {
      const r = await w.run({ repositories: repos.join('\n'), 'dry-run': dryRun })
      expect(r.code).not.toBe(0)
      expect(r.log).toMatch(/This run needs 504 secret and variable writes to 126 destinations/)
      expect(r.log).toMatch(/To fix: store organization secrets instead/)
      expect(await snapshotMoto(w.moto)).toBe(before)
      expect(w.github.writeCount()).toBe(0)
    }
  })

  test('more than 80 writes: a warning up front', async () => {
    const repos = many(21)
    const w = await world(repos)
    const r = await w.run({ repositories: repos.join('\n') })
    expect(r.code).toBe(0)
    expect(r.log).toMatch(
      /::warning::This run needs 84 secret and variable writes to 21 destinations/
    )
    expect(w.github.writeCount()).toBe(84)
  })
})

describe('a partial failure across destinations', () => {
  const REPOS = ['octo-org/app-1', 'octo-org/app-2', 'octo-org/app-3']

  test('the step fails naming every destination; a re-run writes only what is missing or stale', async () => {
    const w = await world(REPOS)
    let failing = true
    w.github.failWhen(
      q => failing && q.method === 'PUT' && q.path.startsWith('/repos/octo-org/app-2/'),
      { status: 500 }
    )
    const r = await w.run({ repositories: REPOS.join('\n') })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/octo-org\/app-2: .*AWS_ACCESS_KEY_ID.* failed/)
    // The summary has a row per destination: what was written, what failed.
    const row = (repo: string) =>
      new RegExp(`<tr><td><a href="[^"]*">${repo}</a></td><td>([^<]*)</td><td>([^<]*)</td></tr>`)
    const all = NAMES.slice().sort()
    const cells = (repo: string) =>
      row(repo)
        .exec(r.summary)!
        .slice(1)
        .map(c => c.split(', ').sort())
    expect(cells('octo-org/app-1')).toEqual([all, ['-']])
    expect(cells('octo-org/app-2')).toEqual([['nothing'], all])
    expect(cells('octo-org/app-3')).toEqual([all, ['-']])
    const first = await expectFourSecrets(w, { repo: 'octo-org/app-1' })
    expect(pairIn(w.github, { repo: 'octo-org/app-3' })?.accessKeyId).toBe(first.accessKeyId)
    expect(w.github.secretNames({ repo: 'octo-org/app-2' })).toEqual([])
    // The key app-1 and app-3 hold stays: something refers to it.
    expect(await w.keysOf(USER)).toEqual([{ id: first.accessKeyId, status: 'Active' }])

    failing = false
    w.github.requests.length = 0
    const again = await w.run({ repositories: REPOS.join('\n') })
    expect(again.code).toBe(0)
    const pairs = await Promise.all(REPOS.map(repo => expectFourSecrets(w, { repo })))
    expect(new Set(pairs.map(p => p.accessKeyId)).size).toBe(1)
    // app-2 lacked everything; app-1 and app-3 held a pair no longer current (a new key was
    // needed for app-2, and the secret of the old one cannot be read back).
    expect(writesDone(w.github)).toEqual(
      [
        ...PAIR.map(n => `PUT /repos/octo-org/app-1/actions/secrets/${n}`),
        ...NAMES.map(n => `PUT /repos/octo-org/app-2/actions/secrets/${n}`),
        ...PAIR.map(n => `PUT /repos/octo-org/app-3/actions/secrets/${n}`)
      ].sort()
    )
    // Every destination holds the new key: the old one is gone, nothing refers to it.
    expect(await w.keysOf(USER)).toEqual([{ id: pairs[0]!.accessKeyId, status: 'Active' }])
  })

  test('a repository added to the list gets the secrets; the others get the new pair only', async () => {
    const w = await world(REPOS)
    expect((await w.run({ repositories: REPOS.slice(0, 2).join('\n') })).code).toBe(0)
    const old = pairIn(w.github, { repo: REPOS[0]! })!.accessKeyId
    w.github.requests.length = 0
    const r = await w.run({ repositories: REPOS.join('\n') })
    expect(r.code).toBe(0)
    expect(writesDone(w.github)).toEqual(
      [
        ...PAIR.map(n => `PUT /repos/octo-org/app-1/actions/secrets/${n}`),
        ...PAIR.map(n => `PUT /repos/octo-org/app-2/actions/secrets/${n}`),
        ...NAMES.map(n => `PUT /repos/octo-org/app-3/actions/secrets/${n}`)
      ].sort()
    )
    const pairs = await Promise.all(REPOS.map(repo => expectFourSecrets(w, { repo })))
    expect(pairs[0]!.accessKeyId).not.toBe(old)
    expect(await w.keysOf(USER)).toEqual([{ id: pairs[0]!.accessKeyId, status: 'Active' }])
  })
})
