/**
 * Issue 5: key rotation that never leaves the repository without working credentials. The bundled
 * action runs against moto (IAM enforced) through the recording proxy, and the GitHub stand-in.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TagUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam'
import type { AwsCreds } from '../support/moto.js'
import { closeWorld, openWorld, REPO, type World } from '../support/world.js'
import {
  USER,
  PENDING_TAG,
  LOCK_TAG,
  provisioned,
  plain,
  markerTags,
  createKey,
  secretPuts,
  noLeak
} from '../support/rotation.js'

const DAY_MS = 24 * 60 * 60 * 1000

afterAll(closeWorld)

describe('rotate', () => {
  test('replaces the key, deletes the old one, and leaves region and bucket alone', async () => {
    const { w, pair: old } = await provisioned()
    const regionBefore = w.github.secretMeta({ repo: REPO }, 'AWS_REGION')!.updated_at
    const since = w.github.requests.length
    const r = await w.run({ rotate: 'true' })
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(pair.accessKeyId).not.toBe(old.accessKeyId)
    expect(r.outputs).toMatchObject({
      rotated: 'true',
      'key-created': 'true',
      'access-key-id': pair.accessKeyId,
      'old-access-key-id': old.accessKeyId
    })
    expect(await w.works(pair)).toBe(true)
    expect(await w.works(old)).toBe(false)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(secretPuts(w, since, 'AWS_REGION') + secretPuts(w, since, 'AWS_BUCKET_NAME')).toBe(0)
    expect(w.github.secretMeta({ repo: REPO }, 'AWS_REGION')!.updated_at).toBe(regionBefore)
    expect(r.outputs.secrets!.split(',').sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY'
    ])
    // Order: create, verify, write, only then retire the old key.
    const order = w.aws.actions({ service: 'iam', mutating: true })
    expect(order.indexOf('CreateAccessKey')).toBeLessThan(order.indexOf('DeleteAccessKey'))
    // The rotation's own writes (not the setup's): both arrived before the old key's deletion,
    // and both succeeded.
    const puts = w.github.requests.slice(since).filter(r => r.method === 'PUT')
    expect(puts.length).toBe(2)
    const deleted = w.aws.requests.find(r => r.action === 'DeleteAccessKey')!.at
    for (const put of puts) expect(put.at).toBeLessThanOrEqual(deleted)
    expect(puts.every(put => put.status === 201 || put.status === 204)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    noLeak(r, pair, old)
  })

  test('old-key deactivate keeps the old key inactive; the next rotation deletes it first', async () => {
    const { w, pair: first } = await provisioned()
    const r1 = await w.run({ rotate: 'true', 'old-key': 'deactivate' })
    expect(r1.code).toBe(0)
    const second = w.storedPair()!
    expect(r1.outputs['old-access-key-id']).toBe(first.accessKeyId)
    expect(await w.keysOf(USER)).toEqual(
      expect.arrayContaining([
        { id: first.accessKeyId, status: 'Inactive' },
        { id: second.accessKeyId, status: 'Active' }
      ])
    )
    expect(await w.works(second)).toBe(true)

    const r2 = await w.run({ rotate: 'true', 'old-key': 'deactivate' })
    expect(r2.code).toBe(0)
    const third = w.storedPair()!
    expect(r2.log).toContain(`Deleted access key ${first.accessKeyId}: inactive`)
    const keys = await w.keysOf(USER)
    expect(keys).toHaveLength(2)
    expect(keys).toEqual(
      expect.arrayContaining([
        { id: second.accessKeyId, status: 'Inactive' },
        { id: third.accessKeyId, status: 'Active' }
      ])
    )
    expect(await w.works(third)).toBe(true)
    noLeak(r1, first, second)
    noLeak(r2, second, third)
  })

  test('old-key keep leaves both keys active', async () => {
    const { w, pair: old } = await provisioned()
    const r = await w.run({ rotate: 'true', 'old-key': 'keep' })
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(r.outputs).toMatchObject({ rotated: 'true', 'old-access-key-id': old.accessKeyId })
    expect(await w.keysOf(USER)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Active' },
        { id: pair.accessKeyId, status: 'Active' }
      ])
    )
    expect(await w.works(pair)).toBe(true)
    noLeak(r, old, pair)
  })
})

describe('two keys already', () => {
  test('an inactive key goes first', async () => {
    const { w, pair: old } = await provisioned()
    const extra = await createKey(w)
    await w.iam().send(
      new UpdateAccessKeyCommand({
        UserName: USER,
        AccessKeyId: extra.accessKeyId,
        Status: 'Inactive'
      })
    )
    const r = await w.run({ rotate: 'true' })
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(r.log).toContain(`Deleted access key ${extra.accessKeyId}: inactive`)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(r.outputs['old-access-key-id']).toBe(old.accessKeyId)
    expect(await w.works(pair)).toBe(true)
    noLeak(r, old, pair, extra)
  })

  test('an active key that is not current-access-key-id may go', async () => {
    const { w, pair: old } = await provisioned()
    const extra = await createKey(w)
    const r = await w.run({ rotate: 'true', 'current-access-key-id': old.accessKeyId })
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(r.log).toContain(`Deleted access key ${extra.accessKeyId}: active but not the key`)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await w.works(pair)).toBe(true)
    noLeak(r, old, pair, extra)
  })

  test('two active keys and no current-access-key-id: fails, says what to pass, changes nothing', async () => {
    const { w, pair: old } = await provisioned()
    const extra = await createKey(w)
    const writes = w.github.writeCount()
    w.aws.reset()
    const r = await w.run({ rotate: 'true' })
    expect(r.code).not.toBe(0)
    expect(r.log).toContain('pass current-access-key-id')
    expect(r.log).toContain(old.accessKeyId)
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.github.writeCount()).toBe(writes)
    expect(plain(w.storedPair())).toEqual(plain(old))
    expect(await w.keysOf(USER)).toHaveLength(2)
    noLeak(r, old, extra)
  })
})

describe('max-key-age-days', () => {
  test('not due: changes nothing', async () => {
    const { w, pair } = await provisioned()
    const writes = w.github.writeCount()
    const r = await w.run({ rotate: 'true', 'max-key-age-days': '1' })
    expect(r.code).toBe(0)
    expect(r.log).toContain('Rotation not due')
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.github.writeCount()).toBe(writes)
    expect(r.outputs).toMatchObject({
      rotated: 'false',
      'key-created': 'false',
      'access-key-id': pair.accessKeyId
    })
    noLeak(r, pair)
  })

  // moto stamps keys with the real time and has no time travel: a proxy in front of the recording
  // one shows the action every key `days` older than it is (ListAccessKeys answers only).
  test.each([
    [29, 'not due'],
    [30, 'due']
  ])('a key %s days old with max-key-age-days 30 is %s', async (days, expected) => {
    const { w, pair: old } = await provisioned()
    const aging = await agingProxy(w.aws.url, days)
    try {
      const writes = w.github.writeCount()
      const r = await w.run(
        { rotate: 'true', 'max-key-age-days': '30' },
        { AWS_ENDPOINT_URL: aging.url }
      )
      expect(r.code).toBe(0)
      if (expected === 'due') {
        expect(r.outputs).toMatchObject({ rotated: 'true', 'old-access-key-id': old.accessKeyId })
        expect(await w.keysOf(USER)).toEqual([
          { id: w.storedPair()!.accessKeyId, status: 'Active' }
        ])
        expect(await w.works(w.storedPair()!)).toBe(true)
      } else {
        expect(r.log).toContain('the key is 29 days old, under max-key-age-days 30')
        expect(w.aws.actions({ mutating: true })).toEqual([])
        expect(w.github.writeCount()).toBe(writes)
      }
      noLeak(r, old, w.storedPair())
    } finally {
      await aging.close()
    }
  })
})

describe('concurrent runs', () => {
  async function setLock(w: World, runId: string, expiresAt: Date): Promise<void> {
    await w.iam().send(
      new TagUserCommand({
        UserName: USER,
        Tags: [{ Key: LOCK_TAG, Value: `${runId} ${expiresAt.toISOString()}` }]
      })
    )
  }

  test('an unexpired marker of another run: refuses and changes nothing', async () => {
    const { w, pair } = await provisioned()
    await setLock(w, 'run-999-1', new Date(Date.now() + 600_000))
    const writes = w.github.writeCount()
    w.aws.reset()
    const r = await w.run({ rotate: 'true' }, { GITHUB_RUN_ID: '1000', GITHUB_RUN_ATTEMPT: '1' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/Another run \(run-999-1\) is changing the keys of this user/)
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.github.writeCount()).toBe(writes)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    noLeak(r, pair)
  })

  test('an expired marker: proceeds, and the marker is gone afterwards', async () => {
    const { w, pair: old } = await provisioned()
    await setLock(w, 'run-999-1', new Date(Date.now() - 1000))
    const r = await w.run({ rotate: 'true' }, { GITHUB_RUN_ID: '1000', GITHUB_RUN_ATTEMPT: '1' })
    expect(r.code).toBe(0)
    expect(r.outputs.rotated).toBe('true')
    expect(await w.works(w.storedPair()!)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old, w.storedPair())
  })

  test('a marker left by an earlier attempt of the same workflow run does not block a re-run', async () => {
    const { w, pair: old } = await provisioned()
    await setLock(w, 'run-1000-1', new Date(Date.now() + 600_000))
    const r = await w.run({ rotate: 'true' }, { GITHUB_RUN_ID: '1000', GITHUB_RUN_ATTEMPT: '2' })
    expect(r.code).toBe(0)
    expect(r.outputs.rotated).toBe('true')
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old, w.storedPair())
  })
})

describe('verification waits for IAM eventual consistency', () => {
  test('a key refused for 2 s: polls, succeeds soon after it becomes valid', async () => {
    const { w, pair: old } = await provisioned()
    w.aws.refuseNewKeys(2000)
    const r = await w.run({ rotate: 'true' })
    const ended = Date.now()
    expect(r.code).toBe(0)
    const attempts = Number(/The new key works \(after (\d+) attempt/.exec(r.log)?.[1])
    expect(attempts).toBeGreaterThan(1)
    const created = w.aws.requests.find(q => q.action === 'CreateAccessKey' && q.status === 200)!
    const validAt = created.at + 2000
    const asNewKey = w.aws.requests.filter(q => q.accessKeyId === w.storedPair()!.accessKeyId)
    // Each attempt asks STS and S3 at once: one refused STS call per failed attempt.
    expect(asNewKey.filter(q => q.status === 403 && q.service === 'sts').length).toBe(attempts - 1)
    // Short growing intervals (capped at 300 ms): the first attempt after the key became valid comes
    // within one interval, and the run ends a small margin after that.
    const firstAccepted = asNewKey.find(q => q.status === 200)!.at
    expect(firstAccepted - validAt).toBeGreaterThanOrEqual(0)
    expect(firstAccepted - validAt).toBeLessThan(1000)
    expect(ended - validAt).toBeLessThan(2000)
    expect(await w.works(w.storedPair()!)).toBe(true)
    noLeak(r, old, w.storedPair())
  })

  test('a key that never works: fails within the timeout, deletes it, the old pair still works', async () => {
    const { w, pair: old } = await provisioned()
    w.aws.refuseNewKeys('forever')
    const writes = w.github.writeCount()
    const r = await w.run({ rotate: 'true', 'verify-timeout-seconds': '3' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/The new access key did not work within 3s .*it was deleted/)
    const created = w.aws.requests.find(q => q.action === 'CreateAccessKey')!
    const attempts = w.aws.requests.filter(q => q.service === 'sts' && q.seq > created.seq)
    const deleted = w.aws.requests.find(q => q.action === 'DeleteAccessKey')!
    expect(attempts.length).toBeGreaterThan(3)
    // Arrival times at the proxy: allow a little transport jitter on a loaded machine.
    expect(attempts.at(-1)!.at - attempts[0]!.at).toBeLessThan(3000 + 200)
    // Deleted once the attempts stop; the bound is loose, as a busy machine (2 cores running the
    // whole suite) delays a process's next request by a second or more.
    expect(deleted.seq).toBeGreaterThan(attempts.at(-1)!.seq)
    expect(deleted.at - attempts[0]!.at).toBeLessThan(3000 + 2500)
    expect(r.durationMs).toBeLessThan(3000 + 4000)
    expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
    expect(plain(w.storedPair())).toEqual(plain(old))
    expect(w.github.writeCount()).toBe(writes)
    expect(await w.works(old)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    expect(r.outputs).toMatchObject({ rotated: 'false', 'key-created': 'false' })
    noLeak(r, old)
  })
})

/** In front of the recording proxy: ListAccessKeys answers show every key `days` older. */
async function agingProxy(
  target: string,
  days: number
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const upstream = request(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      answer => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          let body = Buffer.concat(chunks)
          const text = body.toString('utf8')
          if (text.includes('<ListAccessKeysResponse'))
            body = Buffer.from(
              text.replace(
                /<CreateDate>([^<]+)<\/CreateDate>/g,
                (_, date: string) =>
                  `<CreateDate>${new Date(Date.parse(date) - days * DAY_MS).toISOString()}</CreateDate>`
              )
            )
          const headers = { ...answer.headers, 'content-length': String(body.length) }
          delete headers['transfer-encoding']
          res.writeHead(answer.statusCode ?? 502, headers)
          res.end(body)
        })
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

describe('CreateAccessKey whose answer is lost', () => {
  const lostOnce = (w: World) =>
    w.aws.failWhen(r => r.action === 'CreateAccessKey', { status: 500, afterApplying: true }, 1)

  test("first setup: the SDK's retry makes a second key; the stray one is deleted", async () => {
    const w = await openWorld({ auth: true })
    lostOnce(w)
    const r = await w.run()
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    expect(r.log).toMatch(
      /Deleted access key \w+: an attempt at CreateAccessKey whose answer was lost/
    )
    // No key is left that nothing refers to.
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    noLeak(r, pair)
  })

  test('rotation: the stray fills the two-key limit; it is deleted and the key made again', async () => {
    const { w, pair: old } = await provisioned()
    lostOnce(w)
    const r = await w.run({ rotate: 'true' })
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(pair.accessKeyId).not.toBe(old.accessKeyId)
    expect(await w.works(pair)).toBe(true)
    expect(r.log).toMatch(
      /Deleted access key \w+: an attempt at CreateAccessKey whose answer was lost/
    )
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await markerTags(w)).toEqual([])
    noLeak(r, old, pair)
  })
})

// Issue 15: the pending marker is a tag anyone allowed to tag the user can write. Naming the key
// the repository holds, it must never get that key deleted, even when the new key never verifies.
describe('a pending marker naming the key the repository holds', () => {
  async function plantMarker(w: World, keyId: string): Promise<void> {
    await w
      .iam()
      .send(new TagUserCommand({ UserName: USER, Tags: [{ Key: PENDING_TAG, Value: keyId }] }))
  }

  test('two active keys, current-access-key-id names the held one: it is kept and keeps working', async () => {
    const { w, pair: held } = await provisioned()
    const extra = await createKey(w) // a second active key (as made by someone in the console)
    await plantMarker(w, held.accessKeyId)
    w.aws.refuseNewKeys('forever')
    const r = await w.run({
      'verify-timeout-seconds': '3',
      'current-access-key-id': held.accessKeyId
    })
    noLeak(r, held, extra)
    // The fresh key never verifies: the run fails, and the repository still holds a working pair.
    expect(r.code).not.toBe(0)
    expect((await w.keysOf(USER)).map(k => k.id)).toContain(held.accessKeyId)
    expect(plain(w.storedPair())).toEqual(plain(held))
    expect(await w.works(held)).toBe(true)
  })

  test('the only key, held everywhere: a plain re-run keeps it and creates nothing', async () => {
    const { w, pair: held } = await provisioned()
    await plantMarker(w, `${held.accessKeyId} AKIAIOSFODNN7EXAMPLE`)
    w.aws.refuseNewKeys('forever')
    const r = await w.run({ 'verify-timeout-seconds': '3' })
    expect(r.code).toBe(0)
    expect(r.outputs['key-created']).toBe('false')
    expect(r.log).toContain('AKIAIOSFODNN7EXAMPLE, not a key of the user')
    expect(await w.keysOf(USER)).toEqual([{ id: held.accessKeyId, status: 'Active' }])
    expect(await w.works(held)).toBe(true)
  })
})

// Issue 15: a lock that ends with its run. The marker names the repository and run that set it,
// and the action asks GitHub (GET .../actions/runs/{run_id}, "Actions: read") whether it is over.
describe('a rotation marker left by another run', () => {
  const ACTIONS_TOKEN = 'github_pat_test_token_with_actions_read'
  const NEW_RUN = { GITHUB_RUN_ID: '777', GITHUB_RUN_ATTEMPT: '1' }

  async function markedByRun555(): Promise<{ w: World; pair: AwsCreds }> {
    const { w, pair } = await provisioned()
    w.github.addToken(ACTIONS_TOKEN, {
      kind: 'fine_grained_pat',
      permissions: ['secrets', 'variables', 'environments', 'actions']
    })
    const until = new Date(Date.now() + 5 * 60_000).toISOString()
    await w.iam().send(
      new TagUserCommand({
        UserName: USER,
        Tags: [{ Key: LOCK_TAG, Value: `run-555-1 ${until} ${REPO}` }]
      })
    )
    return { w, pair }
  }

  test('a run that has completed holds nothing: a new run rotates and leaves no marker', async () => {
    const { w, pair: old } = await markedByRun555()
    w.github.setWorkflowRun(REPO, {
      id: 555,
      attempt: 1,
      status: 'completed',
      conclusion: 'failure'
    })
    const r = await w.run({ rotate: 'true', 'github-token': ACTIONS_TOKEN }, NEW_RUN)
    expect(r.code).toBe(0)
    expect(r.log).toContain(
      `::warning::The tag ${LOCK_TAG} was set by run run-555-1, https://github.com/${REPO}/actions/runs/555, which has ended`
    )
    const pair = w.storedPair()!
    expect(pair.accessKeyId).not.toBe(old.accessKeyId)
    expect(await w.works(pair)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    expect(w.github.countRequests({ operationId: 'actions/get-workflow-run' })).toBe(1)
    noLeak(r, old, pair)
  })

  test('a run still in progress: refused, linking the run; nothing changes', async () => {
    const { w, pair: old } = await markedByRun555()
    w.github.setWorkflowRun(REPO, { id: 555, attempt: 1, status: 'in_progress', conclusion: null })
    const r = await w.run({ rotate: 'true', 'github-token': ACTIONS_TOKEN }, NEW_RUN)
    expect(r.code).not.toBe(0)
    expect(r.log).toContain(`Another run (run-555-1, https://github.com/${REPO}/actions/runs/555)`)
    expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
  })

  test('without "Actions: read": refused, linking the run and naming the permission', async () => {
    const { w, pair: old } = await markedByRun555()
    w.github.setWorkflowRun(REPO, {
      id: 555,
      attempt: 1,
      status: 'completed',
      conclusion: 'failure'
    })
    const r = await w.run({ rotate: 'true' }, NEW_RUN)
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(
      new RegExp(
        `::error::.*Another run \\(run-555-1, https://github.com/${REPO}/actions/runs/555\\).*give the token "Actions: read"`
      )
    )
    expect(await w.keysOf(USER)).toEqual([{ id: old.accessKeyId, status: 'Active' }])
  })
})

describe('markers a run cannot remove', () => {
  test('the last line names the tags left on the user; the next run handles them', async () => {
    const { w, pair: old } = await provisioned()
    let refusing = true
    w.aws.failWhen(r => refusing && r.action === 'UntagUser', { status: 500 })
    const r = await w.run({ rotate: 'true' }, { GITHUB_RUN_ID: '900', GITHUB_RUN_ATTEMPT: '1' })
    refusing = false
    const lines = r.log.trim().split('\n')
    expect(lines.at(-1)).toBe(
      `Marker tags left on IAM user ${USER}: ${LOCK_TAG}, ${PENDING_TAG}. The next run of the action handles them (it finishes or replaces the pending key, and takes over a rotation marker whose run has ended or expired).`
    )
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    noLeak(r, old, pair)

    // A plain re-run (the next attempt): the new key is held everywhere, so the pending marker
    // counts for nothing, and the rotation marker is an earlier attempt's: both are removed, with
    // the origin tag of the old key, deleted by the first run (its UntagUser failed too).
    const next = await w.run({}, { GITHUB_RUN_ID: '900', GITHUB_RUN_ATTEMPT: '2' })
    expect(next.code).toBe(0)
    expect(next.log).toContain(
      `Remove the marker tags ${PENDING_TAG}, ${LOCK_TAG}, s3-credentials-action:key:${old.accessKeyId} from ${USER}: no run holds them any more.`
    )
    expect(await markerTags(w)).toEqual([])
    expect(next.log).not.toContain('Marker tags left')
  })
})

// Issue 14: IAM's per-user key quota may lag a deletion; CreateAccessKey right after a
// DeleteAccessKey of this run may answer LimitExceeded (terraform-provider-aws#39693).
describe("the key quota catching up with this run's deletion", () => {
  test('a rotation that first makes room retries LimitExceeded and completes', async () => {
    const { w, pair: held } = await provisioned()
    const extra = await createKey(w) // fills the two-key limit: it goes first
    w.aws.lagKeyQuota(1500)
    const r = await w.run({ rotate: 'true', 'current-access-key-id': held.accessKeyId })
    noLeak(r, held, extra)
    expect(r.code).toBe(0)
    expect(r.log).toContain(`Deleted access key ${extra.accessKeyId}`)
    const refused = w.aws.requests.filter(q => q.action === 'CreateAccessKey' && q.status === 409)
    expect(refused.length).toBeGreaterThan(0)
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
  })
})
