/**
 * Issue 17: a rotation leaves the old key active for old-key-grace-hours, so that a job that read
 * the old pair before it keeps working; the first run after the grace retires it. The test clock
 * is the retire marker itself (a tag, data): a test sets its times in the past, as a run hours
 * later would find them. moto records a key's last use on every request it serves.
 */
import { ListAccessKeysCommand, ListUserTagsCommand, TagUserCommand } from '@aws-sdk/client-iam'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import type { AwsCreds } from '../support/moto.js'
import { actionInputs, assertNoSecretLeak } from '../support/run-action.js'
import { closeWorld, openWorld, REGION, REPO, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const OWNERSHIP_TAG = 's3-credentials-action:repository'
const RETIRE_TAG = 's3-credentials-action:retire'
const HOUR_MS = 60 * 60 * 1000
/** The action's default grace, as action.yml declares it (the world passes 0 otherwise). */
const DEFAULT_GRACE = actionInputs().find(i => i.name === 'old-key-grace-hours')!.default!
const GRACE = { 'old-key-grace-hours': DEFAULT_GRACE }

afterAll(closeWorld)

async function userTags(w: World): Promise<Record<string, string>> {
  const out = await w.iam().send(new ListUserTagsCommand({ UserName: USER }))
  return Object.fromEntries((out.Tags ?? []).map(t => [t.Key!, t.Value!]))
}

/** The action's marker tags left on the user (not the ownership tag, nor the key records). */
async function markerTags(w: World): Promise<string[]> {
  return Object.keys(await userTags(w)).filter(
    k =>
      k.startsWith('s3-credentials-action:') &&
      k !== OWNERSHIP_TAG &&
      !k.startsWith('s3-credentials-action:key:')
  )
}

/** As a run `hoursLater` after the rotation finds the marker: its times moved back. */
async function age(w: World, hoursLater: number): Promise<{ replacedAt: Date; retireAfter: Date }> {
  const [keyId, replaced, after] = (await userTags(w))[RETIRE_TAG]!.split(' ')
  const shift = (iso: string) => new Date(Date.parse(iso) - hoursLater * HOUR_MS)
  const moved = { replacedAt: shift(replaced!), retireAfter: shift(after!) }
  await w.iam().send(
    new TagUserCommand({
      UserName: USER,
      Tags: [
        {
          Key: RETIRE_TAG,
          Value: `${keyId} ${moved.replacedAt.toISOString()} ${moved.retireAfter.toISOString()}`
        }
      ]
    })
  )
  return moved
}

/** A job's use of the pair: it lists the bucket (and so IAM records the key's last use). */
async function listsBucket(w: World, pair: AwsCreds, bucket: string): Promise<boolean> {
  const s3 = new S3Client({
    endpoint: w.aws.url,
    region: REGION,
    forcePathStyle: true,
    credentials: pair,
    maxAttempts: 1
  })
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: bucket }))
    return true
  } catch {
    return false
  } finally {
    s3.destroy()
  }
}

async function rotatedWithGrace(): Promise<{
  w: World
  old: AwsCreds
  pair: AwsCreds
  bucket: string
}> {
  const w = await openWorld({ auth: true })
  const setup = await w.run()
  expect(setup.code).toBe(0)
  const old = w.storedPair()!
  const bucket = setup.outputs['bucket-name']!
  const r = await w.run({ rotate: 'true', ...GRACE })
  expect(r.code).toBe(0)
  const pair = w.storedPair()!
  expect(pair.accessKeyId).not.toBe(old.accessKeyId)
  assertNoSecretLeak(r, [old.secretAccessKey, pair.secretAccessKey])
  return { w, old, pair, bucket }
}

describe('old-key-grace-hours (default)', () => {
  test('a job holding the old pair keeps working through a rotation; the first run after the grace retires it', async () => {
    const { w, old, pair, bucket } = await rotatedWithGrace()
    // The job read the old pair before the rotation: it still works, beside the new one.
    expect(await listsBucket(w, old, bucket)).toBe(true)
    expect(await w.works(old)).toBe(true)
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Active' },
        { id: pair.accessKeyId, status: 'Active' }
      ])
    )
    const [keyId, replacedAt, retireAfter] = (await userTags(w))[RETIRE_TAG]!.split(' ')
    expect(keyId).toBe(old.accessKeyId)
    expect(Date.parse(retireAfter!) - Date.parse(replacedAt!)).toBe(Number(DEFAULT_GRACE) * HOUR_MS)

    // A run within the grace (here a scheduled one, not due) leaves the old key alone.
    const early = await w.run({ rotate: 'true', 'max-key-age-days': '90', ...GRACE })
    expect(early.code).toBe(0)
    expect(early.log).toContain(`Leave access key ${old.accessKeyId} (replaced at ${replacedAt}`)
    expect((await w.keysOf(USER)).map(k => k.status)).toEqual(['Active', 'Active'])
    expect(await listsBucket(w, old, bucket)).toBe(true)

    // The first run after the grace (the marker's times moved back 6.5 hours) retires it.
    const moved = await age(w, Number(DEFAULT_GRACE) + 0.5)
    const later = await w.run({ rotate: 'true', 'max-key-age-days': '90', ...GRACE })
    expect(later.code).toBe(0)
    expect(later.log).toMatch(
      new RegExp(
        `Access key ${old.accessKeyId} \\(replaced at ${moved.replacedAt.toISOString()}, grace until ${moved.retireAfter.toISOString()}; last used \\S+ \\(\\w+, [a-z0-9-]+\\)\\): deleted\\.`
      )
    )
    expect(later.log).not.toContain('::warning::')
    expect(later.summary).toContain(
      `${old.accessKeyId} (replaced by an earlier rotation, past its grace): deleted`
    )
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await w.works(old)).toBe(false)
    expect(await listsBucket(w, pair, bucket)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    assertNoSecretLeak(later, [old.secretAccessKey, pair.secretAccessKey])
  })

  test('a key used after its grace is named in a warning and deactivated, not deleted', async () => {
    const { w, old, pair, bucket } = await rotatedWithGrace()
    // Moved back 9 hours: the grace ended 3 hours ago, and the use below comes after it.
    const moved = await age(w, 9)
    expect(await listsBucket(w, old, bucket)).toBe(true)
    const r = await w.run()
    expect(r.code).toBe(0)
    expect(r.log).toMatch(
      new RegExp(
        `::warning::Access key ${old.accessKeyId}, replaced by a rotation at ${moved.replacedAt.toISOString()}, was used at \\S+ \\(s3, ${REGION}\\), after its grace ended at ${moved.retireAfter.toISOString()}: something still holds the old pair\\. It is deactivated, not deleted`
      )
    )
    expect(await w.keysOf(USER)).toEqual(
      expect.arrayContaining([
        { id: old.accessKeyId, status: 'Inactive' },
        { id: pair.accessKeyId, status: 'Active' }
      ])
    )
    expect(await w.works(pair)).toBe(true)
    expect(await markerTags(w)).toEqual([])
    assertNoSecretLeak(r, [old.secretAccessKey, pair.secretAccessKey])
  })

  test('a rotation forced while a key is in grace deletes that key first, with a warning: two keys at most', async () => {
    const { w, old, pair } = await rotatedWithGrace()
    const r = await w.run({ rotate: 'true', ...GRACE })
    expect(r.code).toBe(0)
    const third = w.storedPair()!
    expect(r.log).toContain(`::warning::Access key ${old.accessKeyId}, replaced by a rotation at`)
    expect(r.log).toContain('is deleted before its grace ends')
    expect(r.log).toContain(`Deleted access key ${old.accessKeyId}: replaced by a rotation`)
    const keys = await w.keysOf(USER)
    expect(keys).toHaveLength(2)
    expect(keys).toEqual(
      expect.arrayContaining([
        { id: pair.accessKeyId, status: 'Active' },
        { id: third.accessKeyId, status: 'Active' }
      ])
    )
    // The key it replaced now is in its grace in turn.
    expect((await userTags(w))[RETIRE_TAG]).toMatch(new RegExp(`^${pair.accessKeyId} `))
    expect(r.outputs['old-access-key-id']).toBe(pair.accessKeyId)
    expect(r.outputs['old-key-retire-after']).toBe((await userTags(w))[RETIRE_TAG]!.split(' ')[2])
    assertNoSecretLeak(r, [old.secretAccessKey, pair.secretAccessKey, third.secretAccessKey])
  })
})

// Issue 17 (audit trail): each key records on its user the run that made it.
describe('the run that made each key', () => {
  const ORIGIN = 's3-credentials-action:key:'
  const runEnv = (id: number, attempt = 1) => ({
    GITHUB_RUN_ID: String(id),
    GITHUB_RUN_ATTEMPT: String(attempt)
  })
  async function createDates(w: World): Promise<Record<string, string>> {
    const out = await w.iam().send(new ListAccessKeysCommand({ UserName: USER }))
    return Object.fromEntries(
      (out.AccessKeyMetadata ?? []).map(k => [k.AccessKeyId!, k.CreateDate!.toISOString()])
    )
  }
  const origins = async (w: World) =>
    Object.entries(await userTags(w)).filter(([k]) => k.startsWith(ORIGIN))

  test('is tagged beside the key, named in the plan, removed with the key; key-created-at', async () => {
    const w = await openWorld({ auth: true })
    const setup = await w.run({}, runEnv(4242))
    expect(setup.code).toBe(0)
    const first = w.storedPair()!
    const made = (await createDates(w))[first.accessKeyId]!
    expect(await origins(w)).toEqual([[`${ORIGIN}${first.accessKeyId}`, `${REPO} 4242 1 ${made}`]])
    expect(setup.outputs['key-created-at']).toBe(made)
    // Recorded in the same request as the pending marker: no TagUser of its own.
    expect(w.aws.requests.filter(q => q.action === 'TagUser')).toHaveLength(1)

    w.aws.reset()
    const again = await w.run({}, runEnv(4243))
    expect(again.code).toBe(0)
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(again.outputs['key-created-at']).toBe(made)
    expect(again.log).toContain(
      `Access key ${first.accessKeyId} was made by run 4242 (attempt 1) of ${REPO} at ${made}, https://github.com/${REPO}/actions/runs/4242/attempts/1.`
    )

    const rotation = await w.run({ rotate: 'true' }, runEnv(4244, 2))
    expect(rotation.code).toBe(0)
    const second = w.storedPair()!
    const madeNow = (await createDates(w))[second.accessKeyId]!
    expect(await origins(w)).toEqual([
      [`${ORIGIN}${second.accessKeyId}`, `${REPO} 4244 2 ${madeNow}`]
    ])
    expect(rotation.outputs['key-created-at']).toBe(madeNow)
    assertNoSecretLeak(rotation, [first.secretAccessKey, second.secretAccessKey])
  })
})
