// The AWS proxy of the test harness, driven by the real AWS SDK clients against a real moto:
// request classification, injected faults, latency and simulated IAM eventual consistency.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetUserCommand,
  IAMClient,
  ListUsersCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagUserCommand
} from '@aws-sdk/client-iam'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { AwsProxy, s3Action } from '../support/aws-proxy.js'
import {
  enableAuth,
  harnessCredentials,
  resetMoto,
  startMoto,
  type AwsCreds,
  type Moto
} from '../support/moto.js'

const FAKE: AwsCreds = { accessKeyId: 'testing', secretAccessKey: 'testing' }

let moto: Moto
let proxy: AwsProxy
const clients: { destroy(): void }[] = []

beforeAll(async () => {
  moto = await startMoto()
  proxy = await AwsProxy.start(moto.endpoint, () => harnessCredentials(moto))
})

beforeEach(async () => {
  await resetMoto(moto)
  proxy.forgetAccount()
  proxy.reset()
})

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

afterAll(async () => {
  await proxy?.stop()
})

interface ClientOptions {
  creds?: AwsCreds
  maxAttempts?: number
}

function config({ creds = FAKE, maxAttempts }: ClientOptions) {
  return {
    endpoint: proxy.url,
    region: 'us-east-1',
    credentials: creds,
    ...(maxAttempts === undefined ? {} : { maxAttempts })
  }
}

function iam(options: ClientOptions = {}): IAMClient {
  const client = new IAMClient(config(options))
  clients.push(client)
  return client
}

function s3(options: ClientOptions = {}): S3Client {
  const client = new S3Client(config(options))
  clients.push(client)
  return client
}

function sts(options: ClientOptions = {}): STSClient {
  const client = new STSClient(config(options))
  clients.push(client)
  return client
}

function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`
      }
    ]
  })
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected the call to fail')
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('recording', () => {
  test('classifies IAM, STS and S3 requests by service and action, and flags the mutating ones', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'alice' }))
    await iam().send(new GetUserCommand({ UserName: 'alice' }))
    await iam().send(new TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'k', Value: 'v' }] }))
    await iam().send(new ListUsersCommand({}))
    await sts().send(new GetCallerIdentityCommand({}))
    const client = s3()
    await client.send(new CreateBucketCommand({ Bucket: 'proxy-bucket' }))
    await client.send(new HeadBucketCommand({ Bucket: 'proxy-bucket' }))
    await client.send(new GetBucketLocationCommand({ Bucket: 'proxy-bucket' }))
    await client.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'proxy-bucket',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true }
      })
    )
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: 'proxy-bucket',
        Policy: publicReadPolicy('proxy-bucket')
      })
    )
    await client.send(new GetBucketPolicyCommand({ Bucket: 'proxy-bucket' }))
    await client.send(new PutObjectCommand({ Bucket: 'proxy-bucket', Key: 'a/b.txt', Body: 'hi' }))
    const got = await client.send(new GetObjectCommand({ Bucket: 'proxy-bucket', Key: 'a/b.txt' }))
    expect(await got.Body?.transformToString()).toBe('hi')
    await client.send(new ListObjectsV2Command({ Bucket: 'proxy-bucket' }))
    await client.send(new DeleteObjectCommand({ Bucket: 'proxy-bucket', Key: 'a/b.txt' }))
    await client.send(new ListBucketsCommand({}))

    expect(proxy.actions({ service: 'iam' })).toEqual([
      'CreateUser',
      'GetUser',
      'TagUser',
      'ListUsers'
    ])
    expect(proxy.actions({ service: 'sts' })).toEqual(['GetCallerIdentity'])
    expect(proxy.actions({ service: 's3' })).toEqual([
      'CreateBucket',
      'HeadBucket',
      'GetBucketLocation',
      'PutPublicAccessBlock',
      'PutBucketPolicy',
      'GetBucketPolicy',
      'PutObject',
      'GetObject',
      'ListObjectsV2',
      'DeleteObject',
      'ListBuckets'
    ])
    expect(proxy.actions({ mutating: true })).toEqual([
      'CreateUser',
      'TagUser',
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketPolicy',
      'PutObject',
      'DeleteObject'
    ])
    expect(proxy.mutatingCount()).toBe(7)
    expect(proxy.mutatingCount({ service: 'iam' })).toBe(2)
    expect(proxy.mutatingCount({ service: 's3' })).toBe(5)
    expect(proxy.mutatingCount({ service: 'sts' })).toBe(0)

    expect(proxy.requests.map(r => r.seq)).toEqual(proxy.requests.map((_, i) => i + 1))
    for (const r of proxy.requests) {
      expect([200, 204]).toContain(r.status)
      expect(r.accessKeyId).toBe('testing')
      expect(r.at).toBeGreaterThan(0)
    }
    const head = proxy.requests.find(r => r.action === 'HeadBucket')
    expect(head).toMatchObject({ method: 'HEAD', path: '/proxy-bucket/', service: 's3' })
    const createUser = proxy.requests[0]
    expect(createUser).toMatchObject({ method: 'POST', path: '/', mutating: true })
  })

  test('maps S3 requests to API names from method, path and subresource', () => {
    const cases: [string, string, string][] = [
      ['GET', '/', 'ListBuckets'],
      ['PUT', '/b', 'CreateBucket'],
      ['HEAD', '/b', 'HeadBucket'],
      ['DELETE', '/b', 'DeleteBucket'],
      ['GET', '/b?location', 'GetBucketLocation'],
      ['GET', '/b', 'ListObjects'],
      ['GET', '/b?prefix=x&max-keys=3', 'ListObjects'],
      ['GET', '/b?list-type=2&prefix=x', 'ListObjectsV2'],
      ['PUT', '/b?policy', 'PutBucketPolicy'],
      ['GET', '/b?policy', 'GetBucketPolicy'],
      ['DELETE', '/b?policy', 'DeleteBucketPolicy'],
      ['PUT', '/b?publicAccessBlock', 'PutPublicAccessBlock'],
      ['GET', '/b?publicAccessBlock', 'GetPublicAccessBlock'],
      ['DELETE', '/b?publicAccessBlock', 'DeletePublicAccessBlock'],
      ['PUT', '/b?encryption', 'PutBucketEncryption'],
      ['GET', '/b?encryption', 'GetBucketEncryption'],
      ['PUT', '/b?ownershipControls', 'PutBucketOwnershipControls'],
      ['GET', '/b?ownershipControls', 'GetBucketOwnershipControls'],
      ['PUT', '/b?tagging', 'PutBucketTagging'],
      ['GET', '/b?tagging', 'GetBucketTagging'],
      ['DELETE', '/b?tagging', 'DeleteBucketTagging'],
      ['GET', '/b?versioning', 'GetBucketVersioning'],
      ['POST', '/b?delete', 'DeleteObjects'],
      ['PUT', '/b/k', 'PutObject'],
      ['GET', '/b/dir/k', 'GetObject'],
      ['GET', '/b/k?x-id=GetObject', 'GetObject'],
      ['HEAD', '/b/k', 'HeadObject'],
      ['DELETE', '/b/k', 'DeleteObject'],
      ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
      ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
      ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
      ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
      ['GET', '/b/k?tagging', 'GetObjectTagging'],
      ['PATCH', '/b?frobnicate', 'PATCH frobnicate'],
      ['GET', '/b?frobnicate', 'GET frobnicate']
    ]
    for (const [method, path, action] of cases) {
      expect([method, path, s3Action(method, new URL(path, 'http://x'))]).toEqual([
        method,
        path,
        action
      ])
    }
    expect(s3Action('PUT', new URL('/b/k', 'http://x'), true)).toBe('CopyObject')
  })

  test('records the JSON protocol action from x-amz-target', async () => {
    const res = await fetch(proxy.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSSecretsManager.CreateSecret',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/secretsmanager/aws4_request, ' +
          'SignedHeaders=host, Signature=0'
      },
      body: JSON.stringify({ Name: 'proxy-secret', SecretString: 's' })
    })
    await res.arrayBuffer()
    expect(proxy.requests).toEqual([
      expect.objectContaining({
        seq: 1,
        service: 'other',
        action: 'CreateSecret',
        accessKeyId: 'AKIDEXAMPLE',
        mutating: true,
        status: res.status
      })
    ])
  })

  test('reset() forgets records and numbering', async () => {
    await iam().send(new ListUsersCommand({}))
    proxy.reset()
    expect(proxy.requests).toEqual([])
    await iam().send(new ListUsersCommand({}))
    expect(proxy.requests.map(r => r.seq)).toEqual([1])
  })
})

describe('faults', () => {
  test('failRequest with 500: the SDK retries and succeeds; both attempts are recorded', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'bob' }))
    proxy.reset()
    proxy.failRequest(1, { status: 500 })
    const { User } = await iam().send(new GetUserCommand({ UserName: 'bob' }))
    expect(User?.UserName).toBe('bob')
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['GetUser', 500],
      ['GetUser', 200]
    ])
  })

  test('failRequest(n) fails the n-th request from now and is not forwarded', async () => {
    await iam().send(new ListUsersCommand({}))
    proxy.failRequest(2, { status: 503 })
    await iam().send(new CreateUserCommand({ UserName: 'u1' }))
    await iam().send(new CreateUserCommand({ UserName: 'u2' }))
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['ListUsers', 200],
      ['CreateUser', 200],
      ['CreateUser', 503],
      ['CreateUser', 200]
    ])
    // The faulted attempt never reached moto, or the retry would have found the user existing.
  })

  test('a dropped connection is retried by the SDK and recorded with status 0', async () => {
    proxy.failRequest(1, { drop: true })
    const identity = await sts().send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBeTruthy()
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['GetCallerIdentity', 0],
      ['GetCallerIdentity', 200]
    ])
  })

  test('throttling: 400 Throttling for IAM, 503 SlowDown for S3; the SDK retries both', async () => {
    proxy.failRequest(1, { throttle: true })
    await iam().send(new ListUsersCommand({}))
    proxy.failRequest(1, { throttle: true })
    await s3().send(new ListBucketsCommand({}))
    expect(proxy.requests.map(r => [r.service, r.action, r.status])).toEqual([
      ['iam', 'ListUsers', 400],
      ['iam', 'ListUsers', 200],
      ['s3', 'ListBuckets', 503],
      ['s3', 'ListBuckets', 200]
    ])
  })

  test('failWhen fails matching requests the given number of times', async () => {
    proxy.failWhen(r => r.service === 'iam' && r.action === 'CreateUser', { status: 503 }, 2)
    await iam().send(new ListUsersCommand({}))
    await iam().send(new CreateUserCommand({ UserName: 'carol' }))
    await iam().send(new CreateUserCommand({ UserName: 'dave' }))
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['ListUsers', 200],
      ['CreateUser', 503],
      ['CreateUser', 503],
      ['CreateUser', 200],
      ['CreateUser', 200]
    ])
  })

  test('failWhen without times fails every matching request', async () => {
    proxy.failWhen(r => r.method === 'PUT', { status: 500 })
    const err = await rejection(s3().send(new CreateBucketCommand({ Bucket: 'never' })))
    expect(err.name).toBe('InternalError')
    expect(proxy.actions()).toEqual(['CreateBucket', 'CreateBucket', 'CreateBucket'])
    expect(proxy.requests.every(r => r.status === 500)).toBe(true)
    await s3().send(new ListBucketsCommand({}))
  })

  test('with maxAttempts 1 the fault reaches the caller', async () => {
    const once = { maxAttempts: 1 }
    proxy.failRequest(1, { status: 503 })
    const unavailable = await rejection(iam(once).send(new ListUsersCommand({})))
    expect(unavailable.name).toBe('ServiceUnavailable')
    expect((unavailable.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(503)

    proxy.failRequest(1, { status: 500 })
    const internal = await rejection(s3(once).send(new ListBucketsCommand({})))
    expect(internal.name).toBe('InternalError')

    proxy.failRequest(1, { throttle: true })
    const throttled = await rejection(sts(once).send(new GetCallerIdentityCommand({})))
    expect(throttled.name).toBe('Throttling')

    proxy.failRequest(1, { throttle: true })
    const slowDown = await rejection(s3(once).send(new ListBucketsCommand({})))
    expect(slowDown.name).toBe('SlowDown')

    proxy.failRequest(1, { drop: true })
    const dropped = await rejection(iam(once).send(new ListUsersCommand({})))
    expect(String(dropped.code ?? dropped.message)).toMatch(/ECONNRESET|socket hang up/i)

    expect(proxy.requests.map(r => r.status)).toEqual([503, 500, 400, 503, 0])
    expect(proxy.mutatingCount()).toBe(0)
  })

  test('latency delays every answer', async () => {
    proxy.setLatency(300)
    const started = Date.now()
    await iam().send(new ListUsersCommand({}))
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)

    proxy.failRequest(1, { status: 500 })
    const again = Date.now()
    await s3().send(new ListBucketsCommand({}))
    expect(Date.now() - again).toBeGreaterThanOrEqual(600)
  })
})

describe('new access keys (IAM eventual consistency)', () => {
  async function newUserKey(admin: IAMClient, userName: string): Promise<AwsCreds> {
    await admin.send(new CreateUserCommand({ UserName: userName }))
    await admin.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }]
        })
      })
    )
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: userName }))
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('no key')
    return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }
  }

  test('a new key is refused within the window, then accepted; the admin key is unaffected', async () => {
    const adminCreds = await enableAuth(moto)
    const admin = iam({ creds: adminCreds })
    proxy.refuseNewKeys(3000)
    const key = await newUserKey(admin, 'erin')
    const created = Date.now()

    const refused = await rejection(sts({ creds: key }).send(new GetCallerIdentityCommand({})))
    expect(refused.name).toBe('InvalidClientTokenId')
    expect(refused.message).toBe('The security token included in the request is invalid.')
    expect((refused.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403)
    const s3Refused = await rejection(s3({ creds: key }).send(new ListBucketsCommand({})))
    expect(s3Refused.name).toBe('InvalidAccessKeyId')
    const iamRefused = await rejection(iam({ creds: key }).send(new ListUsersCommand({})))
    expect(iamRefused.name).toBe('InvalidClientTokenId')

    // The admin key (not created through the proxy) works all along.
    await admin.send(new ListUsersCommand({}))
    await sts({ creds: adminCreds }).send(new GetCallerIdentityCommand({}))

    await sleep(created + 3000 - Date.now() + 50)
    const identity = await sts({ creds: key }).send(new GetCallerIdentityCommand({}))
    expect(identity.Arn).toContain('user/erin')
    await s3({ creds: key }).send(new ListBucketsCommand({}))

    const byNewKey = proxy.requests.filter(r => r.accessKeyId === key.accessKeyId)
    expect(byNewKey.map(r => [r.action, r.status])).toEqual([
      ['GetCallerIdentity', 403],
      ['ListBuckets', 403],
      ['ListUsers', 403],
      ['GetCallerIdentity', 200],
      ['ListBuckets', 200]
    ])
  })

  test("'forever' never accepts keys created through the proxy", async () => {
    const adminCreds = await enableAuth(moto)
    const admin = iam({ creds: adminCreds })
    const key = await newUserKey(admin, 'frank')
    // Keys are tracked even before refuseNewKeys is called.
    proxy.refuseNewKeys('forever')
    for (let i = 0; i < 3; i++) {
      const err = await rejection(sts({ creds: key }).send(new GetCallerIdentityCommand({})))
      expect(err.name).toBe('InvalidClientTokenId')
      await sleep(300)
    }
    await sts({ creds: adminCreds }).send(new GetCallerIdentityCommand({}))
    proxy.refuseNewKeys(0)
    await sts({ creds: key }).send(new GetCallerIdentityCommand({}))
  })

  test('lagS3ForNewKeys: S3 refuses a new key that STS already accepts, until the lag is over', async () => {
    proxy.lagS3ForNewKeys(1000)
    const key = await newUserKey(iam(), 'gina')
    const created = Date.now()
    expect((await sts({ creds: key }).send(new GetCallerIdentityCommand({}))).Arn).toContain(
      'user/gina'
    )
    const refused = await rejection(
      s3({ creds: key, maxAttempts: 1 }).send(new ListBucketsCommand({}))
    )
    expect(refused.name).toBe('InvalidAccessKeyId')
    expect((refused.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403)
    await sleep(created + 1000 - Date.now() + 50)
    await s3({ creds: key }).send(new ListBucketsCommand({}))
  })

  test("lagUserPolicies: after PutUserPolicy, S3 answers AccessDenied to the user's keys for a while", async () => {
    proxy.lagUserPolicies(1000)
    const key = await newUserKey(iam(), 'hal')
    const put = proxy.requests.find(r => r.action === 'PutUserPolicy')!.at
    await sts({ creds: key }).send(new GetCallerIdentityCommand({}))
    const denied = await rejection(
      s3({ creds: key, maxAttempts: 1 }).send(new ListBucketsCommand({}))
    )
    expect(denied.name).toBe('AccessDenied')
    // Other principals' S3 requests are not affected.
    await s3().send(new ListBucketsCommand({}))
    await sleep(put + 1000 - Date.now() + 50)
    await s3({ creds: key }).send(new ListBucketsCommand({}))
  })

  test('signatures stay valid through the proxy, and moto still checks them', async () => {
    const adminCreds = await enableAuth(moto)
    const client = s3({ creds: adminCreds })
    await client.send(new CreateBucketCommand({ Bucket: 'signed' }))
    // Large enough for the SDK to send `Expect: 100-continue`; the body is streamed through.
    const body = Buffer.alloc(3 * 1024 * 1024, 'x')
    await client.send(new PutObjectCommand({ Bucket: 'signed', Key: 'big', Body: body }))
    const got = await client.send(new GetObjectCommand({ Bucket: 'signed', Key: 'big' }))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true)
    await sts({ creds: adminCreds }).send(new GetCallerIdentityCommand({}))
    const forged = { accessKeyId: adminCreds.accessKeyId, secretAccessKey: 'wrong' }
    const err = await rejection(sts({ creds: forged }).send(new GetCallerIdentityCommand({})))
    expect(err.name).toBe('SignatureDoesNotMatch')
    expect(proxy.requests.at(-1)).toMatchObject({
      status: 403,
      accessKeyId: adminCreds.accessKeyId
    })
  })
})

// AWS blocks public access, disables ACLs and encrypts with SSE-S3 every new bucket (since 2023);
// moto configures nothing. Read straight from moto, not through the proxy.
describe("AWS's defaults for a new bucket", () => {
  const direct = (creds: AwsCreds = FAKE) => {
    const client = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: creds,
      forcePathStyle: true
    })
    clients.push(client)
    return client
  }
  async function configuration(client: S3Client, Bucket: string) {
    const [block, encryption, ownership] = await Promise.all([
      client.send(new GetPublicAccessBlockCommand({ Bucket })).then(
        a => a.PublicAccessBlockConfiguration,
        (e: Error) => e.name
      ),
      client.send(new GetBucketEncryptionCommand({ Bucket })).then(
        a => a.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
        (e: Error) => e.name
      ),
      client.send(new GetBucketOwnershipControlsCommand({ Bucket })).then(
        a => a.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
        (e: Error) => e.name
      )
    ])
    return { block, encryption, ownership }
  }
  const DEFAULTS = {
    block: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true
    },
    encryption: { SSEAlgorithm: 'AES256' },
    ownership: 'BucketOwnerEnforced'
  }

  test('CreateBucket through the proxy: all four public access settings on, SSE-S3, ACLs disabled', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'fresh' }))
    expect(await configuration(direct(), 'fresh')).toEqual(DEFAULTS)
  })

  test('also with IAM enforced, and with a lost answer (the bucket made, the answer dropped)', async () => {
    const admin = await enableAuth(moto)
    proxy.failRequest(1, { status: 500, afterApplying: true })
    const err = await rejection(
      s3({ creds: admin, maxAttempts: 1 }).send(new CreateBucketCommand({ Bucket: 'lost' }))
    )
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(500)
    expect(await configuration(direct(admin), 'lost')).toEqual(DEFAULTS)
  })

  test('a bucket that existed is left as it is; withoutNewBucketDefaults() leaves them off', async () => {
    proxy.withoutNewBucketDefaults()
    await s3().send(new CreateBucketCommand({ Bucket: 'old' }))
    const none = {
      block: 'NoSuchPublicAccessBlockConfiguration',
      encryption: 'ServerSideEncryptionConfigurationNotFoundError',
      ownership: 'OwnershipControlsNotFoundError'
    }
    expect(await configuration(direct(), 'old')).toEqual(none)
    proxy.reset()
    // us-east-1 answers CreateBucket of a bucket already yours with 200: nothing is reset.
    await s3().send(new CreateBucketCommand({ Bucket: 'old' }))
    expect(await configuration(direct(), 'old')).toEqual(none)
  })
})

// moto 5 keeps no user permissions boundaries (CreateUser ignores it, GetUser never shows one,
// PutUserPermissionsBoundary answers 500): the proxy keeps them and answers as IAM does.
describe('a bucket kept in another region (placeBucket)', () => {
  async function placed(headStatus?: 301 | 400): Promise<void> {
    const west = new S3Client({ ...config({}), region: 'us-west-2' })
    clients.push(west)
    await west.send(
      new CreateBucketCommand({
        Bucket: 'far',
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' }
      })
    )
    proxy.placeBucket('far', 'us-west-2', headStatus)
  }

  test.each([301, 400] as const)(
    'HeadBucket signed for another region: %s with x-amz-bucket-region and no error code',
    async status => {
      await placed(status)
      const err = await rejection(
        s3({ maxAttempts: 1 }).send(new HeadBucketCommand({ Bucket: 'far' }))
      )
      expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(status)
      const headers = (err.$response as { headers: Record<string, string> }).headers
      expect(headers['x-amz-bucket-region']).toBe('us-west-2')
      expect(['NotFound', 'PermanentRedirect', 'BadRequest']).not.toContain(err.name)
    }
  )

  test('other requests get 301 PermanentRedirect; the SDK follows it with followRegionRedirects', async () => {
    await placed()
    const err = await rejection(
      s3({ maxAttempts: 1 }).send(new ListObjectsV2Command({ Bucket: 'far' }))
    )
    expect(err.name).toBe('PermanentRedirect')
    const following = new S3Client({ ...config({}), followRegionRedirects: true })
    clients.push(following)
    expect((await following.send(new HeadBucketCommand({ Bucket: 'far' }))).BucketRegion).toBe(
      'us-west-2'
    )
    await following.send(new ListObjectsV2Command({ Bucket: 'far' }))
    const statuses = proxy.requests.filter(r => r.path.startsWith('/far')).map(r => r.status)
    expect(statuses).toEqual([200, 301, 301, 200, 301, 200])
  })
})

describe('user permissions boundaries', () => {
  const BOUNDARY = 'arn:aws:iam::123456789012:policy/s3-credentials-action-boundary'
  const OTHER = 'arn:aws:iam::123456789012:policy/other'

  test('set by CreateUser, shown by GetUser, replaced and removed', async () => {
    const client = iam()
    const created = await client.send(
      new CreateUserCommand({ UserName: 'b1', Path: '/x/', PermissionsBoundary: BOUNDARY })
    )
    expect(created.User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: BOUNDARY
    })
    const boundaryOf = async () =>
      (await client.send(new GetUserCommand({ UserName: 'b1' }))).User?.PermissionsBoundary
        ?.PermissionsBoundaryArn
    expect(await boundaryOf()).toBe(BOUNDARY)
    await client.send(
      new PutUserPermissionsBoundaryCommand({ UserName: 'b1', PermissionsBoundary: OTHER })
    )
    expect(await boundaryOf()).toBe(OTHER)
    await client.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'b1' }))
    expect(await boundaryOf()).toBeUndefined()
    expect((await client.send(new GetUserCommand({ UserName: 'b1' }))).User?.Path).toBe('/x/')
  })

  test('a user made without one has none', async () => {
    const client = iam()
    await client.send(new CreateUserCommand({ UserName: 'b2' }))
    const user = (await client.send(new GetUserCommand({ UserName: 'b2' }))).User
    expect(user?.UserName).toBe('b2')
    expect(user?.PermissionsBoundary).toBeUndefined()
  })
})
