/**
 * Issue 16, keyless: credentials role creates a role per repository, trusted through GitHub's OIDC,
 * and stores its ARN, the region and the bucket as variables. moto implements the role, the
 * provider and AssumeRoleWithWebIdentity, but checks neither the token nor the trust policy: the
 * proxy's authorizer does (iam-authorizer.ts: the token's issuer must be a provider of the account
 * with the token's audience, and the role's trust policy is evaluated with the token's claims by
 * an independent IAM evaluator), and decides the assumed session's requests as the role's (its
 * policies and its boundary).
 */
import { CreateUserCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { assertNoSecretLeak } from '../support/run-action.js'
import { main, refused, ROLE, ROLE_ARN, ROLE_NAME, roleWorld } from '../support/role-world.js'
import { closeWorld, REGION, REPO, USER_PATH } from '../support/world.js'

const BUCKET = 's3ca-octo-org-octo-repo-7739a8-123456789012'

afterAll(closeWorld)

test('a setup in role mode creates the role and three variables; only the default branch of the repository may assume it, and its session reaches the bucket’s objects and nothing else', async () => {
  const w = await roleWorld()
  const r = await w.run(ROLE)
  expect(r.code).toBe(0)
  assertNoSecretLeak(r, [])
  expect(r.outputs['role-arn']).toBe(ROLE_ARN)
  expect(w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')).toBe(ROLE_ARN)
  expect(w.github.variable({ repo: REPO }, 'AWS_REGION')).toBe(REGION)
  expect(w.github.variable({ repo: REPO }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
  expect(w.github.secretNames({ repo: REPO })).toEqual([])
  expect(r.summary).toContain('role-to-assume: ${{ vars.AWS_ROLE_ARN }}')

  const { Role } = await w.iam().send(new GetRoleCommand({ RoleName: ROLE_NAME }))
  expect(Role?.Path).toBe(USER_PATH)
  expect(Role?.PermissionsBoundary?.PermissionsBoundaryArn).toContain(
    's3-credentials-action-boundary'
  )
  expect(Role?.Tags).toContainEqual({ Key: 's3-credentials-action:repository', Value: REPO })

  // Who may assume it: the repository's default branch, through GitHub's provider, for STS.
  const session = await w.assume(main())
  expect(await refused(w.assume(main('repo:octo-org/other-repo')))).toBe('AccessDenied')
  expect(await refused(w.assume(main('repo:evil-org/octo-repo')))).toBe('AccessDenied')
  expect(await refused(w.assume(`repo:${REPO}:pull_request`))).toBe('AccessDenied')
  expect(await refused(w.assume(`repo:${REPO}:ref:refs/heads/dev`))).toBe('AccessDenied')
  expect(await refused(w.assume(main(), 'https://github.com/octo-org'))).toBe('AccessDenied')

  // What the session may do: the bucket's objects, nothing else. moto ignores the conditions of
  // bucket policies, so the TLS-only deny refuses every object request over its plain HTTP
  // (EMULATOR-FACTS.md); the authorizer evaluates it with aws:SecureTransport true, where it
  // refuses nothing: it goes, behind the proxy's back, so that moto answers what is allowed.
  await w.s3().send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))
  // Through the proxy, whose authorizer decides the session's requests as the role's.
  const through = { endpoint: w.aws.url, region: REGION, credentials: session, maxAttempts: 1 }
  const s3 = new S3Client({ ...through, forcePathStyle: true })
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'hello' }))
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }))
    expect(await got.Body?.transformToString()).toBe('hello')
    expect(await refused(s3.send(new ListBucketsCommand({})))).toBe('AccessDenied')
  } finally {
    s3.destroy()
  }
  const iam = new IAMClient(through)
  try {
    expect(await refused(iam.send(new CreateUserCommand({ UserName: 'x' })))).toBe('AccessDenied')
  } finally {
    iam.destroy()
  }
})

test('a re-run changes nothing; a changed trust changes the trust policy alone, and says so', async () => {
  const w = await roleWorld()
  expect((await w.run(ROLE)).code).toBe(0)
  w.forget()
  const writes = w.github.writeCount()
  const again = await w.run(ROLE)
  expect(again.code).toBe(0)
  expect(w.aws.mutatingCount()).toBe(0)
  expect(w.github.writeCount()).toBe(writes)
  expect(again.log).toContain('its trust is in place')

  w.forget()
  const changed = await w.run({ ...ROLE, trust: 'environment:production' })
  expect(changed.code).toBe(0)
  expect(changed.log).toContain(
    'change its trust: trusted for repo:octo-org/octo-repo:environment:production'
  )
  expect(w.aws.actions({ mutating: true })).toEqual(['UpdateAssumeRolePolicy'])
  expect(w.github.writeCount()).toBe(writes)
  await w.assume(`repo:${REPO}:environment:production`)
  expect(await refused(w.assume(main()))).toBe('AccessDenied')
})

test('a repository with immutable subjects is trusted by its ids, not by its name', async () => {
  const w = await roleWorld()
  w.github.setOidcSubject(REPO, 'immutable')
  const prefix = w.github.subjectPrefix(REPO)
  expect(prefix).toMatch(/^repo:octo-org@\d+\/octo-repo@\d+$/)
  expect((await w.run(ROLE)).code).toBe(0)
  await w.assume(main(prefix))
  // A repository of the same name re-created (other ids), or the name-based subject: refused.
  expect(await refused(w.assume(main()))).toBe('AccessDenied')
  expect(await refused(w.assume(main('repo:octo-org@1/octo-repo@2')))).toBe('AccessDenied')
})

test('without the account’s OIDC provider, or with a trust beyond the repository, nothing is changed', async () => {
  const w = await roleWorld({ provider: false })
  const missing = await w.run(ROLE)
  expect(missing.code).not.toBe(0)
  expect(missing.log).toContain('OIDC_PROVIDER_MISSING')
  expect(w.aws.mutatingCount()).toBe(0)
  expect(w.github.writeCount()).toBe(0)
  w.forget()
  const wide = await w.run({ ...ROLE, trust: 'repo:octo-org/*' })
  expect(wide.code).not.toBe(0)
  expect(wide.log).toContain("Input 'trust'")
  expect(w.aws.requests).toEqual([])
})

test('a switch from access-key stores the role first, then deletes the key secrets and the key', async () => {
  const w = await roleWorld()
  expect((await w.run()).code).toBe(0)
  const pair = w.storedPair()!
  expect(await w.works(pair)).toBe(true)
  const switched = await w.run(ROLE)
  expect(switched.code).toBe(0)
  assertNoSecretLeak(switched, [pair.secretAccessKey])
  expect(w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')).toBe(ROLE_ARN)
  expect(w.github.secretNames({ repo: REPO }).sort()).toEqual(['AWS_BUCKET_NAME', 'AWS_REGION'])
  expect(await w.keysOf(ROLE_NAME)).toEqual([])
  // The role works in its place: its session lists the bucket (the TLS-only deny, which moto
  // applies without its condition, goes as above).
  await w.s3().send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))
  const session = await w.assume(main())
  const s3 = new S3Client({
    endpoint: w.aws.url,
    region: REGION,
    credentials: session,
    forcePathStyle: true,
    maxAttempts: 1
  })
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after-switch', Body: 'ok' }))
  } finally {
    s3.destroy()
  }
  expect(switched.log).toContain(`access key ${pair.accessKeyId}`)
  // The order: every value of the role written before the first deletion.
  const ghRequests = w.github.requests.map(r => `${r.method} ${r.path}`)
  const lastWrite = Math.max(
    ...ghRequests.map((r, i) => (r.startsWith('POST') && r.includes('/variables') ? i : -1))
  )
  const firstDelete = ghRequests.findIndex(r => r.startsWith('DELETE'))
  expect(lastWrite).toBeGreaterThan(-1)
  expect(firstDelete).toBeGreaterThan(lastWrite)
})

test('a switch back to access-key stores the key first, then deletes the role’s ARN and the role', async () => {
  const w = await roleWorld()
  expect((await w.run(ROLE)).code).toBe(0)
  expect(w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')).toBe(ROLE_ARN)
  w.forget()
  const back = await w.run()
  expect(back.code).toBe(0)
  expect(back.log).toContain(`Then delete the role ${ROLE_ARN} (old-key delete).`)
  // The role is read once: the look-up that finds it also gives its trust, tags and boundary.
  expect(w.aws.actions().filter(a => a === 'GetRole')).toEqual(['GetRole'])
  const pair = w.storedPair()!
  assertNoSecretLeak(back, [pair.secretAccessKey])
  expect((await w.keysOf(ROLE_NAME)).map(k => k.id)).toEqual([pair.accessKeyId])
  expect(w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')).toBeUndefined()
  expect(await refused(w.iam().send(new GetRoleCommand({ RoleName: ROLE_NAME })))).toBe(
    'NoSuchEntityException'
  )
  // The order: the key's secrets written before the role's ARN goes, the role last.
  const gh = w.github.requests.map(r => `${r.method} ${r.path}`)
  const idWritten = gh.findIndex(r => r.startsWith('PUT') && r.endsWith('/AWS_SECRET_ACCESS_KEY'))
  const arnDeleted = gh.findIndex(r => r.startsWith('DELETE') && r.endsWith('/AWS_ROLE_ARN'))
  expect(idWritten).toBeGreaterThan(-1)
  expect(arnDeleted).toBeGreaterThan(idWritten)
  expect(w.aws.actions({ mutating: true }).at(-1)).toBe('DeleteRole')
  // And a later access-key run finds no role: nothing more to do.
  w.forget()
  expect((await w.run()).code).toBe(0)
  expect(w.aws.mutatingCount()).toBe(0)
})

test('a dry run of a switch shows every step and changes nothing', async () => {
  const w = await roleWorld()
  expect((await w.run()).code).toBe(0)
  const pair = w.storedPair()!
  w.forget()
  const writes = w.github.writeCount()
  const dry = await w.run({ ...ROLE, 'dry-run': 'true' })
  expect(dry.code).toBe(0)
  for (const step of [
    `Create IAM role ${ROLE_NAME}`,
    'trusted for repo:octo-org/octo-repo:ref:refs/heads/main',
    `Write to ${REPO}: AWS_ROLE_ARN (variable), AWS_REGION (variable), AWS_BUCKET_NAME (variable).`,
    `Then delete AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY from ${REPO}: the role replaces the key.`,
    `Then delete access key ${pair.accessKeyId} of user ${ROLE_NAME}`
  ])
    expect(dry.log).toContain(step)
  expect(dry.summary).toContain('dry run')
  expect(w.aws.mutatingCount()).toBe(0)
  expect(w.github.writeCount()).toBe(writes)
})

test('remove: true takes a role setup down: its variables and the role', async () => {
  const w = await roleWorld()
  expect((await w.run(ROLE)).code).toBe(0)
  const r = await w.run({ ...ROLE, remove: 'true' })
  expect(r.code).toBe(0)
  expect(r.outputs.removed).toBe('true')
  expect(r.log).toContain(`Delete IAM role ${ROLE_ARN}`)
  expect(w.github.variableNames({ repo: REPO })).toEqual([])
  expect(await refused(w.iam().send(new GetRoleCommand({ RoleName: ROLE_NAME })))).toBe(
    'NoSuchEntityException'
  )
})
