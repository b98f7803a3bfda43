// Tests of the GitHub REST API stand-in itself: crypto, auth, OpenAPI validation, status codes,
// fault and latency injection, and that real Octokit clients work against it.
import { readFile } from 'node:fs/promises'
import { Octokit } from '@octokit/core'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import sodium from 'libsodium-wrappers'
import { GHES_RELEASE, GitHubStandin } from '../support/github-standin.js'
import { openApiFile } from '../support/github-standin/openapi.js'
import { operations } from '../support/github-standin/operations.js'

const REPO = 'octo-org/app'
const KEY = `/repos/${REPO}/actions/secrets/public-key`
const SECRET = (name: string) => `/repos/${REPO}/actions/secrets/${name}`
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

interface Answer {
  status: number
  headers: Headers
  json: Record<string, unknown> | undefined
}

interface CallOptions {
  token?: string | null
  scheme?: string
  body?: unknown
  raw?: string
}

let gh: GitHubStandin

beforeAll(async () => {
  await sodium.ready
  gh = await GitHubStandin.start()
})

afterAll(async () => {
  await gh.stop()
})

beforeEach(() => {
  gh.reset()
  gh.addToken('admin', { kind: 'classic_pat', permissions: [] })
  gh.addRepository(REPO, { environments: ['production'] })
  gh.addOrganization('octo-org')
})

async function call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const token = opts.token === undefined ? 'admin' : opts.token
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== null) headers.authorization = `${opts.scheme ?? 'Bearer'} ${token}`
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const res = await fetch(`${gh.url}${path}`, { method, headers, body })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined }
}

function seal(plaintext: string, key: string): string {
  const publicKey = sodium.from_base64(key, sodium.base64_variants.ORIGINAL)
  return sodium.to_base64(
    sodium.crypto_box_seal(plaintext, publicKey),
    sodium.base64_variants.ORIGINAL
  )
}

// Fetches the public key at keyPath and returns a PUT body sealing plaintext with it.
async function sealedBody(keyPath: string, plaintext: string, extra: object = {}) {
  const { json } = await call('GET', keyPath)
  const { key, key_id } = json as { key: string; key_id: string }
  return { encrypted_value: seal(plaintext, key), key_id, ...extra }
}

describe('secrets and crypto', () => {
  it('decrypts a value sealed with the published public key', async () => {
    const key = await call('GET', KEY)
    expect(key.status).toBe(200)
    expect(key.json).toEqual({ key_id: expect.stringMatching(/^\d+$/), key: expect.any(String) })
    const put = await call('PUT', SECRET('aws_key'), { body: await sealedBody(KEY, 's3cr3t ✓') })
    expect(put.status).toBe(201)
    expect(gh.secret({ repo: REPO }, 'AWS_KEY')).toBe('s3cr3t ✓')
    expect(gh.secretNames({ repo: REPO })).toEqual(['AWS_KEY'])
  })

  // Issue 14: GitHub Enterprise Server is validated against its own description.
  it('routes /api/v3 by the GitHub Enterprise Server description, which has no Codespaces', async () => {
    const codespaces = `/repos/${REPO}/codespaces/secrets/public-key`
    expect((await call('GET', codespaces)).status).toBe(200)
    const onServer = await call('GET', `/api/v3${codespaces}`)
    expect(onServer.status).toBe(404)
    expect(gh.requests.at(-1)).toMatchObject({ description: `ghes-${GHES_RELEASE}`, route: '' })
    const key = await call('GET', `/api/v3${KEY}`)
    expect(key.status).toBe(200)
    expect(key.headers.get('x-github-enterprise-version')).toBe(`${GHES_RELEASE}.0`)
    expect(gh.requests.at(-1)).toMatchObject({ description: `ghes-${GHES_RELEASE}` })
    expect((await call('GET', KEY)).headers.get('x-github-enterprise-version')).toBeNull()
    expect(gh.requests.at(-1)).toMatchObject({ description: 'api.github.com' })
  })

  it('accepts the GitHub Enterprise /api/v3 prefix', async () => {
    const body = await sealedBody(`/api/v3${KEY}`, 'ghes')
    expect((await call('PUT', `/api/v3${SECRET('GHES')}`, { body })).status).toBe(201)
    expect(gh.secret({ repo: REPO }, 'GHES')).toBe('ghes')
    expect(gh.requests.at(-1)).toMatchObject({
      path: SECRET('GHES'),
      route: '/repos/{owner}/{repo}/actions/secrets/{secret_name}'
    })
  })

  it('refuses a value that does not decrypt', async () => {
    const { key_id } = (await call('GET', KEY)).json as { key_id: string }
    const garbage = Buffer.from('x'.repeat(64)).toString('base64')
    const put = await call('PUT', SECRET('X'), { body: { encrypted_value: garbage, key_id } })
    expect(put.status).toBe(422)
    expect(put.json).toMatchObject({ message: expect.stringMatching(/could not be decrypted/) })
    expect(gh.secret({ repo: REPO }, 'X')).toBeUndefined()
  })

  it('refuses a key_id that is not the current one, e.g. after rotation', async () => {
    const body = await sealedBody(KEY, 'v')
    expect((await call('PUT', SECRET('X'), { body: { ...body, key_id: '1' } })).status).toBe(422)
    gh.rotatePublicKey({ repo: REPO })
    expect((await call('PUT', SECRET('X'), { body })).status).toBe(422)
    expect((await call('PUT', SECRET('X'), { body: await sealedBody(KEY, 'v2') })).status).toBe(201)
    expect(gh.secret({ repo: REPO }, 'X')).toBe('v2')
  })

  it('answers 201 on create and 204 on update, keeping created_at', async () => {
    expect((await call('PUT', SECRET('K'), { body: await sealedBody(KEY, 'one') })).status).toBe(
      201
    )
    const created = gh.secretMeta({ repo: REPO }, 'K')
    expect(created?.created_at).toMatch(ISO_SECONDS)
    expect((await call('PUT', SECRET('K'), { body: await sealedBody(KEY, 'two') })).status).toBe(
      204
    )
    expect(gh.secret({ repo: REPO }, 'K')).toBe('two')
    expect(gh.secretMeta({ repo: REPO }, 'K')?.created_at).toBe(created?.created_at)
    const get = await call('GET', SECRET('k'))
    expect(get.status).toBe(200)
    expect(get.json).toEqual({
      name: 'K',
      created_at: created?.created_at,
      updated_at: expect.stringMatching(ISO_SECONDS)
    })
  })

  it('lists with pagination, deletes, and answers 404 for missing secrets', async () => {
    for (const name of ['A', 'B', 'C']) gh.setSecret({ repo: REPO }, name, name.toLowerCase())
    const page2 = await call('GET', `/repos/${REPO}/actions/secrets?per_page=2&page=2`)
    expect(page2.json).toMatchObject({ total_count: 3, secrets: [{ name: 'C' }] })
    expect(page2.headers.get('link')).toContain('rel="prev"')
    expect((await call('DELETE', SECRET('B'))).status).toBe(204)
    expect((await call('DELETE', SECRET('B'))).status).toBe(404)
    expect((await call('GET', SECRET('B'))).status).toBe(404)
    expect(gh.secretNames({ repo: REPO })).toEqual(['A', 'C'])
  })

  it('round-trips environment secrets, and 404s an unknown environment', async () => {
    const env = `/repos/${REPO}/environments/production/secrets`
    const put = await call('PUT', `${env}/DEPLOY`, {
      body: await sealedBody(`${env}/public-key`, 'e')
    })
    expect(put.status).toBe(201)
    expect(gh.secret({ repo: REPO, environment: 'production' }, 'DEPLOY')).toBe('e')
    expect(gh.secret({ repo: REPO }, 'DEPLOY')).toBeUndefined()
    expect((await call('GET', env)).json).toMatchObject({ total_count: 1 })
    const missing = `/repos/${REPO}/environments/staging/secrets/public-key`
    expect((await call('GET', missing)).status).toBe(404)
  })

  it('round-trips organization secrets with selected visibility', async () => {
    const base = '/orgs/octo-org/actions/secrets'
    const body = await sealedBody(`${base}/public-key`, 'org-value', {
      visibility: 'selected',
      selected_repository_ids: [101, '102']
    })
    expect((await call('PUT', `${base}/SHARED`, { body })).status).toBe(201)
    expect(gh.secret({ org: 'octo-org' }, 'SHARED')).toBe('org-value')
    expect(gh.secretMeta({ org: 'octo-org' }, 'SHARED')).toMatchObject({
      visibility: 'selected',
      selected_repository_ids: [101, 102]
    })
    const get = await call('GET', `${base}/SHARED`)
    expect(get.json).toMatchObject({
      visibility: 'selected',
      selected_repositories_url: expect.stringContaining('/SHARED/repositories')
    })
  })

  it('round-trips Dependabot and Codespaces secrets in their own stores', async () => {
    for (const store of ['dependabot', 'codespaces'] as const) {
      const repoBase = `/repos/${REPO}/${store}/secrets`
      const repoPut = await call('PUT', `${repoBase}/TOKEN`, {
        body: await sealedBody(`${repoBase}/public-key`, `${store}-repo`)
      })
      expect(repoPut.status).toBe(201)
      expect(gh.secret({ repo: REPO, store }, 'TOKEN')).toBe(`${store}-repo`)
      const orgBase = `/orgs/octo-org/${store}/secrets`
      const orgBody = await sealedBody(`${orgBase}/public-key`, `${store}-org`, {
        visibility: 'private'
      })
      expect((await call('PUT', `${orgBase}/TOKEN`, { body: orgBody })).status).toBe(201)
      expect(gh.secret({ org: 'octo-org', store }, 'TOKEN')).toBe(`${store}-org`)
    }
    expect(gh.secret({ repo: REPO }, 'TOKEN')).toBeUndefined()
    // Each store has its own key pair: a Dependabot-sealed value does not open in Actions.
    const dependabot = await sealedBody(`/repos/${REPO}/dependabot/secrets/public-key`, 'x')
    expect((await call('PUT', SECRET('CROSS'), { body: dependabot })).status).toBe(422)
  })
})

describe('authentication and permissions', () => {
  it('answers 401 without a token and for an unknown token', async () => {
    const none = await call('GET', KEY, { token: null })
    expect(none.status).toBe(401)
    expect(none.json).toMatchObject({ message: 'Requires authentication', status: '401' })
    const unknown = await call('GET', KEY, { token: 'nope' })
    expect(unknown.status).toBe(401)
    expect(unknown.json).toMatchObject({ message: 'Bad credentials' })
  })

  it('accepts the "token" authorization scheme too', async () => {
    expect((await call('GET', KEY, { scheme: 'token' })).status).toBe(200)
  })

  it('answers 403 with the message for installations and the accepted permissions', async () => {
    gh.addToken('ghs_app', { kind: 'installation', permissions: ['metadata'] })
    const res = await call('PUT', SECRET('X'), { token: 'ghs_app', body: { a: 1 } })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ message: 'Resource not accessible by integration' })
    expect(res.headers.get('x-accepted-github-permissions')).toBe('secrets=write')
    const read = await call('GET', KEY, { token: 'ghs_app' })
    expect(read.headers.get('x-accepted-github-permissions')).toBe('secrets=read')
  })

  // Issue 14: GitHub lists the environment secret and variable routes under "Environments" alone.
  it('reaches environment secrets and variables with "Environments", not with "Secrets"', async () => {
    const env = `/repos/${REPO}/environments/production`
    gh.addToken('ghs_secrets', { kind: 'installation', permissions: ['secrets', 'variables'] })
    for (const [method, path, needed] of [
      ['GET', `${env}/secrets/public-key`, 'environments=read'],
      ['GET', `${env}/secrets`, 'environments=read'],
      ['PUT', `${env}/secrets/X`, 'environments=write'],
      ['GET', `${env}/variables`, 'environments=read'],
      ['POST', `${env}/variables`, 'environments=write']
    ] as const) {
      const res = await call(method, path, {
        token: 'ghs_secrets',
        ...(method === 'GET' ? {} : { body: {} })
      })
      expect([method, path, res.status]).toEqual([method, path, 403])
      expect(res.headers.get('x-accepted-github-permissions')).toBe(needed)
    }
    gh.addToken('ghs_environments', { kind: 'installation', permissions: ['environments'] })
    const body = await sealedBody(`${env}/secrets/public-key`, 'v')
    expect(
      (await call('PUT', `${env}/secrets/X`, { token: 'ghs_environments', body })).status
    ).toBe(201)
    const variable = { name: 'V', value: 'v' }
    const created = await call('POST', `${env}/variables`, {
      token: 'ghs_environments',
      body: variable
    })
    expect(created.status).toBe(201)
  })

  it("names repository and organization variables' permissions as GitHub does", async () => {
    gh.addToken('ghs_none', { kind: 'installation', permissions: [] })
    const repo = await call('GET', `/repos/${REPO}/actions/variables`, { token: 'ghs_none' })
    expect(repo.headers.get('x-accepted-github-permissions')).toBe('actions_variables=read')
    const org = await call('GET', '/orgs/octo-org/actions/variables', { token: 'ghs_none' })
    expect(org.headers.get('x-accepted-github-permissions')).toBe(
      'organization_actions_variables=read'
    )
  })

  it('answers 403 with the message for fine-grained personal access tokens', async () => {
    gh.addToken('github_pat_x', { kind: 'fine_grained_pat', permissions: ['variables'] })
    const res = await call('GET', KEY, { token: 'github_pat_x' })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({
      message: 'Resource not accessible by personal access token'
    })
  })

  it('a permission granted read-only reads but does not write or delete', async () => {
    gh.addToken('github_pat_ro', {
      kind: 'fine_grained_pat',
      permissions: ['secrets'],
      readOnly: ['secrets']
    })
    expect((await call('GET', KEY, { token: 'github_pat_ro' })).status).toBe(200)
    const del = await call('DELETE', SECRET('X'), { token: 'github_pat_ro' })
    expect(del.status).toBe(403)
    expect(del.headers.get('x-accepted-github-permissions')).toBe('secrets=write')
  })

  it('never lets a GITHUB_TOKEN manage secrets, whatever its declared permissions', async () => {
    gh.addToken('ghs_job', { kind: 'github_token', permissions: ['secrets', 'metadata'] })
    const res = await call('GET', KEY, { token: 'ghs_job' })
    expect(res.status).toBe(403)
    expect(res.json).toMatchObject({ message: 'Resource not accessible by integration' })
    expect((await call('GET', `/repos/${REPO}`, { token: 'ghs_job' })).status).toBe(200)
  })

  it('grants exactly the listed permissions to an installation token', async () => {
    gh.addToken('ghs_ok', { kind: 'installation', permissions: ['secrets'] })
    const body = await sealedBody(KEY, 'ok')
    expect((await call('PUT', SECRET('OK'), { token: 'ghs_ok', body })).status).toBe(201)
    const org = await call('GET', '/orgs/octo-org/actions/secrets/public-key', { token: 'ghs_ok' })
    expect(org.status).toBe(403)
    expect(org.headers.get('x-accepted-github-permissions')).toBe('organization_secrets=read')
  })

  it('answers 404 for an unknown repository or organization', async () => {
    expect((await call('GET', '/repos/octo-org/missing/actions/secrets/public-key')).status).toBe(
      404
    )
    expect((await call('GET', '/orgs/nobody/actions/secrets')).status).toBe(404)
  })
})

describe('validation against the OpenAPI description', () => {
  it('answers 422 for a body missing key_id', async () => {
    const { encrypted_value } = await sealedBody(KEY, 'v')
    const res = await call('PUT', SECRET('X'), { body: { encrypted_value } })
    expect(res.status).toBe(422)
    expect(res.json).toMatchObject({
      message: `Invalid request.\n\n"key_id" wasn't supplied.`,
      documentation_url: expect.stringContaining('docs.github.com'),
      status: '422'
    })
  })

  it("answers 422 for an organization secret with visibility 'bogus'", async () => {
    const base = '/orgs/octo-org/actions/secrets'
    const body = await sealedBody(`${base}/public-key`, 'v', { visibility: 'bogus' })
    const res = await call('PUT', `${base}/X`, { body })
    expect(res.status).toBe(422)
    expect(String(res.json?.message)).toMatch(/^Invalid request\.\n\n.*visibility.*"bogus"/)
  })

  it('answers 422 for an encrypted_value that is not base64, 400 for broken JSON', async () => {
    const { key_id } = (await call('GET', KEY)).json as { key_id: string }
    const res = await call('PUT', SECRET('X'), { body: { encrypted_value: 'not base64!', key_id } })
    expect(res.status).toBe(422)
    expect((await call('PUT', SECRET('X'), { raw: '{"encrypted_value":' })).status).toBe(400)
  })

  it.each(['GITHUB_TOKEN', '1ABC', 'WITH-DASH', 'with space'])(
    'answers 422 for the secret name %p',
    async name => {
      const res = await call('PUT', SECRET(encodeURIComponent(name)), {
        body: await sealedBody(KEY, 'v')
      })
      expect(res.status).toBe(422)
      expect(gh.secretNames({ repo: REPO })).toEqual([])
    }
  )

  it('answers 404 for unknown routes and for described but unimplemented ones', async () => {
    const unknown = await call('GET', '/no/such/route')
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404'
    })
    expect((await call('GET', `/repos/${REPO}/issues`)).status).toBe(404)
    expect(gh.requests.at(-1)?.route).toBe('/repos/{owner}/{repo}/issues')
  })

  it('implements only operations that the description defines', async () => {
    const doc = JSON.parse(await readFile(openApiFile(), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>
    }
    const described = new Set(
      Object.values(doc.paths).flatMap(item => Object.values(item).map(op => op.operationId))
    )
    const missing = [...operations().keys()].filter(id => !described.has(id))
    expect(missing).toEqual([])
    expect(operations().size).toBeGreaterThanOrEqual(47)
  })
})

describe('variables and metadata', () => {
  it('round-trips repository variables with GitHub status codes', async () => {
    const base = `/repos/${REPO}/actions/variables`
    expect((await call('POST', base, { body: { name: 'region', value: 'eu' } })).status).toBe(201)
    expect((await call('POST', base, { body: { name: 'REGION', value: 'us' } })).status).toBe(409)
    expect(gh.variable({ repo: REPO }, 'REGION')).toBe('eu')
    expect((await call('PATCH', `${base}/REGION`, { body: { value: 'us' } })).status).toBe(204)
    expect((await call('GET', `${base}/REGION`)).json).toMatchObject({
      name: 'REGION',
      value: 'us'
    })
    expect((await call('GET', base)).json).toMatchObject({ total_count: 1 })
    expect((await call('DELETE', `${base}/REGION`)).status).toBe(204)
    expect((await call('GET', `${base}/REGION`)).status).toBe(404)
    expect((await call('POST', base, { body: { name: 'X' } })).status).toBe(422)
  })

  it('pages variables by the per_page default of the description (10)', async () => {
    for (let i = 0; i < 12; i++) gh.setVariable({ repo: REPO }, `V${i}`, String(i))
    const first = await call('GET', `/repos/${REPO}/actions/variables`)
    expect(first.json).toMatchObject({ total_count: 12 })
    expect((first.json?.variables as unknown[]).length).toBe(10)
    expect(first.headers.get('link')).toContain('page=2>; rel="last"')
  })

  it('round-trips organization and environment variables', async () => {
    const org = '/orgs/octo-org/actions/variables'
    const body = {
      name: 'BUCKET',
      value: 'b',
      visibility: 'selected',
      selected_repository_ids: [7]
    }
    expect((await call('POST', org, { body })).status).toBe(201)
    expect(gh.variable({ org: 'octo-org' }, 'BUCKET')).toBe('b')
    expect((await call('GET', `${org}/BUCKET`)).json).toMatchObject({ visibility: 'selected' })
    const env = `/repos/${REPO}/environments/production/variables`
    expect((await call('POST', env, { body: { name: 'STAGE', value: 'prod' } })).status).toBe(201)
    expect(gh.variable({ repo: REPO, environment: 'production' }, 'STAGE')).toBe('prod')
  })

  it('serves repository and organization metadata to any token', async () => {
    gh.addToken('ghs_meta', { kind: 'installation', permissions: [] })
    const repo = await call('GET', `/repos/${REPO}`, { token: 'ghs_meta' })
    expect(repo.json).toMatchObject({
      id: expect.any(Number),
      full_name: REPO,
      name: 'app',
      owner: { login: 'octo-org' }
    })
    const org = await call('GET', '/orgs/octo-org', { token: 'ghs_meta' })
    expect(org.json).toMatchObject({ login: 'octo-org', id: expect.any(Number) })
  })
})

describe('faults, latency and recording', () => {
  it('fails the n-th request from now with 500 or 502 without changing state', async () => {
    const body = await sealedBody(KEY, 'v')
    gh.failRequest(2, { status: 502 })
    gh.failRequest(1, { status: 500 })
    const first = await call('PUT', SECRET('X'), { body })
    expect(first.status).toBe(500)
    expect(first.json).toMatchObject({ message: 'Server Error' })
    expect((await call('PUT', SECRET('X'), { body })).status).toBe(502)
    expect(gh.secret({ repo: REPO }, 'X')).toBeUndefined()
    expect((await call('PUT', SECRET('X'), { body })).status).toBe(201)
    expect(gh.writeCount()).toBe(1)
  })

  it('answers a secondary rate limit with retry-after', async () => {
    gh.failRequest(1, { status: 403, secondaryRateLimit: true, retryAfterSeconds: 7 })
    const res = await call('GET', KEY)
    expect(res.status).toBe(403)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(String(res.json?.message)).toMatch(/secondary rate limit/)
  })

  // Issue 14: GitHub may leave retry-after out ("Rate limits for the REST API").
  it('answers a secondary rate limit without retry-after, with the primary limit spent or not', async () => {
    gh.failRequest(1, { status: 403, secondaryRateLimit: true, resetInSeconds: 2 })
    gh.failRequest(2, { status: 403, secondaryRateLimit: true })
    const spent = await call('GET', KEY)
    expect(spent.status).toBe(403)
    expect(spent.headers.get('retry-after')).toBeNull()
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0')
    const reset = Number(spent.headers.get('x-ratelimit-reset'))
    expect(reset - Date.now() / 1000).toBeGreaterThan(0)
    expect(reset - Date.now() / 1000).toBeLessThanOrEqual(2)
    const neither = await call('GET', KEY)
    expect(neither.status).toBe(403)
    expect(String(neither.json?.message)).toMatch(/secondary rate limit/)
    expect(neither.headers.get('retry-after')).toBeNull()
    expect(Number(neither.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0)
  })

  it('drops the connection, so that fetch rejects, and records status 0', async () => {
    gh.failRequest(1, { drop: true })
    await expect(
      fetch(`${gh.url}${KEY}`, { headers: { authorization: 'Bearer admin' } })
    ).rejects.toThrow()
    expect(gh.requests.at(-1)).toMatchObject({ method: 'GET', path: KEY, status: 0 })
    expect((await call('GET', KEY)).status).toBe(200)
  })

  it('fails requests matching a predicate a given number of times', async () => {
    gh.failWhen(req => req.method === 'PUT', { status: 500 }, 2)
    const body = await sealedBody(KEY, 'v')
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call('PUT', SECRET('X'), { body })).status)
    expect(statuses).toEqual([500, 500, 201])
    expect(gh.countRequests({ method: 'PUT' })).toBe(3)
    expect(gh.countRequests({ route: '/repos/{owner}/{repo}/actions/secrets/public-key' })).toBe(1)
  })

  it('delays every answer by the configured latency', async () => {
    gh.setLatency(150)
    const started = performance.now()
    expect((await call('GET', KEY)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
  })

  it('applies a secondary rate limit to bursts of writes', async () => {
    gh.secondaryRateLimit({ maxWrites: 2, windowMs: 60_000, retryAfterSeconds: 3 })
    const body = await sealedBody(KEY, 'v')
    const statuses = []
    for (const name of ['A', 'B', 'C'])
      statuses.push((await call('PUT', SECRET(name), { body })).status)
    expect(statuses).toEqual([201, 201, 403])
    expect((await call('GET', KEY)).status).toBe(200)
    expect(gh.secretNames({ repo: REPO })).toEqual(['A', 'B'])
  })

  it('sends GitHub-like response headers', async () => {
    const res = await call('GET', KEY)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('x-github-request-id')).toMatch(/^[0-9A-F:]+$/)
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0)
  })
})

describe('real clients', () => {
  it('works with Octokit', async () => {
    const octokit = new Octokit({ auth: 'admin', baseUrl: gh.url })
    const { data: key } = await octokit.request(
      'GET /repos/{owner}/{repo}/actions/secrets/public-key',
      { owner: 'octo-org', repo: 'app' }
    )
    const created = await octokit.request(
      'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
      {
        owner: 'octo-org',
        repo: 'app',
        secret_name: 'FROM_OCTOKIT',
        encrypted_value: seal('hello', key.key),
        key_id: key.key_id
      }
    )
    expect(created.status).toBe(201)
    expect(gh.secret({ repo: REPO }, 'FROM_OCTOKIT')).toBe('hello')
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        owner: 'octo-org',
        repo: 'app',
        secret_name: 'MISSING'
      })
    ).rejects.toMatchObject({ status: 404 })
  })

  it('lets the retry and throttling plugins recover from injected faults', async () => {
    const Client = Octokit.plugin(retry, throttling)
    let secondaryLimits = 0
    const onSecondaryRateLimit = () => ++secondaryLimits > 0
    const octokit = new Client({
      auth: 'admin',
      baseUrl: gh.url,
      retry: { retryAfterBaseValue: 1 },
      throttle: { retryAfterBaseValue: 1, onRateLimit: () => false, onSecondaryRateLimit }
    })
    gh.failRequest(1, { status: 502 })
    gh.failRequest(2, { status: 403, secondaryRateLimit: true, retryAfterSeconds: 1 })
    const res = await octokit.request('GET /repos/{owner}/{repo}', {
      owner: 'octo-org',
      repo: 'app'
    })
    expect(res.data.full_name).toBe(REPO)
    expect(secondaryLimits).toBe(1)
    expect(gh.requests.map(r => r.status)).toEqual([502, 403, 200])
  })
})

describe('limits and who may use organization secrets (issue 14)', () => {
  const ORG_SECRETS = '/orgs/octo-org/actions/secrets'
  const ORG_VARIABLES = '/orgs/octo-org/actions/variables'

  it('refuses the 101st repository secret and the 101st environment secret, not an update', async () => {
    for (let i = 0; i < 100; i++) gh.setSecret({ repo: REPO }, `S${i}`, 'v')
    const refused = await call('PUT', SECRET('ONE_MORE'), { body: await sealedBody(KEY, 'v') })
    expect(refused.status).toBe(422)
    expect(refused.json).toMatchObject({ message: expect.stringMatching(/at most 100 secrets/) })
    expect(gh.secret({ repo: REPO }, 'ONE_MORE')).toBeUndefined()
    expect((await call('PUT', SECRET('S1'), { body: await sealedBody(KEY, 'w') })).status).toBe(204)
    const env = { repo: REPO, environment: 'production' }
    for (let i = 0; i < 100; i++) gh.setSecret(env, `S${i}`, 'v')
    const envBase = `/repos/${REPO}/environments/production/secrets`
    const body = await sealedBody(`${envBase}/public-key`, 'v')
    expect((await call('PUT', `${envBase}/ONE_MORE`, { body })).status).toBe(422)
  })

  it('refuses the 1,001st organization secret; Dependabot secrets have no documented limit', async () => {
    for (let i = 0; i < 1000; i++) gh.setSecret({ org: 'octo-org' }, `S${i}`, 'v')
    const body = await sealedBody(`${ORG_SECRETS}/public-key`, 'v', { visibility: 'all' })
    expect((await call('PUT', `${ORG_SECRETS}/ONE_MORE`, { body })).status).toBe(422)
    for (let i = 0; i < 100; i++) gh.setSecret({ repo: REPO, store: 'dependabot' }, `S${i}`, 'v')
    const dependabot = `/repos/${REPO}/dependabot/secrets`
    const sealed = await sealedBody(`${dependabot}/public-key`, 'v')
    expect((await call('PUT', `${dependabot}/ONE_MORE`, { body: sealed })).status).toBe(201)
  })

  it('refuses the 501st repository variable and the 101st environment variable', async () => {
    for (let i = 0; i < 500; i++) gh.setVariable({ repo: REPO }, `V${i}`, 'v')
    const repo = await call('POST', `/repos/${REPO}/actions/variables`, {
      body: { name: 'ONE_MORE', value: 'v' }
    })
    expect(repo.status).toBe(422)
    expect(repo.json).toMatchObject({ message: expect.stringMatching(/at most 500 variables/) })
    const env = { repo: REPO, environment: 'production' }
    for (let i = 0; i < 100; i++) gh.setVariable(env, `V${i}`, 'v')
    const path = `/repos/${REPO}/environments/production/variables`
    expect((await call('POST', path, { body: { name: 'X', value: 'v' } })).status).toBe(422)
  })

  it('refuses an organization secret written without its value, leaving it as it was', async () => {
    gh.setSecret({ org: 'octo-org' }, 'KEPT', 'value', { visibility: 'all' })
    const res = await call('PUT', `${ORG_SECRETS}/KEPT`, { body: { visibility: 'private' } })
    expect(res.status).toBe(422)
    expect(gh.secret({ org: 'octo-org' }, 'KEPT')).toBe('value')
    expect(gh.secretMeta({ org: 'octo-org' }, 'KEPT')).toMatchObject({ visibility: 'all' })
  })

  it('sets the selected repositories of a secret and of a variable, value untouched; 409 unless selected', async () => {
    gh.setSecret({ org: 'octo-org' }, 'SHARED', 'value', {
      visibility: 'selected',
      selected_repository_ids: [1]
    })
    const before = gh.secretMeta({ org: 'octo-org' }, 'SHARED')
    const route = `${ORG_SECRETS}/SHARED/repositories`
    const set = await call('PUT', route, { body: { selected_repository_ids: [2, 3] } })
    expect(set.status).toBe(204)
    expect(gh.secret({ org: 'octo-org' }, 'SHARED')).toBe('value')
    expect(gh.secretMeta({ org: 'octo-org' }, 'SHARED')).toEqual({
      ...before,
      selected_repository_ids: [2, 3]
    })
    expect((await call('GET', route)).json).toMatchObject({
      total_count: 2,
      repositories: [{ id: 2 }, { id: 3 }]
    })
    // Validated against the OpenAPI description: the ids are required.
    expect((await call('PUT', route, { body: {} })).status).toBe(422)
    gh.setSecret({ org: 'octo-org' }, 'OPEN', 'v', { visibility: 'all' })
    const open = `${ORG_SECRETS}/OPEN/repositories`
    expect((await call('PUT', open, { body: { selected_repository_ids: [2] } })).status).toBe(409)
    expect(
      (
        await call('PUT', `${ORG_SECRETS}/NONE/repositories`, {
          body: { selected_repository_ids: [2] }
        })
      ).status
    ).toBe(404)

    gh.setVariable({ org: 'octo-org' }, 'REGION', 'eu-west-1', {
      visibility: 'selected',
      selected_repository_ids: [1]
    })
    const variable = `${ORG_VARIABLES}/REGION/repositories`
    expect((await call('PUT', variable, { body: { selected_repository_ids: [4] } })).status).toBe(
      204
    )
    expect((await call('GET', variable)).json).toMatchObject({ repositories: [{ id: 4 }] })
    expect(gh.variable({ org: 'octo-org' }, 'REGION')).toBe('eu-west-1')
  })
})
