/**
 * Issue 14: the action against a GitHub Enterprise Server. GITHUB_API_URL is the server's
 * `/api/v3` and GITHUB_SERVER_URL its address, as on a GHES runner; the stand-in then routes and
 * validates every request by the description of GHES 3.19, the oldest release the README claims.
 */
import { snapshotMoto } from '../support/moto.js'
import { GHES_RELEASE } from '../support/github-standin.js'
import { closeWorld, openWorld, REGION, REPO, type World } from '../support/world.js'

afterAll(closeWorld)

/** The environment of a runner of the stand-in's GHES. */
function onServer(w: World): Record<string, string> {
  return { GITHUB_API_URL: `${w.github.url}/api/v3`, GITHUB_SERVER_URL: w.github.url }
}

test('a setup to an environment, with variables: every request is a valid GHES request', async () => {
  const w = await openWorld()
  const r = await w.run(
    { environment: 'production', 'region-and-bucket-as': 'variables' },
    onServer(w)
  )
  expect(r.code).toBe(0)
  expect(w.github.requests.length).toBeGreaterThan(0)
  expect(new Set(w.github.requests.map(q => q.description))).toEqual(
    new Set([`ghes-${GHES_RELEASE}`])
  )
  expect(w.github.requests.every(q => q.operationId !== '' && q.status < 400)).toBe(true)
  const env = { repo: REPO, environment: 'production' }
  const pair = {
    accessKeyId: w.github.secret(env, 'AWS_ACCESS_KEY_ID')!,
    secretAccessKey: w.github.secret(env, 'AWS_SECRET_ACCESS_KEY')!
  }
  expect(await w.works(pair)).toBe(true)
  expect(w.github.variable(env, 'AWS_REGION')).toBe(REGION)
  // The summary links the server's own settings pages.
  expect(r.summary).toContain(`${w.github.url}/${REPO}/settings/environments`)
})

test('Codespaces secrets, which GHES lacks, are refused before anything is looked up', async () => {
  const w = await openWorld()
  const before = await snapshotMoto(w.moto)
  const r = await w.run({ 'secret-store': 'codespaces' }, onServer(w))
  expect(r.code).not.toBe(0)
  expect(r.log).toContain(
    `::error::Input 'secret-store': codespaces secrets do not exist on GitHub Enterprise Server (GITHUB_SERVER_URL is ${w.github.url}).`
  )
  expect(w.github.requests).toEqual([])
  expect(w.aws.actions()).toEqual([])
  expect(await snapshotMoto(w.moto)).toBe(before)
})
