/**
 * Issue 4: the action's main job, end to end. The bundled action runs as a child process on
 * Node 24 against moto (with IAM enforced) and the GitHub stand-in.
 */
import {
  CreateUserCommand,
  GetUserPolicyCommand,
  GetUserCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand
} from '@aws-sdk/client-iam'
import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  CreateBucketCommand
} from '@aws-sdk/client-s3'
import { assertNoSecretLeak } from '../support/run-action.js'
import {
  ACCOUNT_ID,
  closeWorld,
  openWorld,
  REGION,
  REPO,
  USER_PATH,
  type World
} from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`

afterAll(closeWorld)

/** The bucket as the action leaves it: no public access, ACLs off, encrypted, TLS only, tagged. */
async function expectHardened(w: World): Promise<void> {
  const s3 = w.s3()
  const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))
  expect(block.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true
  })
  const ownership = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))
  expect(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe('BucketOwnerEnforced')
  const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))
  expect(
    encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
      ?.SSEAlgorithm
  ).toBe('AES256')
  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!)
  expect(policy.Statement[0]).toMatchObject({
    Effect: 'Deny',
    Principal: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } }
  })
  const tags = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))
  expect(tags.TagSet).toEqual(
    expect.arrayContaining([
      { Key: 'team', Value: 'platform' },
      { Key: 'cost-center', Value: '42' }
    ])
  )
}

// Issue 14: S3 refuses a configuration change while another is applied on the same bucket (409
// OperationAborted), and may answer NoSuchBucket right after CreateBucket; moto does neither, the
// proxy does (modelS3). The first run still leaves a hardened bucket.
describe('S3 as it answers: conflicting changes and a bucket not there yet', () => {
  test('a fresh setup hardens the bucket all the same', async () => {
    const w = await openWorld({ auth: true })
    w.aws.modelS3({ configMs: 150, newBucketMs: 400 })
    const r = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect({ code: r.code, error: r.log.split('\n').filter(l => l.startsWith('::error')) }).toEqual(
      {
        code: 0,
        error: []
      }
    )
    const s3Answers = w.aws.requests.filter(q => q.service === 's3').map(q => q.status)
    expect(s3Answers).toContain(404)
    w.aws.modelS3({ configMs: 0, newBucketMs: 0 })
    await expectHardened(w)
    expect(await w.works(w.storedPair()!)).toBe(true)
  })
})

// Issue 14: every run checks the hardening of a bucket it made, and puts back what is missing
// (the dry run says so and changes nothing); a bucket it did not make is left as it is.
describe('a bucket the action made, found unhardened', () => {
  test('the plan names the repair, the dry run leaves it, the run repairs it', async () => {
    const w = await openWorld({ auth: true })
    expect((await w.run({ tags: 'team=platform\ncost-center=42' })).code).toBe(0)
    const s3 = w.s3()
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }))
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: BUCKET }))
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))
    const inputs = { tags: 'team=platform\ncost-center=42' }
    const line = `Reuse bucket ${BUCKET} in ${REGION}; repair: block public access, default encryption, TLS-only policy.`

    w.aws.reset()
    const dry = await w.run({ ...inputs, 'dry-run': 'true' })
    expect(dry.code).toBe(0)
    expect(dry.log).toContain(line)
    expect(w.aws.actions({ mutating: true })).toEqual([])

    w.aws.reset()
    const r = await w.run(inputs)
    expect(r.code).toBe(0)
    expect(r.log).toContain(line)
    await expectHardened(w)
    expect(r.outputs['key-created']).toBe('false')

    w.aws.reset()
    const again = await w.run(inputs)
    expect(again.log).toContain(`Reuse bucket ${BUCKET} in ${REGION}.`)
    expect(w.aws.actions({ mutating: true })).toEqual([])
  })
})

// Issue 12: AWS blocks public access, disables ACLs and encrypts every new bucket by default, so a
// fresh setup reads those back instead of setting them. A bucket without them (one that appeared
// since the look-up, made before 2023) gets them before any secret is written.
describe("a new bucket without AWS's defaults", () => {
  test('the run sets them, one change at a time, before the secrets', async () => {
    const w = await openWorld({ auth: true })
    w.aws.withoutNewBucketDefaults()
    w.aws.modelS3({ configMs: 150, newBucketMs: 0 })
    const r = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect(r.code).toBe(0)
    w.aws.modelS3({ configMs: 0, newBucketMs: 0 })
    await expectHardened(w)
    const changes = w.aws.requests.filter(
      q => ['PutPublicAccessBlock', 'PutBucketEncryption'].includes(q.action) && q.status === 200
    )
    expect(changes.map(q => q.action).sort()).toEqual([
      'PutBucketEncryption',
      'PutPublicAccessBlock'
    ])
    const firstSecret = w.github.requests.find(q => q.method === 'PUT')!
    expect(Math.max(...changes.map(q => q.at))).toBeLessThan(firstSecret.at)
  })
})

// A run that stops while hardening a bucket it has just made: the bucket is marked as the
// action's first, so that the next run finds it and finishes the hardening.
describe('a bucket whose hardening was interrupted', () => {
  test('the re-run completes the hardening', async () => {
    const w = await openWorld({ auth: true })
    let failing = true
    w.aws.failWhen(q => failing && q.action === 'PutBucketPolicy', { status: 500 })
    const first = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect(first.code).not.toBe(0)
    failing = false
    const again = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect(again.code).toBe(0)
    expect(again.log).toContain(`Reuse bucket ${BUCKET} in ${REGION}; repair:`)
    await expectHardened(w)
  })
})

describe('first run', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld({ auth: true })
  })

  test('creates the user, the bucket and a working key, and stores four secrets', async () => {
    const r = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect(r.code).toBe(0)
    expect(r.outputs).toMatchObject({
      'user-arn': `arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER}`,
      'bucket-name': BUCKET,
      'bucket-arn': `arn:aws:s3:::${BUCKET}`,
      'key-created': 'true',
      rotated: 'false'
    })
    expect(r.outputs.secrets!.split(',').sort()).toEqual(
      ['AWS_ACCESS_KEY_ID', 'AWS_BUCKET_NAME', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'].sort()
    )
    const pair = w.storedPair()!
    expect(pair.accessKeyId).toBe(r.outputs['access-key-id'])
    expect(w.github.secret({ repo: REPO }, 'AWS_REGION')).toBe(REGION)
    expect(w.github.secret({ repo: REPO }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    expect(await w.works(pair)).toBe(true)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    assertNoSecretLeak(r, [pair.secretAccessKey])
    expect(r.masked).toContain(pair.secretAccessKey)
  })

  test('hardens the bucket it created', async () => {
    await expectHardened(w)
    const user = await w.iam().send(new GetUserCommand({ UserName: USER }))
    expect(user.User?.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'platform' }]))
  })

  test('the stored pair reads and writes objects in its bucket and nowhere else', async () => {
    const pair = w.storedPair()!
    // moto applies a Principal:* bucket-policy Deny but ignores its condition, so the TLS-only
    // statement refuses every object request there, even over TLS. Remove it to test the grants
    // (and put it back after: the next run would repair it).
    const saved = (await w.s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!
    await w.s3().send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))
    const other = 'someone-elses-bucket-in-this-account'
    await w.s3().send(
      new CreateBucketCommand({
        Bucket: other,
        CreateBucketConfiguration: { LocationConstraint: REGION }
      })
    )
    const asUser = w.s3(pair)
    await asUser.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'hello.txt', Body: 'hi' }))
    const got = await asUser.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'hello.txt' }))
    expect(await got.Body!.transformToString()).toBe('hi')
    await expect(
      asUser.send(new PutObjectCommand({ Bucket: other, Key: 'x', Body: 'no' }))
    ).rejects.toMatchObject({ name: 'AccessDenied' })
    await w.s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: saved }))
  })

  test('the inline policy is least privilege on that bucket only', async () => {
    const iam = w.iam()
    const names = await iam.send(new ListUserPoliciesCommand({ UserName: USER }))
    expect(names.PolicyNames).toEqual(['s3-credentials-action'])
    const doc = await iam.send(
      new GetUserPolicyCommand({ UserName: USER, PolicyName: 's3-credentials-action' })
    )
    const policy = JSON.parse(decodeURIComponent(doc.PolicyDocument!))
    const resources = policy.Statement.flatMap((s: { Resource: string | string[] }) =>
      [s.Resource].flat()
    )
    expect(resources.sort()).toEqual([`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`])
    const actions = policy.Statement.flatMap((s: { Action: string[] }) => s.Action)
    expect(actions.every((a: string) => a.startsWith('s3:') && !a.includes('*'))).toBe(true)
  })

  test('a second run with the same inputs changes nothing', async () => {
    const writesBefore = w.github.writeCount()
    w.aws.reset()
    const r = await w.run({ tags: 'team=platform\ncost-center=42' })
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.aws.requests.length).toBeGreaterThan(0)
    expect(r.code).toBe(0)
    expect(r.outputs['key-created']).toBe('false')
    expect(r.outputs['access-key-id']).toBe(w.storedPair()!.accessKeyId)
    expect(w.github.writeCount()).toBe(writesBefore)
    expect(r.outputs.secrets).toBe('')
  })
})

describe('names GitHub stores in upper case', () => {
  // GitHub upper-cases secret and variable names whatever was sent; a lower-case secret-prefix
  // must still find its own secrets again.
  test('three runs with a lower-case secret-prefix make one key and write once', async () => {
    const w = await openWorld()
    const inputs = { 'secret-prefix': 'prod_' }
    const first = await w.run(inputs)
    expect(first.code).toBe(0)
    const pair = w.storedPair(REPO, 'PROD_')!
    expect(await w.works(pair)).toBe(true)
    const writesAfterSetup = w.github.writeCount()
    for (let run = 2; run <= 3; run++) {
      const again = await w.run(inputs)
      expect(again.code).toBe(0)
      expect(again.outputs['key-created']).toBe('false')
      expect(again.outputs['access-key-id']).toBe(pair.accessKeyId)
    }
    expect(w.github.writeCount()).toBe(writesAfterSetup)
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(first.outputs.secrets!.split(',').sort()).toEqual([
      'PROD_AWS_ACCESS_KEY_ID',
      'PROD_AWS_BUCKET_NAME',
      'PROD_AWS_REGION',
      'PROD_AWS_SECRET_ACCESS_KEY'
    ])
  })
})

describe('policy switching', () => {
  test('s3-full-access replaces the inline policy and warns; switching back detaches it', async () => {
    const w = await openWorld({ managedPolicies: true })
    expect((await w.run()).code).toBe(0)
    const full = await w.run({ policy: 's3-full-access' })
    expect(full.code).toBe(0)
    expect(full.log).toMatch(/::warning::.*s3-full-access/)
    const iam = w.iam()
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }))
    expect(attached.AttachedPolicies?.map(p => p.PolicyArn)).toEqual([
      'arn:aws:iam::aws:policy/AmazonS3FullAccess'
    ])
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: USER }))).PolicyNames).toEqual(
      []
    )
    expect((await w.run({ policy: 'bucket-read-only' })).code).toBe(0)
    expect(
      (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }))).AttachedPolicies
    ).toEqual([])
    const doc = await iam.send(
      new GetUserPolicyCommand({ UserName: USER, PolicyName: 's3-credentials-action' })
    )
    expect(decodeURIComponent(doc.PolicyDocument!)).not.toContain('s3:PutObject')
  })
})

describe('reuse and refusal', () => {
  test('an existing user the action made for this repository (tag, path) and a bucket are reused', async () => {
    const w = await openWorld()
    await w.iam().send(
      new CreateUserCommand({
        UserName: 'ci-uploader',
        Path: USER_PATH,
        Tags: [{ Key: 's3-credentials-action:repository', Value: REPO }]
      })
    )
    await w.s3().send(
      new CreateBucketCommand({
        Bucket: 'existing-bucket-1',
        CreateBucketConfiguration: { LocationConstraint: REGION }
      })
    )
    const r = await w.run({ 'user-name': 'ci-uploader', 'bucket-name': 'existing-bucket-1' })
    expect(r.code).toBe(0)
    expect(r.log).toContain('Reuse IAM user ci-uploader; set boundary')
    expect(r.log).toContain('Reuse bucket existing-bucket-1')
    expect(await w.works(w.storedPair()!)).toBe(true)
  })

  test('a bucket in another region fails clearly and changes nothing', async () => {
    const w = await openWorld()
    await w.s3(undefined, 'us-west-2').send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' }
      })
    )
    const writes = w.github.writeCount()
    const r = await w.run({ 'bucket-name': 'west-bucket' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/Bucket 'west-bucket' is in us-west-2, not in aws-region eu-west-1/)
    expect(r.log).toMatch(/set aws-region: us-west-2/)
    expect(w.github.writeCount()).toBe(writes)
    await expect(w.keysOf(USER)).rejects.toMatchObject({ name: 'NoSuchEntityException' })
  })

  test('the default GITHUB_TOKEN is refused with a message that says what to use', async () => {
    const w = await openWorld()
    w.github.addToken('ghs_default_token', { kind: 'github_token', permissions: ['metadata'] })
    const r = await w.run({ 'github-token': 'ghs_default_token' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/GITHUB_TOKEN can never have "Secrets: read and write"/)
    await expect(w.keysOf(USER)).rejects.toMatchObject({ name: 'NoSuchEntityException' })
  })

  test('a fine-grained token without the secrets permission is refused, naming the permission', async () => {
    const w = await openWorld()
    w.github.addToken('github_pat_readonly', {
      kind: 'fine_grained_pat',
      permissions: ['metadata']
    })
    const r = await w.run({ 'github-token': 'github_pat_readonly' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/"Secrets: read-only"/)
    expect(r.log).toMatch(/To fix: grant the token/)
  })
})

describe('an answer lost after the request took effect', () => {
  // The SDK tries again; the retry finds what the first attempt made.
  test.each([
    ['iam', 'CreateUser'],
    ['s3', 'CreateBucket']
  ] as const)(
    '%s %s: the retry finds it made, and the setup completes',
    async (service, action) => {
      const w = await openWorld({ auth: true })
      w.aws.failWhen(
        r => r.service === service && r.action === action,
        { status: 500, afterApplying: true },
        1
      )
      const r = await w.run()
      expect(r.code).toBe(0)
      const pair = w.storedPair()!
      expect(await w.works(pair)).toBe(true)
      assertNoSecretLeak(r, [pair.secretAccessKey])
      // The request was sent twice: the lost attempt and the SDK's retry.
      expect(w.aws.requests.filter(q => q.action === action)).toHaveLength(2)
    }
  )
})

describe('a removal whose answer was lost', () => {
  test('DeleteUserPolicy, then DetachUserPolicy: the retry finds nothing left, and that counts as done', async () => {
    const w = await openWorld({ managedPolicies: true })
    expect((await w.run()).code).toBe(0)
    const lost = (action: string) =>
      w.aws.failWhen(r => r.action === action, { status: 500, afterApplying: true }, 1)
    const iam = w.iam()
    lost('DeleteUserPolicy')
    expect((await w.run({ policy: 's3-full-access' })).code).toBe(0)
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: USER }))).PolicyNames).toEqual(
      []
    )
    lost('DetachUserPolicy')
    expect((await w.run({ policy: 'bucket-read-only' })).code).toBe(0)
    expect(
      (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }))).AttachedPolicies
    ).toEqual([])
    // Each was sent twice: the attempt that took effect, and the SDK's retry.
    for (const action of ['DeleteUserPolicy', 'DetachUserPolicy'])
      expect(w.aws.requests.filter(q => q.action === action)).toHaveLength(2)
  })
})

describe('IAM eventual consistency: a new user that other calls do not see yet', () => {
  test('the calls on it are tried again until it is seen, and the setup completes', async () => {
    const w = await openWorld({ auth: true })
    w.aws.hideNewUsers(1500)
    const r = await w.run()
    expect(r.code).toBe(0)
    const pair = w.storedPair()!
    expect(await w.works(pair)).toBe(true)
    // The proxy answered NoSuchEntity to calls on the user before it became visible.
    const hidden = w.aws.requests.filter(q => q.service === 'iam' && q.status === 404)
    expect(hidden.map(q => q.action)).toEqual(
      expect.arrayContaining(['CreateAccessKey', 'PutUserPolicy'])
    )
    expect(await w.keysOf('octo-org+octo-repo')).toEqual([
      { id: pair.accessKeyId, status: 'Active' }
    ])
    assertNoSecretLeak(r, [pair.secretAccessKey])
  })
})
