/**
 * Issue 8: the error catalogue end to end. Each code that a run can meet is provoked against moto
 * and the GitHub stand-in; the step fails with ONE `::error::` line, "cause. To fix: remedy", and
 * the job summary repeats it with its code. Elsewhere: KEY_NOT_VERIFIED (rotation.test.ts),
 * PARTIAL_WRITE (destinations.test.ts). UNEXPECTED needs a bug, and is not provoked.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CreateAccessKeyCommand, CreateUserCommand, TagUserCommand } from '@aws-sdk/client-iam'

/** The ownership tag the action puts on the users it makes for REPO. */
const OWNED_BY_REPO = { Key: 's3-credentials-action:repository', Value: 'octo-org/octo-repo' }
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { enableAuth, snapshotMoto } from '../support/moto.js'
import type { RunResult } from '../support/run-action.js'
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

afterAll(closeWorld)

/**
 * Asserts a failed run with exactly one error annotation of the form "cause. To fix: remedy",
 * whose text matches `pattern`, and a summary that names `code`. Returns the error line.
 */
function expectError(r: RunResult, code: string, pattern: RegExp): string {
  expect(r.code).not.toBe(0)
  const lines = r.log.split('\n').filter(l => l.startsWith('::error'))
  expect(lines).toHaveLength(1)
  const line = lines[0]!
  expect(line).toMatch(/^::error::\S.*[.!?)] To fix: \S.*$/)
  expect(line).toMatch(pattern)
  expect(r.summary).toContain(`Failed (${code}):`)
  return line
}

/** Asserts that a failed run left AWS and GitHub as they were. */
async function expectUnchanged(w: World, before: string, writes: number): Promise<void> {
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(w.github.writeCount()).toBe(writes)
}

describe('inputs and GitHub', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld()
  })

  test('INVALID_INPUT names the input and the rule', async () => {
    const line = expectError(
      await w.run({ 'old-key': 'shred' }),
      'INVALID_INPUT',
      /Input 'old-key': must be one of delete, deactivate, keep \(got 'shred'\)\./
    )
    expect(line).toContain("To fix: set the input 'old-key'")
  })

  test('GITHUB_TOKEN_DEFAULT: the default GITHUB_TOKEN says what to use instead', async () => {
    w.github.addToken('ghs_default', { kind: 'github_token', permissions: ['metadata'] })
    expectError(
      await w.run({ 'github-token': 'ghs_default' }),
      'GITHUB_TOKEN_DEFAULT',
      /403 .*To fix: the job's GITHUB_TOKEN can never have "Secrets: read and write": pass a GitHub App installation token or a fine-grained PAT/
    )
  })

  // Issue 14: "Resource not accessible by integration" is also a GitHub App's installation token
  // without the permission; the action cannot tell the two apart (both are ghs_ tokens).
  test("GITHUB_TOKEN_DEFAULT: a GitHub App's token without the permission is told to grant it", async () => {
    w.github.addToken('ghs_app_without_secrets', {
      kind: 'installation',
      permissions: ['metadata']
    })
    const line = expectError(
      await w.run({ 'github-token': 'ghs_app_without_secrets' }),
      'GITHUB_TOKEN_DEFAULT',
      /403 Resource not accessible by integration - \S+; GitHub asks for "Secrets: read-only"\)\. To fix: /
    )
    expect(line).toContain(`grant the App "Secrets: read and write"`)
    expect(line).toContain(`the job's GITHUB_TOKEN can never have "Secrets: read and write"`)
  })

  // Issue 14: environment secrets need "Environments" (GitHub's permission tables), not "Secrets".
  test('GITHUB_PERMISSION: an environment needs "Environments", which a "Secrets" token lacks', async () => {
    w.github.addToken('github_pat_secrets_only', {
      kind: 'fine_grained_pat',
      permissions: ['secrets', 'variables']
    })
    const line = expectError(
      await w.run({ 'github-token': 'github_pat_secrets_only', environment: 'production' }),
      'GITHUB_PERMISSION',
      /GitHub asks for "Environments: read-only"\)\. To fix: grant the token "Environments: read and write" on octo-org\/octo-repo \(environment production\)/
    )
    expect(line).not.toMatch(/grant the token "Secrets/)
  })

  test('GITHUB_AUTH: an unknown token', async () => {
    expectError(
      await w.run({ 'github-token': 'github_pat_revoked_long_ago' }),
      'GITHUB_AUTH',
      /GitHub refused the token .* for octo-org\/octo-repo \(401 .*To fix: pass a valid, unexpired token/
    )
  })

  test('GITHUB_PERMISSION: a token without the secrets permission', async () => {
    w.github.addToken('github_pat_metadata_only', {
      kind: 'fine_grained_pat',
      permissions: ['metadata']
    })
    expectError(
      await w.run({ 'github-token': 'github_pat_metadata_only' }),
      'GITHUB_PERMISSION',
      /The token may not .*GitHub asks for "Secrets: read-only".*To fix: grant the token "Secrets: read and write"/
    )
  })

  test('GITHUB_NOT_FOUND: an unknown repository', async () => {
    expectError(
      await w.run({ repository: 'octo-org/no-such-repo' }),
      'GITHUB_NOT_FOUND',
      /404 .* octo-org\/no-such-repo: it does not exist, or the token cannot see it\. To fix: check the name/
    )
  })

  test('RATE_LIMIT_BUDGET: the plan needs more writes than max-writes', async () => {
    expectError(
      await w.run({ 'max-writes': '3' }),
      'RATE_LIMIT_BUDGET',
      /This run needs 4 secret and variable writes to 1 destination, more than max-writes \(3; .*nothing was changed\. To fix: store organization secrets instead/
    )
  })

  test("GITHUB_WRITE_FAILED: GitHub keeps failing a look-up past Octokit's retries", async () => {
    // A 500 is retried three times with growing back-off (about 14 s) before the run gives up.
    let failing = true
    w.github.failWhen(
      q => failing && q.method === 'GET' && q.path.endsWith('/secrets/public-key'),
      { status: 500 }
    )
    const since = w.github.requests.length
    expectError(
      await w.run(),
      'GITHUB_WRITE_FAILED',
      /GitHub call to .* for octo-org\/octo-repo failed \(500\).*To fix: run the step again/
    )
    const keyReads = w.github.requests
      .slice(since)
      .filter(q => q.path.endsWith('/secrets/public-key'))
    expect(keyReads.length).toBe(4)
    failing = false
  }, 60_000)

  test('none of these changed anything in AWS', () => {
    expect(w.aws.actions({ mutating: true })).toEqual([])
  })
})

describe('AWS credentials and permissions (moto enforces IAM)', () => {
  test('AWS_CREDENTIALS: keys AWS does not know', async () => {
    const w = await openWorld({ auth: true })
    const before = await snapshotMoto(w.moto)
    const r = await w.run(
      {},
      { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7BOGUS00', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' }
    )
    expectError(
      r,
      'AWS_CREDENTIALS',
      /AWS rejected the action's own credentials while calling (sts:GetCallerIdentity|iam:\w+) \(InvalidClientTokenId\)\. To fix: configure AWS credentials/
    )
    await expectUnchanged(w, before, 0)
  })

  // Issue 14: STS in an opt-in region the account has not enabled answers InvalidClientTokenId,
  // whatever the credentials; the proxy answers as it does.
  test('AWS_CREDENTIALS in an opt-in region says the region may not be enabled', async () => {
    const w = await openWorld({ auth: true })
    w.aws.failWhen(q => q.service === 'sts', {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.'
    })
    const before = await snapshotMoto(w.moto)
    expectError(
      await w.run({ 'aws-region': 'eu-central-2' }),
      'AWS_CREDENTIALS',
      /STS in eu-central-2 rejected the action's credentials \(InvalidClientTokenId\): eu-central-2 is an opt-in region, which may not be enabled for this account\. To fix: enable eu-central-2 for the account/
    )
    await expectUnchanged(w, before, 0)
  })

  test('AWS_PERMISSION names the IAM action the role lacks', async () => {
    const w = await openWorld()
    // Everything except iam:CreateUser.
    const admin = await enableAuth(w.moto, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', NotAction: 'iam:CreateUser', Resource: '*' }]
    })
    const r = await w.run(
      {},
      { AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey }
    )
    expectError(
      r,
      'AWS_PERMISSION',
      /The action's AWS role may not call iam:CreateUser \(AccessDenied\)\. To fix: allow iam:CreateUser in the role's policy/
    )
    expect(w.github.writeCount()).toBe(0)
  })

  test('AWS_CALL_FAILED: an AWS error that is neither credentials nor permission', async () => {
    const w = await openWorld()
    w.aws.failWhen(r => r.action === 'CreateUser', { status: 500 })
    expectError(
      await w.run(),
      'AWS_CALL_FAILED',
      /AWS call iam:CreateUser failed: .*To fix: run the step again/
    )
    expect(w.github.writeCount()).toBe(0)
  })
})

describe('what the action finds in AWS', () => {
  test('BUCKET_FOREIGN: a bucket of another account', async () => {
    const w = await openWorld()
    // moto keeps a bucket created by another account (an assumed role in 111111111111) apart: it
    // is not in this account's ListBuckets, and CreateBucket answers BucketAlreadyExists. But moto
    // ignores ExpectedBucketOwner and answers HeadBucket for it with 200, where S3 answers 403.
    // A small interposer in front of moto gives that one answer as S3 would.
    await createForeignBucket(w, 'team-b-artifacts')
    const interposer = await s3ExpectedOwnerCheck(w.aws.url, 'team-b-artifacts')
    try {
      const before = await snapshotMoto(w.moto)
      const r = await w.run(
        { 'bucket-name': 'team-b-artifacts' },
        { AWS_ENDPOINT_URL: interposer.url }
      )
      expectError(
        r,
        'BUCKET_FOREIGN',
        /Bucket 'team-b-artifacts' exists but belongs to another AWS account .*To fix: choose another bucket-name/
      )
      expect(interposer.checked).toEqual([ACCOUNT_ID])
      await expectUnchanged(w, before, 0)
    } finally {
      await interposer.close()
    }
  })

  test('BUCKET_REGION_MISMATCH: the bucket is in another region', async () => {
    const w = await openWorld()
    await w.s3(undefined, 'us-west-2').send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' }
      })
    )
    const before = await snapshotMoto(w.moto)
    expectError(
      await w.run({ 'bucket-name': 'west-bucket' }),
      'BUCKET_REGION_MISMATCH',
      /is in us-west-2, not in aws-region eu-west-1; nothing was changed\. To fix: set aws-region: us-west-2/
    )
    await expectUnchanged(w, before, 0)
  })

  test('USER_PATH_MISMATCH: the user exists under another path', async () => {
    const w = await openWorld()
    await w
      .iam()
      .send(new CreateUserCommand({ UserName: USER, Path: '/legacy/', Tags: [OWNED_BY_REPO] }))
    const before = await snapshotMoto(w.moto)
    expectError(
      await w.run(),
      'USER_PATH_MISMATCH',
      /exists with path \/legacy\/, not user-path \/s3-credentials-action\/; nothing was changed\. To fix: set user-path: \/legacy\//
    )
    await expectUnchanged(w, before, 0)
  })

  test('KEY_AMBIGUOUS: two active keys and no current-access-key-id', async () => {
    const w = await openWorld()
    await w
      .iam()
      .send(new CreateUserCommand({ UserName: USER, Path: USER_PATH, Tags: [OWNED_BY_REPO] }))
    const keys = []
    for (let i = 0; i < 2; i++)
      keys.push((await w.iam().send(new CreateAccessKeyCommand({ UserName: USER }))).AccessKey!)
    w.github.setSecret({ repo: REPO }, 'AWS_ACCESS_KEY_ID', keys[0]!.AccessKeyId!)
    w.github.setSecret({ repo: REPO }, 'AWS_SECRET_ACCESS_KEY', keys[0]!.SecretAccessKey!)
    const before = await snapshotMoto(w.moto)
    const line = expectError(
      await w.run({ rotate: 'true' }),
      'KEY_AMBIGUOUS',
      /two active keys .* cannot tell which one the repository holds; nothing was changed\. To fix: pass current-access-key-id/
    )
    for (const k of keys) expect(line).toContain(k.AccessKeyId)
    await expectUnchanged(w, before, 0)
  })

  test('ROTATION_IN_PROGRESS: another run holds the rotation marker', async () => {
    const w = await openWorld()
    expect((await w.run()).code).toBe(0)
    const current = w.storedPair()!
    const until = new Date(Date.now() + 10 * 60_000).toISOString()
    await w.iam().send(
      new TagUserCommand({
        UserName: USER,
        Tags: [{ Key: 's3-credentials-action:rotation', Value: `run-4711-1 ${until}` }]
      })
    )
    const before = await snapshotMoto(w.moto)
    const writes = w.github.writeCount()
    expectError(
      await w.run({ rotate: 'true', 'current-access-key-id': current.accessKeyId }),
      'ROTATION_IN_PROGRESS',
      new RegExp(
        `Another run \\(run-4711-1\\) is changing the keys of this user until ${until.replace(/\./g, '\\.')}; nothing was changed\\. To fix: let that run finish`
      )
    )
    await expectUnchanged(w, before, writes)
  })
})

/** Creates `bucket` in account 111111111111 (an assumed role there), as moto models it. */
async function createForeignBucket(w: World, bucket: string): Promise<void> {
  const sts = new STSClient({
    endpoint: w.moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  })
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::111111111111:role/team-b',
      RoleSessionName: 'team-b'
    })
  )
  const other = new S3Client({
    endpoint: w.moto.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!
    }
  })
  await other.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: REGION }
    })
  )
  sts.destroy()
  other.destroy()
}

/**
 * Forwards everything to `target`, except HeadBucket on `bucket` with an ExpectedBucketOwner:
 * that is answered 403, as S3 answers when the bucket belongs to another account.
 */
async function s3ExpectedOwnerCheck(
  target: string,
  bucket: string
): Promise<{ url: string; checked: string[]; close(): Promise<void> }> {
  const checked: string[] = []
  const to = new URL(target)
  const server: Server = createServer((req, res) => {
    const owner = req.headers['x-amz-expected-bucket-owner']
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (
      req.method === 'HEAD' &&
      path.replace(/\/$/, '') === `/${bucket}` &&
      typeof owner === 'string'
    ) {
      checked.push(owner)
      res.writeHead(403, { 'x-amz-bucket-region': REGION }).end()
      return
    }
    const forward = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    checked,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
