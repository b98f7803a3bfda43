/**
 * Issue 7: concurrency by dependency. With a fixed latency on every answer of AWS and GitHub, a
 * run's requests fall into waves (support/waves.ts): a request waits only for the answers it
 * needs. These tests pin the waves of a fresh setup, an unchanged re-run and a rotation, so that a
 * change which makes a call wait for something it does not need fails here. Timing is not
 * asserted (the benchmark measures it); only which requests went out before which answers.
 */
import { assertNoSecretLeak } from '../support/run-action.js'
import { aroundVerification, wavesOf, type Wave } from '../support/waves.js'
import { ACCOUNT_ID, closeWorld, openWorld, type World } from '../support/world.js'

/** Long enough that the machine's own delays (a loaded CI runner) never look like a round trip. */
const LATENCY_MS = 400

afterAll(closeWorld)

/** The secret lists are read at once, even for a new user (GitHub's limits are checked against them). */
// GetRole: a role of credentials role for a switch back (a read beside the user's, no wave).
const LOOKUPS = [
  'GitHub GET public-key',
  'GitHub GET secrets',
  'IAM GetRole',
  'IAM GetUser',
  'IAM GetUserPolicy',
  'IAM ListAccessKeys',
  'IAM ListAttachedUserPolicies',
  'IAM ListGroupsForUser',
  'IAM ListUserPolicies',
  'STS GetCallerIdentity'
]
// Once STS has said which account this is: the derived bucket, and the permissions boundary (its
// ARN holds the account id) beside it.
// The bucket's tags and hardening are read beside HeadBucket (they count only if it is ours).
const ACCOUNT_LOOKUPS = [
  'IAM GetPolicy',
  'S3 GetBucketEncryption',
  'S3 GetBucketOwnershipControls',
  'S3 GetBucketPolicy',
  'S3 GetBucketTagging',
  'S3 GetPublicAccessBlock',
  'S3 HeadBucket'
]

// A new bucket's defaults, read back before the secrets depend on them.
const NEW_BUCKET_READS = [
  'S3 GetBucketEncryption',
  'S3 GetBucketOwnershipControls',
  'S3 GetBucketPolicy',
  'S3 GetPublicAccessBlock'
]

async function runWaves(w: World, inputs: Record<string, string> = {}) {
  const awsFrom = w.aws.requests.length
  const githubFrom = w.github.requests.length
  w.aws.setLatency(LATENCY_MS)
  w.github.setLatency(LATENCY_MS)
  try {
    const r = await w.run(inputs)
    expect(r.code).toBe(0)
    const newKeyId = r.outputs['key-created'] === 'true' ? r.outputs['access-key-id'] : undefined
    const waves = wavesOf(
      w.aws.requests.slice(awsFrom),
      w.github.requests.slice(githubFrom),
      LATENCY_MS,
      { github: 'name', ...(newKeyId ? { newKeyId } : {}) }
    )
    const pair = w.storedPair()
    if (pair) assertNoSecretLeak(r, [pair.secretAccessKey])
    return { r, waves: waves.map(sorted) }
  } finally {
    w.aws.setLatency(0)
    w.github.setLatency(0)
  }
}

const sorted = (w: Wave): Wave => ({
  verification: w.verification,
  requests: [...w.requests].sort()
})
const plain = (requests: string[]): Wave => ({ verification: false, requests: requests.sort() })

describe('waves of requests', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld({ auth: true })
  })

  test('fresh setup: look-ups; bucket; user and bucket; grants, key, tags and a read of the defaults; verify beside the policy; secrets', async () => {
    const { waves } = await runWaves(w)
    const { before, after } = aroundVerification(waves)
    expect({ before, after }).toEqual({
      before: [
        plain([...LOOKUPS]),
        // The derived bucket name holds the account id: the bucket is looked up once STS answers.
        plain([...ACCOUNT_LOOKUPS]),
        plain(['IAM CreateUser', 'S3 CreateBucket']),
        // S3 applies one bucket configuration change at a time (issue 14). The tags first: they
        // mark the bucket as the action's before anything else. AWS blocks public access,
        // disables ACLs and encrypts a new bucket by default: those are read beside the tags, not
        // set one change a wave (issue 12).
        plain([
          'IAM CreateAccessKey',
          'IAM PutUserPolicy',
          'S3 PutBucketTagging',
          ...NEW_BUCKET_READS
        ])
      ],
      after: [
        // No destination held a pair: the four secrets go together.
        plain([
          'GitHub PUT AWS_ACCESS_KEY_ID',
          'GitHub PUT AWS_BUCKET_NAME',
          'GitHub PUT AWS_REGION',
          'GitHub PUT AWS_SECRET_ACCESS_KEY'
        ]),
        plain(['IAM UntagUser'])
      ]
    })
    const verification = waves.filter(v => v.verification)
    expect(verification.flatMap(v => v.requests).sort()).toEqual(
      ['IAM TagUser', 'S3 ListObjectsV2', 'STS GetCallerIdentity', 'S3 PutBucketPolicy'].sort()
    )
    expect(waves.length).toBe(7)
  })

  test('unchanged re-run: every look-up it needs, in two waves', async () => {
    const { waves } = await runWaves(w)
    expect(waves).toEqual([plain([...LOOKUPS]), plain([...ACCOUNT_LOOKUPS])])
  })

  test('rotation: the marker beside the key; id before secret; old key and tags together', async () => {
    const { waves } = await runWaves(w, { rotate: 'true' })
    const { before, after } = aroundVerification(waves)
    expect({ before, after }).toEqual({
      before: [
        plain([...LOOKUPS]),
        plain([...ACCOUNT_LOOKUPS]),
        plain(['IAM CreateAccessKey', 'IAM TagUser'])
      ],
      after: [
        // The destination holds the old pair: the id goes first, so that it can be put back if
        // the secret cannot be written (a secret cannot be put back).
        plain(['GitHub PUT AWS_ACCESS_KEY_ID']),
        plain(['GitHub PUT AWS_SECRET_ACCESS_KEY']),
        plain(['IAM DeleteAccessKey', 'IAM UntagUser'])
      ]
    })
  })
})

// Issue 12: with aws-account-id, the account is known before STS answers: the bucket and the
// boundary are looked up in the first wave, and a rotation takes six round trips, verification's
// own included. STS must agree, or nothing changes.
describe('aws-account-id: the account known before STS answers', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld({ auth: true })
  })
  const inputs = { 'aws-account-id': ACCOUNT_ID }

  test('fresh setup and re-run: the bucket and the boundary are looked up beside STS', async () => {
    const fresh = await runWaves(w, inputs)
    expect(fresh.waves[0]).toEqual(plain([...LOOKUPS, ...ACCOUNT_LOOKUPS]))
    expect(fresh.waves[1]).toEqual(plain(['IAM CreateUser', 'S3 CreateBucket']))
    // Issue 12: a fresh setup in six round trips, verification's included.
    expect(fresh.waves.length).toBe(6)
    const again = await runWaves(w, inputs)
    expect(again.waves).toEqual([plain([...LOOKUPS, ...ACCOUNT_LOOKUPS])])
  })

  test('rotation: six round trips, verification included', async () => {
    const { waves } = await runWaves(w, { ...inputs, rotate: 'true' })
    const { before, after } = aroundVerification(waves)
    expect({ before, after }).toEqual({
      before: [
        plain([...LOOKUPS, ...ACCOUNT_LOOKUPS]),
        plain(['IAM CreateAccessKey', 'IAM TagUser'])
      ],
      after: [
        plain(['GitHub PUT AWS_ACCESS_KEY_ID']),
        plain(['GitHub PUT AWS_SECRET_ACCESS_KEY']),
        plain(['IAM DeleteAccessKey', 'IAM UntagUser'])
      ]
    })
    expect(waves.length).toBe(6)
  })

  test('another account: refused before anything changes, naming both accounts', async () => {
    w.aws.reset()
    const writes = w.github.writeCount()
    const r = await w.run({ 'aws-account-id': '210987654321', rotate: 'true' })
    expect(r.code).toBe(1)
    expect(r.log).toMatch(
      new RegExp(
        `^::error::The credentials belong to AWS account ${ACCOUNT_ID}, not to 210987654321 \\(aws-account-id\\)`,
        'm'
      )
    )
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.github.writeCount()).toBe(writes)
  })
})

describe('many destinations: the secret lists are read at once, a first run too', () => {
  // GitHub's limits are checked against the lists before anything is made (issue 14), so a first
  // run reads them too: beside the public keys, in the first wave, without waiting for IAM.
  const REPOS = ['octo-org/a', 'octo-org/b', 'octo-org/c', 'octo-org/d', 'octo-org/e']
  const inputs = { repositories: REPOS.join('\n') }
  let w: World
  beforeAll(async () => {
    w = await openWorld({ auth: true })
    for (const repo of REPOS) w.github.addRepository(repo)
  })

  const listsIn = (waves: Wave[]) =>
    waves.map(v => v.requests.filter(r => r === 'GitHub GET secrets').length)

  test('a first run (new user) and a re-run read every list in the first wave', async () => {
    const first = await runWaves(w, inputs)
    expect(listsIn(first.waves)[0]).toBe(REPOS.length)
    expect(
      listsIn(first.waves)
        .slice(1)
        .every(n => n === 0)
    ).toBe(true)
    const again = await runWaves(w, inputs)
    expect(listsIn(again.waves)[0]).toBe(REPOS.length)
    expect(
      listsIn(again.waves)
        .slice(1)
        .every(n => n === 0)
    ).toBe(true)
  })
})
