/**
 * Issue 5: a rotation that fails after its new key exists (GitHub refusing or losing writes, a key
 * that cannot be deleted, some destinations written): the repository keeps working credentials
 * and a re-run finishes. The rest of the rotation's tests are in rotation.test.ts.
 */
import { assertNoSecretLeak } from '../support/run-action.js'
import { closeWorld, openWorld, REPO } from '../support/world.js'
import {
  USER,
  PENDING_TAG,
  provisioned,
  plain,
  userTags,
  markerTags,
  noLeak
} from '../support/rotation.js'

afterAll(closeWorld)

describe('a failure after the new key exists', () => {
  const OTHER = 'octo-org/other-repo'
  const BOTH = `${REPO}\n${OTHER}`

  test('the secret cannot be written: the id is put back, the new key deleted, the old pair works', async () => {
    const { w, pair: old } = await provisioned()
    w.github.failWhen(
      q => q.method === 'PUT' && q.path.endsWith('/secrets/AWS_SECRET_ACCESS_KEY'),
      { status: 403, secondaryRateLimit: true, retryAfterSeconds: 1 }
    )
    const r = await w.run({ rotate: 'true' })
    expect(r.code).not.toBe(0)
    expect(r.log).toContain(`AWS_ACCESS_KEY_ID put back to ${old.accessKeyId}`)
    expect(r.log).toMatch(/No secret holds the new key \w+, so it was deleted/)
    expect(plain(w.storedPair())).toEqual(plain(old))
    expect(await w.works(old)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old)
  })

  /** GitHub's timestamps are whole seconds: a write in the same second as the last one looks unchanged. */
  const nextSecond = () => new Promise(resolve => setTimeout(resolve, 1100))
  const secretPut = (q: { method: string; path: string }) =>
    q.method === 'PUT' && q.path.endsWith('/secrets/AWS_SECRET_ACCESS_KEY')

  test("GitHub's answers to the secret are lost but it was written: read back, counted as written, the rotation completes", async () => {
    const { w, pair: old } = await provisioned()
    await nextSecond()
    // Every attempt (the retry plugin's included) takes effect; none is answered.
    w.github.failWhen(secretPut, { status: 502, afterApplying: true })
    const r = await w.run({ rotate: 'true' })
    expect(r.code).toBe(0)
    expect(r.log).toContain(
      `${REPO}: AWS_SECRET_ACCESS_KEY was written, though GitHub's answer was lost.`
    )
    expect(r.log).not.toContain('put back')
    const pair = w.storedPair()!
    expect(pair.accessKeyId).not.toBe(old.accessKeyId)
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old, pair)
  })

  test('a lost answer that cannot be read back either: the new key stays, the run says which secret may hold what, a re-run repairs', async () => {
    const { w, pair: old } = await provisioned()
    await nextSecond()
    let failing = true
    w.github.failWhen(q => failing && secretPut(q), { drop: true, afterApplying: true })
    w.github.failWhen(
      q => failing && q.method === 'GET' && q.path.endsWith('/secrets/AWS_SECRET_ACCESS_KEY'),
      { status: 502 }
    )
    const r = await w.run({ rotate: 'true' })
    expect(r.code).not.toBe(0)
    const keys = await w.keysOf(USER)
    const fresh = keys.find(k => k.id !== old.accessKeyId)!
    // The secret took effect unseen: the new key must not be deleted, and the run says so.
    expect(keys).toHaveLength(2)
    expect(r.log).toContain(
      `AWS_SECRET_ACCESS_KEY may hold the secret of ${fresh.id} or the secret of ${old.accessKeyId} (GitHub did not confirm the write)`
    )
    expect(await userTags(w)).toMatchObject({ [PENDING_TAG]: fresh.id })
    noLeak(r, old)
    assertNoSecretLeak(r, [w.github.secret({ repo: REPO }, 'AWS_SECRET_ACCESS_KEY')!])

    failing = false
    const again = await w.run()
    expect(again.code).toBe(0)
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(again, old, pair)
  })

  test('first run, the key id cannot be written: the secret is (both go at once), the run says so, a re-run completes', async () => {
    const w = await openWorld({ auth: true })
    let failing = true
    w.github.failWhen(
      q => failing && q.method === 'PUT' && q.path.endsWith('/secrets/AWS_ACCESS_KEY_ID'),
      { status: 403, secondaryRateLimit: true, retryAfterSeconds: 1 }
    )
    const r = await w.run()
    expect(r.code).not.toBe(0)
    const [key] = await w.keysOf(USER)
    expect(r.log).toContain(
      `${REPO}: AWS_ACCESS_KEY_ID was not written, AWS_SECRET_ACCESS_KEY holds the secret of ${key!.id}.`
    )
    expect(r.log).toContain(`${key!.id} stays marked as pending on the user`)
    expect(w.github.secretMeta({ repo: REPO }, 'AWS_ACCESS_KEY_ID')).toBeUndefined()
    const halfWritten = w.github.secret({ repo: REPO }, 'AWS_SECRET_ACCESS_KEY')!
    assertNoSecretLeak(r, [halfWritten])
    expect(await userTags(w)).toMatchObject({ [PENDING_TAG]: key!.id })

    failing = false
    const again = await w.run()
    expect(again.code).toBe(0)
    const pair = w.storedPair()!
    expect(pair.accessKeyId).not.toBe(key!.id)
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(again, pair)
    assertNoSecretLeak(again, [halfWritten])
  })

  test("an unfinished run's key that cannot be deleted stays recorded as pending; the next run deletes it", async () => {
    const w = await openWorld({ auth: true })
    let failing = true
    w.github.failWhen(
      q => failing && q.method === 'PUT' && q.path.endsWith('/secrets/AWS_ACCESS_KEY_ID'),
      { status: 403, secondaryRateLimit: true, retryAfterSeconds: 1 }
    )
    expect((await w.run()).code).not.toBe(0)
    const [pending] = await w.keysOf(USER)
    failing = false

    // The re-run writes a fresh key everywhere, then deletes the pending one: refused here.
    let refusing = true
    w.aws.failWhen(r => refusing && r.action === 'DeleteAccessKey', { status: 500 })
    const again = await w.run()
    expect(again.code).toBe(0)
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    expect(again.log).toContain(
      `Access key ${pending!.id} could not be deleted; the next run deletes it.`
    )
    // Removed with the other marker tags, then recorded again (never left unrecorded at the end).
    expect(await userTags(w)).toEqual(expect.objectContaining({ [PENDING_TAG]: pending!.id }))
    expect(await markerTags(w)).toEqual([PENDING_TAG])

    refusing = false
    const third = await w.run()
    expect(third.code).toBe(0)
    expect(third.log).toContain(`Deleted access key ${pending!.id}: created by an earlier run`)
    const last = w.storedPair()!
    expect(await w.works(last)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: last.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(again, pair)
    noLeak(third, pair, last)
  })

  test('some destinations hold it: both keys stay, the log says who holds what, a re-run finishes', async () => {
    const { w, pair: first } = await provisioned()
    // A destination added: every destination gets a new key, and the one it replaces goes.
    w.github.addRepository(OTHER)
    const setup = await w.run({ repositories: BOTH })
    expect(setup.code).toBe(0)
    const old = w.storedPair()!
    expect(plain(w.storedPair(OTHER))).toEqual(plain(old))
    expect(setup.outputs['old-access-key-id']).toBe(first.accessKeyId)
    expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
    noLeak(setup, first, old)

    let failing = true
    w.github.failWhen(
      q =>
        failing &&
        q.method === 'PUT' &&
        q.path.endsWith(`${OTHER}/actions/secrets/AWS_ACCESS_KEY_ID`),
      { status: 403, secondaryRateLimit: true, retryAfterSeconds: 1 }
    )
    const r = await w.run({ repositories: BOTH, rotate: 'true' })
    expect(r.code).not.toBe(0)
    const b = w.storedPair()!
    expect(b.accessKeyId).not.toBe(old.accessKeyId)
    expect(plain(w.storedPair(OTHER))).toEqual(plain(old))
    expect(await w.works(b)).toBe(true)
    expect(await w.works(old)).toBe(true)
    expect(r.log).toContain(
      `${REPO}: AWS_ACCESS_KEY_ID holds ${b.accessKeyId}, AWS_SECRET_ACCESS_KEY holds the secret of ${b.accessKeyId}.`
    )
    expect(r.log).toContain(
      `${OTHER}: AWS_ACCESS_KEY_ID holds ${old.accessKeyId}, AWS_SECRET_ACCESS_KEY holds the secret of ${old.accessKeyId}.`
    )
    expect(await w.keysOf(USER)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Active' },
        { id: b.accessKeyId, status: 'Active' }
      ])
    )
    expect(r.outputs['old-access-key-id']).toBe(old.accessKeyId)
    expect(await userTags(w)).toMatchObject({ [PENDING_TAG]: b.accessKeyId })
    expect(await markerTags(w)).toEqual([PENDING_TAG])

    // The re-run cannot trust either destination to hold a verified pair: a fresh key everywhere.
    failing = false
    const again = await w.run({ repositories: BOTH })
    expect(again.code).toBe(0)
    const c = w.storedPair()!
    expect(c.accessKeyId).not.toBe(b.accessKeyId)
    expect(c.accessKeyId).not.toBe(old.accessKeyId)
    expect(plain(w.storedPair(OTHER))).toEqual(plain(c))
    expect(again.log).toContain(`Deleted access key ${b.accessKeyId}: created by an earlier run`)
    expect(again.outputs).toMatchObject({ rotated: 'true', 'old-access-key-id': old.accessKeyId })
    expect(await w.keysOf(USER)).toEqual([{ id: c.accessKeyId, status: 'Active' }])
    expect(await w.works(c)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old, b)
    noLeak(again, old, b, c)
  })
})
