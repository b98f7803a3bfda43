// The AWS proxy's IAM authorizer, driven by the real AWS SDK clients against a real moto that
// enforces auth: what moto lets through (resource ARNs, conditions, permissions boundaries) is
// refused by the proxy with AWS's AccessDenied answer, and never reaches moto.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetUserCommand,
  IAMClient,
  ListUsersCommand,
  PutUserPolicyCommand,
  TagUserCommand
} from '@aws-sdk/client-iam'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { AwsProxy, s3Location } from '../support/aws-proxy.js'
import {
  additionalAuthorizations,
  Authorizer,
  deniedMessage,
  iamActionOf
} from '../support/iam-authorizer.js'
import {
  enableAuth,
  harnessCredentials,
  resetMoto,
  startMoto,
  type AwsCreds,
  type Moto
} from '../support/moto.js'

const ACCOUNT = '123456789012'
const PATH = '/s3-credentials-action/'
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/s3-credentials-action-boundary`
const ALLOWED_BUCKET = `s3ca-x-${ACCOUNT}`
const OTHER_BUCKET = `elasticbeanstalk-us-east-1-${ACCOUNT}`
const ALLOW_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }]
}
const BOUNDARY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::s3ca-*', 'arn:aws:s3:::s3ca-*/*']
    }
  ]
}
// The action's role, in small: users on the action's path only, and only with the boundary.
const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CreateUsersWithTheBoundary',
      Effect: 'Allow',
      // A boundary in CreateUser needs iam:PutUserPermissionsBoundary too.
      Action: ['iam:CreateUser', 'iam:PutUserPermissionsBoundary'],
      Resource: `arn:aws:iam::${ACCOUNT}:user${PATH}*`,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY_ARN } }
    },
    {
      Sid: 'ManageUsersOnThePath',
      Effect: 'Allow',
      Action: [
        'iam:GetUser',
        'iam:TagUser',
        'iam:CreateAccessKey',
        'iam:PutUserPolicy',
        'iam:DeleteUserPermissionsBoundary'
      ],
      Resource: `arn:aws:iam::${ACCOUNT}:user${PATH}*`
    },
    {
      Sid: 'AttachOnlyOurPolicies',
      Effect: 'Allow',
      Action: 'iam:AttachUserPolicy',
      Resource: `arn:aws:iam::${ACCOUNT}:user${PATH}*`,
      Condition: { ArnLike: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/s3ca-*` } }
    },
    {
      Sid: 'TagOnlyOurOwn',
      Effect: 'Deny',
      Action: 'iam:TagUser',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:ResourceTag/managed-by': 's3-credentials-action' } }
    },
    {
      Sid: 'DenyRemovingBoundaries',
      Effect: 'Deny',
      Action: 'iam:DeleteUserPermissionsBoundary',
      Resource: '*'
    },
    {
      Sid: 'Buckets',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::s3ca-*', 'arn:aws:s3:::s3ca-*/*']
    }
  ]
}

let moto: Moto
let proxy: AwsProxy
let admin: AwsCreds
let adminIam: IAMClient
let adminS3: S3Client
let authorizer: Authorizer
/** The action's stand-in: a moto user allowed everything by moto, the role policy by the proxy. */
let deployer: AwsCreds
const clients: { destroy(): void }[] = []

beforeAll(async () => {
  moto = await startMoto()
  proxy = await AwsProxy.start(moto.endpoint, () => harnessCredentials(moto))
})

beforeEach(async () => {
  await resetMoto(moto)
  proxy.reset()
  admin = await enableAuth(moto)
  adminIam = track(
    new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: admin })
  )
  adminS3 = track(
    new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials: admin })
  )
  await adminIam.send(
    new CreatePolicyCommand({
      PolicyName: 's3-credentials-action-boundary',
      PolicyDocument: JSON.stringify(BOUNDARY)
    })
  )
  deployer = await newUser('deployer', { path: '/', inline: ALLOW_ALL })
  authorizer = new Authorizer({
    accountId: ACCOUNT,
    admin,
    motoEndpoint: moto.endpoint,
    region: 'us-east-1'
  })
  authorizer.setPrincipal(deployer.accessKeyId, { identity: [ROLE_POLICY] })
  proxy.setAuthorizer(authorizer)
})

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
  authorizer?.destroy()
})

afterAll(async () => {
  await proxy?.stop()
})

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client)
  return client
}

function via(creds: AwsCreds) {
  const config = { endpoint: proxy.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 }
  return {
    iam: track(new IAMClient(config)),
    s3: track(new S3Client(config)),
    sts: track(new STSClient(config))
  }
}

/** A moto user made with the admin credentials, directly (not through the proxy), and its key. */
async function newUser(
  name: string,
  opts: { path?: string; inline?: object; boundary?: string; tags?: Record<string, string> }
): Promise<AwsCreds> {
  await adminIam.send(
    new CreateUserCommand({
      UserName: name,
      Path: opts.path ?? '/',
      ...(opts.boundary ? { PermissionsBoundary: opts.boundary } : {}),
      ...(opts.tags
        ? { Tags: Object.entries(opts.tags).map(([Key, Value]) => ({ Key, Value })) }
        : {})
    })
  )
  if (opts.inline) {
    await adminIam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'inline',
        PolicyDocument: JSON.stringify(opts.inline)
      })
    )
  }
  // moto keeps no user boundaries: the authorizer is told (through the proxy it learns them).
  if (opts.boundary) authorizer.setUserBoundary(name, opts.boundary)
  const { AccessKey } = await adminIam.send(new CreateAccessKeyCommand({ UserName: name }))
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('no key')
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }
}

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

function status(err: Record<string, unknown>): number | undefined {
  return (err.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode
}

async function userExists(UserName: string): Promise<boolean> {
  try {
    await adminIam.send(new GetUserCommand({ UserName }))
    return true
  } catch (err) {
    if ((err as Error).name === 'NoSuchEntityException') return false
    throw err
  }
}

const deployerArn = `arn:aws:iam::${ACCOUNT}:user/deployer`

describe('the action role (registered with setPrincipal)', () => {
  test('CreateUser on the path with the boundary is allowed and reaches moto', async () => {
    const { iam } = via(deployer)
    const { User } = await iam.send(
      new CreateUserCommand({ UserName: 'app', Path: PATH, PermissionsBoundary: BOUNDARY_ARN })
    )
    expect(User?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user${PATH}app`)
    expect(await userExists('app')).toBe(true)
    expect(proxy.requests).toEqual([
      expect.objectContaining({ action: 'CreateUser', status: 200, service: 'iam' })
    ])
    expect(proxy.requests[0]?.denied).toBeUndefined()
  })

  test('CreateUser without the boundary: AWS AccessDenied, and moto never saw it', async () => {
    const { iam } = via(deployer)
    const err = await rejection(iam.send(new CreateUserCommand({ UserName: 'app', Path: PATH })))
    const message =
      `User: ${deployerArn} is not authorized to perform: iam:CreateUser on resource: ` +
      `arn:aws:iam::${ACCOUNT}:user${PATH}app because no identity-based policy allows the ` +
      'iam:CreateUser action'
    expect(err.name).toBe('AccessDenied')
    expect(err.message).toBe(message)
    expect(status(err)).toBe(403)
    expect(err.Type).toBe('Sender')
    expect(proxy.requests).toEqual([
      expect.objectContaining({ action: 'CreateUser', status: 403, denied: message })
    ])
    expect(await userExists('app')).toBe(false)
  })

  test('the raw answer is the XML AWS IAM sends', async () => {
    const { iam } = via(deployer)
    const err = await rejection(iam.send(new CreateUserCommand({ UserName: 'raw', Path: '/' })))
    expect(err.name).toBe('AccessDenied')
    const record = proxy.requests[0]
    expect(record?.denied).toMatch(
      /^User: arn:aws:iam::123456789012:user\/deployer is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user\/raw because no identity-based policy allows the iam:CreateUser action$/
    )
    // The answer itself, to a request that never reaches moto (so its signature is not checked):
    const res = await fetch(proxy.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          `AWS4-HMAC-SHA256 Credential=${deployer.accessKeyId}/20260101/us-east-1/iam/` +
          'aws4_request, SignedHeaders=host, Signature=0'
      },
      body: 'Action=ListUsers&Version=2010-05-08'
    })
    const raw = await res.text()
    expect(res.status).toBe(403)
    expect(raw).toMatch(
      new RegExp(
        '^<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>' +
          '<Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::' +
          `${ACCOUNT}:user/deployer is not authorized to perform: iam:ListUsers because no ` +
          'identity-based policy allows the iam:ListUsers action</Message></Error>' +
          '<RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$'
      )
    )
  })

  test('CreateUser with tags needs iam:TagUser too: here refused by the explicit Deny', async () => {
    const { iam } = via(deployer)
    const err = await rejection(
      iam.send(
        new CreateUserCommand({
          UserName: 'app',
          Path: PATH,
          PermissionsBoundary: BOUNDARY_ARN,
          Tags: [{ Key: 'team', Value: 'x' }]
        })
      )
    )
    expect(err.message).toBe(
      `User: ${deployerArn} is not authorized to perform: iam:TagUser on resource: ` +
        `arn:aws:iam::${ACCOUNT}:user${PATH}app with an explicit deny in an identity-based policy`
    )
    expect(await userExists('app')).toBe(false)
  })

  test('CreateUser on path / (with the boundary) is denied', async () => {
    const { iam } = via(deployer)
    const err = await rejection(
      iam.send(new CreateUserCommand({ UserName: 'app', PermissionsBoundary: BOUNDARY_ARN }))
    )
    expect(err.name).toBe('AccessDenied')
    expect(err.message).toContain(`on resource: arn:aws:iam::${ACCOUNT}:user/app because`)
    expect(await userExists('app')).toBe(false)
  })

  test('CreateAccessKey for a user outside the path is denied; on the path allowed', async () => {
    await newUser('outsider', { path: '/' })
    await newUser('insider', { path: PATH, boundary: BOUNDARY_ARN })
    const { iam } = via(deployer)
    const err = await rejection(iam.send(new CreateAccessKeyCommand({ UserName: 'outsider' })))
    expect(err.name).toBe('AccessDenied')
    expect(err.message).toBe(
      `User: ${deployerArn} is not authorized to perform: iam:CreateAccessKey on resource: ` +
        `arn:aws:iam::${ACCOUNT}:user/outsider because no identity-based policy allows the ` +
        'iam:CreateAccessKey action'
    )
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'insider' }))
    expect(AccessKey?.UserName).toBe('insider')
    expect(proxy.requests.map(r => [r.action, r.status, r.denied !== undefined])).toEqual([
      ['CreateAccessKey', 403, true],
      ['CreateAccessKey', 200, false]
    ])
  })

  test('DeleteUserPermissionsBoundary is refused by the explicit Deny', async () => {
    await newUser('insider', { path: PATH, boundary: BOUNDARY_ARN })
    const { iam } = via(deployer)
    const err = await rejection(
      iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'insider' }))
    )
    expect(err.name).toBe('AccessDenied')
    expect(err.message).toBe(
      `User: ${deployerArn} is not authorized to perform: iam:DeleteUserPermissionsBoundary on ` +
        `resource: arn:aws:iam::${ACCOUNT}:user${PATH}insider with an explicit deny in an ` +
        'identity-based policy'
    )
    expect(proxy.requests).toEqual([
      expect.objectContaining({ action: 'DeleteUserPermissionsBoundary', status: 403 })
    ])
  })

  test('iam:PolicyARN and aws:ResourceTag conditions are evaluated', async () => {
    await newUser('insider', { path: PATH, boundary: BOUNDARY_ARN })
    await newUser('tagged', {
      path: PATH,
      boundary: BOUNDARY_ARN,
      tags: { 'managed-by': 's3-credentials-action' }
    })
    const ours = await adminIam.send(
      new CreatePolicyCommand({ PolicyName: 's3ca-app', PolicyDocument: JSON.stringify(BOUNDARY) })
    )
    const theirs = await adminIam.send(
      new CreatePolicyCommand({ PolicyName: 'admin', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    )
    const { iam } = via(deployer)
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'insider', PolicyArn: ours.Policy!.Arn! })
    )
    const err = await rejection(
      iam.send(new AttachUserPolicyCommand({ UserName: 'insider', PolicyArn: theirs.Policy!.Arn! }))
    )
    expect(err.name).toBe('AccessDenied')

    const tag = { Tags: [{ Key: 'k', Value: 'v' }] }
    await iam.send(new TagUserCommand({ UserName: 'tagged', ...tag }))
    const untagged = await rejection(iam.send(new TagUserCommand({ UserName: 'insider', ...tag })))
    expect(untagged.message).toContain('with an explicit deny in an identity-based policy')
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['AttachUserPolicy', 200],
      ['AttachUserPolicy', 403],
      ['TagUser', 200],
      ['TagUser', 403]
    ])
  })

  test('S3: PutBucketPolicy on a bucket outside s3ca-* is denied, inside allowed', async () => {
    await adminS3.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }))
    await adminS3.send(new CreateBucketCommand({ Bucket: ALLOWED_BUCKET }))
    const { s3 } = via(deployer)
    const policy = (bucket: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } }
          }
        ]
      })
    const err = await rejection(
      s3.send(new PutBucketPolicyCommand({ Bucket: OTHER_BUCKET, Policy: policy(OTHER_BUCKET) }))
    )
    expect(err.name).toBe('AccessDenied')
    expect(err.message).toBe('Access Denied')
    expect(status(err)).toBe(403)
    await s3.send(
      new PutBucketPolicyCommand({ Bucket: ALLOWED_BUCKET, Policy: policy(ALLOWED_BUCKET) })
    )
    const headErr = await rejection(s3.send(new HeadBucketCommand({ Bucket: OTHER_BUCKET })))
    expect(status(headErr)).toBe(403)
    // The TLS-only bucket policy does not refuse: aws:SecureTransport is true, as on AWS (moto,
    // served over HTTP, applies it to every request).
    const put = await authorizer.authorize({
      service: 's3',
      action: 'PutObject',
      accessKeyId: deployer.accessKeyId,
      params: {},
      bucket: ALLOWED_BUCKET,
      key: 'k'
    })
    expect(put).toMatchObject({ allowed: true, resource: `arn:aws:s3:::${ALLOWED_BUCKET}/k` })
    expect(proxy.requests.map(r => [r.action, r.status])).toEqual([
      ['PutBucketPolicy', 403],
      ['PutBucketPolicy', 200],
      ['HeadBucket', 403]
    ])
    expect(proxy.requests[0]?.denied).toBe(
      `User: ${deployerArn} is not authorized to perform: s3:PutBucketPolicy on resource: ` +
        `arn:aws:s3:::${OTHER_BUCKET} because no identity-based policy allows the ` +
        's3:PutBucketPolicy action'
    )
    expect(proxy.requests[2]?.denied).toContain('s3:ListBucket on resource')
  })

  test("S3: the bucket policy's explicit Deny refuses (resource-based policy)", async () => {
    await adminS3.send(new CreateBucketCommand({ Bucket: ALLOWED_BUCKET }))
    await adminS3.send(
      new PutBucketPolicyCommand({
        Bucket: ALLOWED_BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'NoDeletes',
              Effect: 'Deny',
              Principal: { AWS: deployerArn },
              Action: 's3:DeleteObject',
              Resource: `arn:aws:s3:::${ALLOWED_BUCKET}/*`
            }
          ]
        })
      })
    )
    const { s3 } = via(deployer)
    await s3.send(new PutObjectCommand({ Bucket: ALLOWED_BUCKET, Key: 'k', Body: 'x' }))
    const err = await rejection(
      s3.send(new DeleteObjectCommand({ Bucket: ALLOWED_BUCKET, Key: 'k' }))
    )
    expect(err.name).toBe('AccessDenied')
    expect(proxy.requests.at(-1)?.denied).toBe(
      `User: ${deployerArn} is not authorized to perform: s3:DeleteObject on resource: ` +
        `arn:aws:s3:::${ALLOWED_BUCKET}/k with an explicit deny in a resource-based policy`
    )
  })

  test('sts:GetCallerIdentity is always allowed', async () => {
    const { sts } = via(deployer)
    const identity = await sts.send(new GetCallerIdentityCommand({}))
    expect(identity.Arn).toBe(deployerArn)
  })

  test('without the authorizer (setAuthorizer(undefined), reset()) moto alone decides', async () => {
    const { iam } = via(deployer)
    proxy.setAuthorizer(undefined)
    await iam.send(new CreateUserCommand({ UserName: 'anywhere' }))
    proxy.setAuthorizer(authorizer)
    await rejection(iam.send(new CreateUserCommand({ UserName: 'elsewhere' })))
    proxy.reset()
    await iam.send(new CreateUserCommand({ UserName: 'elsewhere' }))
    expect(await userExists('anywhere')).toBe(true)
    expect(await userExists('elsewhere')).toBe(true)
  })
})

describe('a user the action made (policies read from moto)', () => {
  const INLINE_ALL_S3 = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::*', 'arn:aws:s3:::*/*'] }
    ]
  }

  test('its boundary limits its inline policy: s3ca-* only, and no IAM', async () => {
    await adminS3.send(new CreateBucketCommand({ Bucket: ALLOWED_BUCKET }))
    await adminS3.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }))
    // Made by the action's stand-in through the proxy, which tells the authorizer the boundary.
    const action = via(deployer).iam
    await action.send(
      new CreateUserCommand({ UserName: 'app', Path: PATH, PermissionsBoundary: BOUNDARY_ARN })
    )
    await action.send(
      new PutUserPolicyCommand({
        UserName: 'app',
        PolicyName: 'inline',
        PolicyDocument: JSON.stringify(INLINE_ALL_S3)
      })
    )
    const { AccessKey } = await action.send(new CreateAccessKeyCommand({ UserName: 'app' }))
    const key = {
      accessKeyId: AccessKey!.AccessKeyId!,
      secretAccessKey: AccessKey!.SecretAccessKey!
    }
    const { s3, iam } = via(key)

    await s3.send(new PutObjectCommand({ Bucket: ALLOWED_BUCKET, Key: 'dir/a.txt', Body: 'hi' }))
    const got = await s3.send(new GetObjectCommand({ Bucket: ALLOWED_BUCKET, Key: 'dir/a.txt' }))
    expect(await got.Body?.transformToString()).toBe('hi')

    const err = await rejection(
      s3.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: 'a.txt', Body: 'hi' }))
    )
    expect(err.name).toBe('AccessDenied')
    const listErr = await rejection(iam.send(new ListUsersCommand({})))
    expect(listErr.name).toBe('AccessDenied')

    const userArn = `arn:aws:iam::${ACCOUNT}:user${PATH}app`
    const byKey = proxy.requests.filter(r => r.accessKeyId === key.accessKeyId)
    expect(byKey.map(r => [r.action, r.status, r.denied])).toEqual([
      ['PutObject', 200, undefined],
      ['GetObject', 200, undefined],
      [
        'PutObject',
        403,
        `User: ${userArn} is not authorized to perform: s3:PutObject on resource: ` +
          `arn:aws:s3:::${OTHER_BUCKET}/a.txt because no permissions boundary allows the ` +
          's3:PutObject action'
      ],
      [
        'ListUsers',
        403,
        `User: ${userArn} is not authorized to perform: iam:ListUsers because no ` +
          'identity-based policy allows the iam:ListUsers action'
      ]
    ])
  })

  test('attached managed policies count', async () => {
    await adminS3.send(new CreateBucketCommand({ Bucket: ALLOWED_BUCKET }))
    const key = await newUser('reader', { path: PATH })
    const readOnly = await adminIam.send(
      new CreatePolicyCommand({
        PolicyName: 's3ca-read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::s3ca-*' },
            // moto checks actions only: this lets PutObject reach the proxy's authorizer.
            { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::nothing/*' }
          ]
        })
      })
    )
    await adminIam.send(
      new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: readOnly.Policy!.Arn! })
    )
    const { s3 } = via(key)
    // (moto wants s3:HeadBucket for HeadBucket, an action AWS does not have: list instead.)
    await s3.send(new ListObjectsV2Command({ Bucket: ALLOWED_BUCKET }))
    const err = await rejection(
      s3.send(new PutObjectCommand({ Bucket: ALLOWED_BUCKET, Key: 'k', Body: 'x' }))
    )
    expect(err.name).toBe('AccessDenied')
    expect(proxy.requests.map(r => [r.action, r.status, r.denied !== undefined])).toEqual([
      ['ListObjectsV2', 200, false],
      ['PutObject', 403, true]
    ])
  })

  test('keys nobody knows are left to moto', async () => {
    const result = await authorizer.authorize({
      service: 'iam',
      action: 'ListUsers',
      accessKeyId: 'AKIAUNKNOWN000000000',
      params: {}
    })
    expect(result.allowed).toBe(true)
    expect(result.reason).toMatch(/no policies known/)
  })
})

describe('pure helpers', () => {
  test('IAM action names of S3 APIs', () => {
    const cases: [string, string][] = [
      ['HeadBucket', 's3:ListBucket'],
      ['ListObjectsV2', 's3:ListBucket'],
      ['PutBucketEncryption', 's3:PutEncryptionConfiguration'],
      ['GetBucketEncryption', 's3:GetEncryptionConfiguration'],
      ['PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      ['PutObject', 's3:PutObject'],
      ['GetObject', 's3:GetObject'],
      ['HeadObject', 's3:GetObject'],
      ['ListBuckets', 's3:ListAllMyBuckets'],
      ['PutBucketPolicy', 's3:PutBucketPolicy']
    ]
    for (const [action, iamAction] of cases) {
      expect([action, iamActionOf({ service: 's3', action })]).toEqual([action, iamAction])
    }
    expect(iamActionOf({ service: 'iam', action: 'CreateUser' })).toBe('iam:CreateUser')
  })

  test('permissions a request needs besides its own', () => {
    const user = 'arn:aws:iam::1:user/p/u'
    const base = { accessKeyId: 'k', params: {} }
    expect(
      additionalAuthorizations(
        {
          ...base,
          service: 'iam',
          action: 'CreateUser',
          params: { UserName: 'u', 'Tags.member.1.Key': 'k', PermissionsBoundary: 'arn:b' }
        },
        user
      )
    ).toEqual([
      { iamAction: 'iam:TagUser', resource: user },
      { iamAction: 'iam:PutUserPermissionsBoundary', resource: user }
    ])
    expect(
      additionalAuthorizations({ ...base, service: 'iam', action: 'CreateUser' }, user)
    ).toEqual([])
    expect(
      additionalAuthorizations(
        {
          ...base,
          service: 's3',
          action: 'CreateBucket',
          headers: { 'x-amz-object-ownership': 'BucketOwnerEnforced' }
        },
        'arn:aws:s3:::b'
      )
    ).toEqual([{ iamAction: 's3:PutBucketOwnershipControls', resource: 'arn:aws:s3:::b' }])
    expect(
      additionalAuthorizations(
        {
          ...base,
          service: 's3',
          action: 'CopyObject',
          headers: { 'x-amz-copy-source': '/src/a%20b?versionId=1', 'x-amz-tagging': 'k=v' }
        },
        'arn:aws:s3:::b/k'
      )
    ).toEqual([
      { iamAction: 's3:PutObjectTagging', resource: 'arn:aws:s3:::b/k' },
      { iamAction: 's3:GetObject', resource: 'arn:aws:s3:::src/a b' }
    ])
  })

  test('denial messages name the policy type', () => {
    const p = 'arn:aws:iam::1:user/u'
    expect(deniedMessage(p, 'iam:X', '*', { policyType: 'pb', explicit: false })).toBe(
      `User: ${p} is not authorized to perform: iam:X because no permissions boundary allows the iam:X action`
    )
    expect(deniedMessage(p, 'iam:X', 'arn:r', { policyType: 'pb', explicit: true })).toBe(
      `User: ${p} is not authorized to perform: iam:X on resource: arn:r with an explicit deny in a permissions boundary`
    )
  })

  test('S3 bucket and key from virtual-hosted or path-style requests', () => {
    const u = (p: string) => new URL(p, 'http://x')
    expect(s3Location('127.0.0.1:4566', u('/b/dir/a%20b.txt'))).toEqual({
      bucket: 'b',
      key: 'dir/a b.txt'
    })
    expect(s3Location('127.0.0.1:4566', u('/b/'))).toEqual({ bucket: 'b' })
    expect(s3Location('127.0.0.1:4566', u('/'))).toEqual({})
    expect(s3Location('my.bucket.s3.us-east-1.amazonaws.com', u('/k'))).toEqual({
      bucket: 'my.bucket',
      key: 'k'
    })
    expect(s3Location('b.localhost:9000', u('/'))).toEqual({ bucket: 'b' })
  })
})
