/**
 * Issue 17: the fault sweep over a removal; the rotation's is in the fault-sweep-*.test.ts files
 * beside it (__tests__/support/fault-sweep.ts).
 */
import { snapshotMoto, type AwsCreds } from '../support/moto.js'
import {
  arm,
  describeFault,
  GITHUB_FAULTS,
  GITHUB_LOST,
  GITHUB_PERSISTENT,
  leakFree,
  numbered,
  plain,
  USER,
  type Position,
  type Variant
} from '../support/fault-sweep.js'
import { closeWorld, openWorld, REPO, type World } from '../support/world.js'

afterAll(closeWorld)

/**
 * Issue 17: the same sweep over a removal (remove: true, remove-bucket: true), each after a setup.
 * One position per distinct kind of change (a removal's four secret deletions are one kind), with
 * all three variants; of the look-ups, which are the setup's and swept above, only the one a
 * removal adds (ListObjectVersions: is the bucket empty?), failed persistently (a run that fails
 * while looking changes nothing, and its setup serves the next position).
 * After each faulty run: no destination holds a key secret whose key is gone, and a run that
 * failed after changing something says what is left and that a re-run finishes it; a fault-free
 * re-run then leaves none of the action's secrets, no user and no bucket.
 */
test('every kind of request of a removal, failed, leaves no secret referring to a deleted key, and a re-run converges', async () => {
  const w = await openWorld()
  const REMOVE = { remove: 'true', 'remove-bucket': 'true' }
  const setup = async () => {
    const r = await w.run()
    expect(r.code).toBe(0)
    return plain(w.storedPair()!)
  }
  const first = await setup()
  w.aws.reset()
  const ghStart = w.github.requests.length
  const baseline = await w.run(REMOVE)
  expect(baseline.code).toBe(0)
  leakFree(baseline, first)
  const all = [
    ...numbered(w.aws.requests.map(r => ({ service: r.service, target: r.action }))),
    ...numbered(
      w.github.requests
        .slice(ghStart)
        .map(r => ({ service: 'github' as const, target: githubKind(r) }))
    )
  ]
  const mutating = new Set(
    w.aws.requests.filter(r => r.mutating).map(r => `${r.service} ${r.action}`)
  )
  const positions = all.filter(p => p.occurrence === 1)
  const results: string[] = []
  let pair: AwsCreds | undefined
  for (const position of positions) {
    const changes =
      position.service === 'github'
        ? position.target.startsWith('DELETE')
        : mutating.has(`${position.service} ${position.target}`)
    // The look-ups are the setup's, which the rotation sweep covers, but for the one a removal
    // adds (whether the bucket is empty).
    const variants: Variant[] = changes
      ? ['single', 'persistent', 'lost']
      : position.target === 'ListObjectVersions'
        ? ['persistent']
        : []
    for (const variant of variants) {
      // A run that changed nothing leaves the setup for the next position.
      pair ??= await setup()
      const before = await snapshotMoto(w.moto)
      const writes = w.github.writeCount()
      w.aws.reset()
      const fault = armRemoval(w, position, variant)
      const r = await w.run(REMOVE)
      fault.disarm()
      leakFree(r, pair)
      const where = { position, variant, fault: fault.name }
      const held = w.github.secretNames({ repo: REPO }).filter(n => /^AWS_(ACCESS|SECRET)/.test(n))
      const keys = (await userKeys(w)).map(k => k.id)
      // A key secret still held: its key is still there (nothing refers to a deleted key).
      expect({ ...where, keyGone: held.length > 0 && !keys.includes(pair.accessKeyId) }).toEqual({
        ...where,
        keyGone: false
      })
      if (variant === 'lost') expect({ ...where, code: r.code }).toEqual({ ...where, code: 0 })
      if (w.aws.mutatingCount() === 0 && w.github.writeCount() === writes) {
        expect({ ...where, unchanged: (await snapshotMoto(w.moto)) === before }).toEqual({
          ...where,
          unchanged: true
        })
        results.push(
          `${position.service} ${position.target} ${variant} ${fault.name}: exit ${r.code}, nothing changed`
        )
        continue
      }
      // A run that stopped after changing something says what is left and that a re-run ends it.
      if (r.code !== 0)
        expect({ ...where, says: errorLine(r.log) }).toEqual({
          ...where,
          says: expect.stringMatching(/[Rr]un again with remove: true/)
        })
      const again = await w.run(REMOVE)
      pair = undefined
      expect({ ...where, code: again.code, log: again.code ? again.log : '' }).toEqual({
        ...where,
        code: 0,
        log: ''
      })
      const after = JSON.parse(await snapshotMoto(w.moto)) as {
        users: { name: string }[]
        buckets: unknown[]
      }
      const left = {
        secrets: w.github.secretNames({ repo: REPO }),
        users: after.users.map(u => u.name),
        buckets: after.buckets
      }
      expect({ ...where, ...left }).toEqual({ ...where, secrets: [], users: [], buckets: [] })
      results.push(
        `${position.service} ${position.target} ${variant} ${fault.name}: exit ${r.code}, re-run ${again.code}`
      )
    }
  }
  console.log(`${positions.length} kinds of request of a removal\n${results.join('\n')}`)
  // The sweep reached the failure paths and the changes.
  expect(results.some(l => /persistent.*exit [1-9]/.test(l))).toBe(true)
  expect(results.filter(l => / lost /.test(l)).length).toBeGreaterThanOrEqual(4)
}, 300_000)

/** arm() for a position whose GitHub target names the route, not the secret. */
function armRemoval(
  w: World,
  position: Position,
  variant: Variant
): { name: string; disarm(): void } {
  if (position.service !== 'github' || !position.target.includes('{name}'))
    return arm(w, position, variant)
  // Fails every request of that kind from its first one on ('persistent'), or the first one.
  let armed = true
  let seen = 0
  const fault =
    variant === 'persistent'
      ? GITHUB_PERSISTENT
      : variant === 'lost'
        ? GITHUB_LOST
        : GITHUB_FAULTS[position.index % 3]!
  w.github.failWhen(q => {
    if (!armed || githubKind(q) !== position.target) return false
    seen++
    return variant === 'persistent' || seen === 1
  }, fault)
  return {
    name: describeFault(fault),
    disarm: () => {
      armed = false
    }
  }
}

function errorLine(log: string): string {
  return log.split('\n').find(l => l.startsWith('::error::')) ?? '(no error line)'
}

/** A GitHub request's kind: method and path, the secret's name left out. */
function githubKind(q: { method: string; path: string }): string {
  return `${q.method} ${q.path.replace(/\/secrets\/(?!public-key$)[^/]+$/, '/secrets/{name}')}`
}

async function userKeys(w: World): Promise<{ id: string }[]> {
  try {
    return await w.keysOf(USER)
  } catch {
    return []
  }
}
