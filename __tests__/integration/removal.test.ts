/**
 * Issue 17, removal: `remove: true` takes down what the action made for the repository (the
 * secrets and variables it wrote at every destination the inputs name, the keys, the policies and
 * the user; with `remove-bucket: true` an empty bucket of its own), touches nothing that is not
 * the action's, and says what it keeps and why.
 */
import { GetUserCommand, CreateUserCommand } from '@aws-sdk/client-iam'
import {
  HeadBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  DeleteObjectCommand,
  DeleteBucketPolicyCommand
} from '@aws-sdk/client-s3'
import { snapshotMoto } from '../support/moto.js'
import type { Scope } from '../support/github-standin.js'
import { assertNoSecretLeak } from '../support/run-action.js'
import { ORG, orgWorld } from '../support/org-world.js'
import { ACCOUNT_ID, closeWorld, REPO, USER_PATH, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const WIDE_TOKEN = 'github_pat_wide_removal'
/** An environment and the organization, region and bucket as variables. */
const WIDE_INPUTS = {
  'github-token': WIDE_TOKEN,
  organization: ORG,
  repositories: REPO,
  environment: 'production',
  'region-and-bucket-as': 'variables'
}

afterAll(closeWorld)

const world = () => orgWorld(WIDE_TOKEN)

async function userExists(w: World, name = USER): Promise<boolean> {
  try {
    await w.iam().send(new GetUserCommand({ UserName: name }))
    return true
  } catch {
    return false
  }
}

async function bucketExists(w: World): Promise<boolean> {
  try {
    await w.s3().send(new HeadBucketCommand({ Bucket: BUCKET }))
    return true
  } catch {
    return false
  }
}

const REPO_SCOPE: Scope = { repo: REPO }
const ENV_SCOPE: Scope = { repo: REPO, environment: 'production' }
const ORG_SCOPE: Scope = { org: ORG }

function warnings(log: string): string[] {
  return log.split('\n').filter(l => l.startsWith('::warning::'))
}

test('after a setup to a repository, an environment and an organization, removal leaves nothing of the action', async () => {
  const w = await world()
  expect((await w.run()).code).toBe(0)
  const setup = await w.run(WIDE_INPUTS)
  expect(setup.code).toBe(0)
  const pair = w.storedPair()!
  for (const scope of [REPO_SCOPE, ENV_SCOPE, ORG_SCOPE])
    expect(w.github.secretNames(scope)).toContain('AWS_ACCESS_KEY_ID')
  expect(w.github.variableNames(ENV_SCOPE)).toEqual(['AWS_BUCKET_NAME', 'AWS_REGION'])
  expect(w.github.variableNames(ORG_SCOPE)).toEqual(['AWS_BUCKET_NAME', 'AWS_REGION'])
  // Something that is not the action's, beside its secrets: it stays.
  w.github.setSecret(REPO_SCOPE, 'OTHER_SECRET', 'kept')

  // The dry run shows the removal plan and changes nothing.
  w.aws.reset()
  const writes = w.github.writeCount()
  const dry = await w.run({
    ...WIDE_INPUTS,
    remove: 'true',
    'remove-bucket': 'true',
    'dry-run': 'true'
  })
  expect(dry.code).toBe(0)
  expect(dry.log).toContain(
    'Delete from octo-org/octo-repo (environment production): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (variable), AWS_BUCKET_NAME (variable).'
  )
  expect(dry.log).toContain(`Delete IAM user ${USER} with its tags`)
  expect(dry.log).toContain(`Delete bucket ${BUCKET}: it is the action's and holds nothing.`)
  expect(dry.summary).toContain('Dry run: nothing was removed.')
  expect(w.aws.mutatingCount()).toBe(0)
  expect(w.github.writeCount()).toBe(writes)

  // The environment and the organization, then the user and the empty bucket.
  const removal = await w.run({ ...WIDE_INPUTS, remove: 'true', 'remove-bucket': 'true' })
  expect({ code: removal.code, log: removal.code ? removal.log : '' }).toEqual({ code: 0, log: '' })
  expect(removal.outputs.removed).toBe('true')
  expect(removal.outputs['user-arn']).toBe(`arn:aws:iam::${ACCOUNT_ID}:user${USER_PATH}${USER}`)
  for (const scope of [ENV_SCOPE, ORG_SCOPE]) {
    expect(w.github.secretNames(scope)).toEqual([])
    expect(w.github.variableNames(scope as { repo: string } | { org: string })).toEqual([])
  }
  expect(await userExists(w)).toBe(false)
  expect(await bucketExists(w)).toBe(false)
  assertNoSecretLeak(removal, [pair.secretAccessKey])

  // The repository's secrets, named by the other inputs, after the user is gone.
  const rest = await w.run({ remove: 'true' })
  expect(rest.code).toBe(0)
  expect(rest.log).toContain(`No IAM user ${USER}: nothing to remove in IAM.`)
  expect(w.github.secretNames(REPO_SCOPE)).toEqual(['OTHER_SECRET'])
  expect(JSON.parse(await snapshotMoto(w.moto))).toMatchObject({ users: [], buckets: [] })

  // Idempotent: nothing left, nothing done.
  w.aws.reset()
  const again = await w.run({ remove: 'true', 'remove-bucket': 'true' })
  expect(again.code).toBe(0)
  expect(again.log).toContain('Nothing to remove')
  expect(again.summary).toContain('Nothing to remove: everything was already gone.')
  expect(again.outputs.removed).toBe('false')
  expect(w.aws.mutatingCount()).toBe(0)
})

test('a bucket with an object, or with only an old version and a delete marker, is kept and named; the rest goes', async () => {
  const w = await world()
  expect((await w.run()).code).toBe(0)
  const s3 = w.s3()
  // moto applies the TLS-only Deny to every object request (it ignores the condition).
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data.txt', Body: 'keep me' }))

  const r = await w.run({ remove: 'true', 'remove-bucket': 'true' })
  expect(r.code).toBe(0)
  expect(warnings(r.log)).toEqual([
    expect.stringContaining(`Keep bucket ${BUCKET}: it holds objects`)
  ])
  expect(await bucketExists(w)).toBe(true)
  expect(await userExists(w)).toBe(false)
  expect(w.github.secretNames(REPO_SCOPE)).toEqual([])

  // Versioned, the object deleted: no current object, but an old version and a delete marker.
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: BUCKET,
      VersioningConfiguration: { Status: 'Enabled' }
    })
  )
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'data.txt' }))
  const again = await w.run({ remove: 'true', 'remove-bucket': 'true' })
  expect(again.code).toBe(0)
  expect(warnings(again.log)).toEqual([
    expect.stringContaining(`Keep bucket ${BUCKET}: it holds objects`)
  ])
  expect(await bucketExists(w)).toBe(true)
  expect(w.aws.actions({ mutating: true })).not.toContain('DeleteBucket')
})

test('without remove-bucket the bucket stays, said once, without a warning', async () => {
  const w = await world()
  expect((await w.run()).code).toBe(0)
  const r = await w.run({ remove: 'true' })
  expect(r.code).toBe(0)
  expect(r.log).toContain(`Keep bucket ${BUCKET}: remove-bucket is not true.`)
  expect(warnings(r.log)).toEqual([])
  expect(await bucketExists(w)).toBe(true)
  expect(await userExists(w)).toBe(false)
})

test('a foreign user of the same name: refused before anything is removed, secrets included', async () => {
  const w = await world()
  await w.iam().send(new CreateUserCommand({ UserName: USER, Path: USER_PATH }))
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
    w.github.setSecret(REPO_SCOPE, name, 'someone else')
  const before = await snapshotMoto(w.moto)
  const writes = w.github.writeCount()
  const r = await w.run({ remove: 'true', 'remove-bucket': 'true' })
  expect(r.code).not.toBe(0)
  expect(r.log).toMatch(
    /::error::IAM user 'octo-org\+octo-repo' exists but has no tag s3-credentials-action:repository.*nothing was changed/
  )
  expect(r.summary).toContain('Failed (USER_NOT_MANAGED)')
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(w.github.writeCount()).toBe(writes)
  expect(w.github.secretNames(REPO_SCOPE)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
})

test('a destination the token cannot reach: a clear message naming it, and nothing removed anywhere', async () => {
  const w = await world()
  expect((await w.run()).code).toBe(0)
  // The token's list of repositories does not include this one (as a fine-grained PAT's).
  const before = await snapshotMoto(w.moto)
  const writes = w.github.writeCount()
  const r = await w.run({ remove: 'true', repositories: `${REPO}\nocto-org/unreachable` })
  expect(r.code).not.toBe(0)
  const errors = r.log.split('\n').filter(l => l.startsWith('::error::'))
  expect(errors).toEqual([expect.stringContaining('octo-org/unreachable')])
  expect(r.summary).toContain('Failed (GITHUB_NOT_FOUND)')
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(w.github.writeCount()).toBe(writes)
  expect(w.github.secretNames(REPO_SCOPE)).toHaveLength(4)
})

test('a token that may read but not delete secrets: the user and its keys stay, the run says so, a re-run finishes', async () => {
  const w = await world()
  expect((await w.run()).code).toBe(0)
  const pair = w.storedPair()!
  const READ_ONLY = 'github_pat_secrets_read_only'
  w.github.addToken(READ_ONLY, {
    kind: 'fine_grained_pat',
    permissions: ['secrets'],
    readOnly: ['secrets']
  })
  const before = await snapshotMoto(w.moto)
  const r = await w.run({ remove: 'true', 'github-token': READ_ONLY })
  expect(r.code).not.toBe(0)
  expect(r.summary).toContain('Failed (REMOVAL_INCOMPLETE)')
  expect(r.log).toMatch(
    /::error::Could not remove octo-org\/octo-repo: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_BUCKET_NAME \(The token may not delete secret .*\)\. The IAM user octo-org\+octo-repo, its keys and the bucket are left as they were.*run again with remove: true/
  )
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(w.github.secretNames(REPO_SCOPE)).toHaveLength(4)
  expect(await w.works(pair)).toBe(true)
  assertNoSecretLeak(r, [pair.secretAccessKey])

  const again = await w.run({ remove: 'true' })
  expect(again.code).toBe(0)
  expect(w.github.secretNames(REPO_SCOPE)).toEqual([])
  expect(await userExists(w)).toBe(false)
})
