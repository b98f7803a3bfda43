/**
 * A rotation where GitHub takes the new key id but its answers are lost, and the id cannot be read
 * back either: the id is put back to the old key, so the destination keeps a working pair (the
 * secret is left alone), and the new key, which no secret then refers to, is deleted. In a file of
 * its own: Octokit's retry back-off (1 + 4 + 9 s, twice) would otherwise lengthen rotation.test.ts.
 */
import { assertNoSecretLeak } from '../support/run-action.js'
import { closeWorld, openWorld } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const ID_PUT = (q: { method: string; path: string }) =>
  q.method === 'PUT' && q.path.endsWith('/secrets/AWS_ACCESS_KEY_ID')
/** The first attempt and the retry plugin's three. */
const ATTEMPTS = 4

afterAll(closeWorld)

test('the new id taken unseen and unreadable: put back to the old key, the new key deleted, the old pair works', async () => {
  const w = await openWorld({ auth: true })
  expect((await w.run()).code).toBe(0)
  const old = w.storedPair()!
  // GitHub's timestamps are whole seconds: the next write must fall in a later one.
  await new Promise(resolve => setTimeout(resolve, 1100))
  // Every attempt at the new id takes effect unanswered; the put-back afterwards is answered.
  w.github.failWhen(ID_PUT, { drop: true, afterApplying: true }, ATTEMPTS)
  w.github.failWhen(q => q.method === 'GET' && q.path.endsWith('/secrets/AWS_ACCESS_KEY_ID'), {
    status: 502
  })
  const since = w.github.requests.length
  const r = await w.run({ rotate: 'true' })
  expect(r.code).not.toBe(0)
  expect(r.log).toContain(
    `AWS_ACCESS_KEY_ID put back to ${old.accessKeyId}, since GitHub did not confirm AWS_ACCESS_KEY_ID.`
  )
  expect(r.log).toMatch(/No secret holds the new key \w+, so it was deleted/)
  const stored = w.storedPair()!
  expect({ id: stored.accessKeyId, secret: stored.secretAccessKey }).toEqual({
    id: old.accessKeyId,
    secret: old.secretAccessKey
  })
  expect(await w.works(stored)).toBe(true)
  expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
  expect(w.github.requests.slice(since).filter(ID_PUT)).toHaveLength(ATTEMPTS + 1)
  assertNoSecretLeak(r, [old.secretAccessKey])
})

test('the new secret unanswered and not taken: read back as not written, the id put back, the old pair works (issue 14)', async () => {
  const w = await openWorld({ auth: true })
  expect((await w.run()).code).toBe(0)
  const old = w.storedPair()!
  await new Promise(resolve => setTimeout(resolve, 1100))
  const SECRET_PUT = (q: { method: string; path: string }) =>
    q.method === 'PUT' && q.path.endsWith('/secrets/AWS_SECRET_ACCESS_KEY')
  // Every attempt at the secret fails with 502 before taking effect; reading it back works.
  w.github.failWhen(SECRET_PUT, { status: 502 }, ATTEMPTS)
  const r = await w.run({ rotate: 'true' })
  expect(r.code).not.toBe(0)
  expect(r.log).not.toContain("was written, though GitHub's answer was lost")
  expect(r.log).toContain(`AWS_ACCESS_KEY_ID put back to ${old.accessKeyId}`)
  expect(r.log).toMatch(/No secret holds the new key \w+, so it was deleted/)
  expect(w.storedPair()).toEqual(old)
  expect(await w.works(old)).toBe(true)
  expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
  assertNoSecretLeak(r, [old.secretAccessKey])
})
