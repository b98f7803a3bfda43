/**
 * Issue 14: IAM's propagation as it is. A new access key may be accepted by STS before S3 accepts
 * it (S3 answers InvalidAccessKeyId), and a user's new or changed inline policy may take seconds to
 * apply (S3 answers AccessDenied). moto does neither; the proxy models both (lagS3ForNewKeys,
 * lagUserPolicies). The action stores a key only once S3 has accepted it for what the stored
 * credentials promise (listing the bucket), and a key that never gets there is not stored.
 */
import { CreatePolicyCommand } from '@aws-sdk/client-iam'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import type { AwsCreds } from '../support/moto.js'
import { assertNoSecretLeak, type RunResult } from '../support/run-action.js'
import { ACCOUNT_ID, closeWorld, openWorld, REGION, type World } from '../support/world.js'

const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const LAG_MS = 2000

afterAll(closeWorld)

function plain(p: AwsCreds): AwsCreds {
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey }
}

/** Whether `creds` may list the bucket now, asked once through the proxy (as a job would). */
async function listsBucket(w: World, creds: AwsCreds): Promise<boolean> {
  const s3 = new S3Client({
    endpoint: w.aws.url,
    region: REGION,
    credentials: plain(creds),
    forcePathStyle: true,
    maxAttempts: 1
  })
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 }))
    return true
  } catch {
    return false
  } finally {
    s3.destroy()
  }
}

/**
 * S3 had accepted the stored key (a request signed with it on the bucket answered 200) before the
 * first key secret of the run was written: STS alone does not prove it.
 */
function s3ProvenBeforeStored(w: World, since: number, stored: AwsCreds): boolean {
  const firstWrite = Math.min(
    ...w.github.requests
      .slice(since)
      .filter(r => r.method === 'PUT' && /\/secrets\/AWS_ACCESS_KEY_ID$/.test(r.path))
      .map(r => r.at)
  )
  return w.aws.requests.some(
    r =>
      r.service === 's3' &&
      r.accessKeyId === stored.accessKeyId &&
      r.status === 200 &&
      r.at <= firstWrite
  )
}

/** A customer-managed policy of the account that grants listing buckets; its ARN. */
async function listingPolicy(w: World): Promise<string> {
  await w.iam().send(
    new CreatePolicyCommand({
      PolicyName: 'ci-artifacts-list',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }]
      })
    })
  )
  return `arn:aws:iam::${ACCOUNT_ID}:policy/ci-artifacts-list`
}

function refusedByS3(w: World, keyId: string): string[] {
  return w.aws.requests
    .filter(r => r.service === 's3' && r.accessKeyId === keyId && r.status === 403)
    .map(r => r.action)
}

function noLeak(r: RunResult, ...pairs: (AwsCreds | undefined)[]): void {
  assertNoSecretLeak(
    r,
    pairs.filter((p): p is AwsCreds => p !== undefined).map(p => p.secretAccessKey)
  )
}

describe('verification waits until S3 accepts the new key', () => {
  test('a first setup under both lags (key unknown to S3, inline policy not applied yet)', async () => {
    const w = await openWorld()
    w.aws.lagS3ForNewKeys(LAG_MS)
    w.aws.lagUserPolicies(LAG_MS)
    const since = w.github.requests.length
    const r = await w.run()
    expect(r.code).toBe(0)
    const stored = w.storedPair()!
    expect(refusedByS3(w, stored.accessKeyId).length).toBeGreaterThan(0)
    expect(s3ProvenBeforeStored(w, since, stored)).toBe(true)
    expect(await listsBucket(w, stored)).toBe(true)
    noLeak(r, stored)
  })

  test('a rotation that also changes the inline policy, under both lags', async () => {
    const w = await openWorld()
    expect((await w.run()).code).toBe(0)
    const old = plain(w.storedPair()!)
    w.aws.reset()
    w.aws.lagS3ForNewKeys(LAG_MS)
    w.aws.lagUserPolicies(LAG_MS)
    const since = w.github.requests.length
    const r = await w.run({ rotate: 'true', policy: 'bucket-read-only' })
    expect(r.code).toBe(0)
    expect(r.outputs.rotated).toBe('true')
    expect(w.aws.actions({ mutating: true })).toContain('PutUserPolicy')
    const stored = w.storedPair()!
    expect(stored.accessKeyId).not.toBe(old.accessKeyId)
    expect(refusedByS3(w, stored.accessKeyId).length).toBeGreaterThan(0)
    expect(s3ProvenBeforeStored(w, since, stored)).toBe(true)
    expect(await listsBucket(w, stored)).toBe(true)
    noLeak(r, old, stored)
  })

  // With a managed policy the action cannot know what the policy grants, but S3 must know the key:
  // an S3 answer other than InvalidAccessKeyId (AccessDenied included) shows it does.
  test('a managed policy: the key is stored only once S3 knows it', async () => {
    const w = await openWorld()
    const managed = await listingPolicy(w)
    w.aws.lagS3ForNewKeys(LAG_MS)
    const since = w.github.requests.length
    const r = await w.run({ policy: managed })
    expect(r.code).toBe(0)
    const stored = w.storedPair()!
    expect(refusedByS3(w, stored.accessKeyId).length).toBeGreaterThan(0)
    expect(s3ProvenBeforeStored(w, since, stored)).toBe(true)
    noLeak(r, stored)
  })
})

describe('a key S3 never accepts within verify-timeout-seconds', () => {
  test.each([
    ['an inline policy', {}],
    ['a managed policy', { managed: true }]
  ])(
    'with %s: the rotation fails, the new key is deleted and the old pair still works in S3',
    async (_, { managed }: { managed?: boolean }) => {
      const w = await openWorld()
      const inputs: Record<string, string> = {}
      if (managed) {
        inputs.policy = await listingPolicy(w)
      }
      expect((await w.run(inputs)).code).toBe(0)
      const old = plain(w.storedPair()!)
      w.aws.reset()
      w.aws.lagS3ForNewKeys(600_000)
      const writes = w.github.writeCount()
      const r = await w.run({ ...inputs, rotate: 'true', 'verify-timeout-seconds': '2' })
      expect(r.code).not.toBe(0)
      expect(r.log).toMatch(
        /The new access key did not work within 2s \(last error: .*InvalidAccessKeyId.*\); it was deleted and no secret was changed/
      )
      expect(w.github.writeCount()).toBe(writes)
      expect(plain(w.storedPair()!)).toEqual(old)
      expect((await w.keysOf('octo-org+octo-repo')).map(k => k.id)).toEqual([old.accessKeyId])
      expect(await listsBucket(w, old)).toBe(true)
      noLeak(r, old)
    }
  )
})
