/**
 * Issue 14: GitHub's secondary rate limits as GitHub documents them ("Rate limits for the REST
 * API"): a limit without retry-after but with the primary limit spent is waited out until
 * x-ratelimit-reset (not a fixed minute); a wait longer than a run makes fails the run at once
 * with one line, leaving the stored credentials working. (A limit with neither header waits a
 * minute or more: src/plan/github-wait.ts, unit-tested, never slept through here.)
 */
import { assertNoSecretLeak, type RunResult } from '../support/run-action.js'
import { closeWorld, openWorld, REPO } from '../support/world.js'

afterAll(closeWorld)

const ID_WRITE = (q: { method: string; path: string }) =>
  q.method === 'PUT' && q.path.endsWith(`${REPO}/actions/secrets/AWS_ACCESS_KEY_ID`)

function errorLines(r: RunResult): string[] {
  return r.log.split('\n').filter(l => l.startsWith('::error'))
}

test('a secondary limit without retry-after, the primary limit spent: retried after x-ratelimit-reset', async () => {
  const w = await openWorld()
  w.github.failWhen(ID_WRITE, { status: 403, secondaryRateLimit: true, resetInSeconds: 2 }, 1)
  const r = await w.run()
  expect(r.code).toBe(0)
  const attempts = w.github.requests.filter(ID_WRITE)
  expect(attempts.map(q => q.status)).toEqual([403, 201])
  // GitHub's reset is in whole seconds: the retry came after it, not a minute later.
  const reset = Math.floor(attempts[0]!.at / 1000 + 2) * 1000
  expect(attempts[1]!.at).toBeGreaterThanOrEqual(reset)
  expect(r.log).toMatch(
    /GitHub secondary rate limit on PUT \S+AWS_ACCESS_KEY_ID; retrying in [23]s/
  )
  expect(await w.works(w.storedPair()!)).toBe(true)
})

test('a wait longer than a run makes fails at once, in one line, and the stored key keeps working', async () => {
  const w = await openWorld()
  expect((await w.run()).code).toBe(0)
  const stored = w.storedPair()!
  w.github.failWhen(ID_WRITE, { status: 403, secondaryRateLimit: true, retryAfterSeconds: 3600 })
  const writesBefore = w.github.requests.filter(ID_WRITE).length
  const r = await w.run({ rotate: 'true' })
  expect(r.code).not.toBe(0)
  const lines = errorLines(r)
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(
    /GitHub rate-limited the request to write secret AWS_ACCESS_KEY_ID for octo-org\/octo-repo and asks to wait 3600 s \(until \d\d:\d\d:\d\d UTC\), longer than a run waits \(300 s\)/
  )
  // Not retried: the wait was never going to be made.
  expect(w.github.requests.filter(ID_WRITE).length - writesBefore).toBe(1)
  expect(w.storedPair()).toEqual(stored)
  expect(await w.works(stored)).toBe(true)
  assertNoSecretLeak(r, [stored.secretAccessKey])
})
