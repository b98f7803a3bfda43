/**
 * Issue 8: bad inputs, table-driven, through the bundled action. Each fails before anything is
 * looked up or changed, with one error line that names the input ("Input 'x': rule. To fix: …").
 * Nothing changes, so the cases share one world and run a few at a time.
 */
import { snapshotMoto } from '../support/moto.js'
import type { RunResult } from '../support/run-action.js'
import { closeWorld, openWorld, type World } from '../support/world.js'

afterAll(closeWorld)

interface Case {
  /** The input the message must name. */
  input: string
  inputs: Record<string, string>
  env?: Record<string, string>
  /** A fragment of the rule, when it is worth pinning. */
  says?: string
}

const fiftyTags = Array.from({ length: 50 }, (_, i) => `k${i}=v`).join('\n')

const CASES: Case[] = [
  { input: 'github-token', inputs: { 'github-token': '' }, says: 'is required' },
  { input: 'aws-region', inputs: { 'aws-region': 'eu_west_1' }, says: 'us-east-1' },
  { input: 'aws-region', inputs: { 'aws-region': 'EU-WEST-1' } },
  {
    input: 'aws-region (from AWS_REGION)',
    inputs: { 'aws-region': '' },
    env: { AWS_REGION: 'moon-base-1a' }
  },
  { input: 'bucket-name', inputs: { 'bucket-name': 'My_Bucket' }, says: 'lowercase' },
  { input: 'bucket-name', inputs: { 'bucket-name': 'ab' }, says: '3 to 63' },
  { input: 'bucket-name', inputs: { 'bucket-name': 'b'.repeat(64) }, says: '3 to 63' },
  { input: 'bucket-name', inputs: { 'bucket-name': '-bucket' }, says: 'starts and ends' },
  { input: 'bucket-name', inputs: { 'bucket-name': 'my..bucket' }, says: 'adjacent dots' },
  { input: 'bucket-name', inputs: { 'bucket-name': 'my.-bucket' }, says: 'dot next to a hyphen' },
  { input: 'bucket-name', inputs: { 'bucket-name': '192.168.1.10' }, says: 'IP address' },
  { input: 'bucket-name', inputs: { 'bucket-name': 'xn--bucket' }, says: "prefix 'xn--'" },
  { input: 'bucket-name', inputs: { 'bucket-name': 'data-s3alias' }, says: "suffix '-s3alias'" },
  { input: 'user-name', inputs: { 'user-name': 'ci user' }, says: 'only letters' },
  { input: 'user-name', inputs: { 'user-name': 'u'.repeat(65) }, says: '1 to 64' },
  { input: 'user-path', inputs: { 'user-path': 'ci' }, says: "starts and ends with '/'" },
  { input: 'user-path', inputs: { 'user-path': '/ci' } },
  { input: 'user-path', inputs: { 'user-path': '/a//b/' }, says: 'empty segment' },
  { input: 'policy', inputs: { policy: 'admin' }, says: 'bucket-read-write' },
  {
    input: 'policy',
    inputs: { policy: 'arn:aws:iam::12345:policy/X' },
    says: 'managed policy ARN'
  },
  { input: 'permissions-boundary', inputs: { 'permissions-boundary': 'Power User' } },
  {
    input: 'permissions-boundary',
    inputs: { 'permissions-boundary': 'arn:aws:iam::aws:policy/PowerUserAccess' },
    says: 'customer-managed'
  },
  // Issue 13: AWS-managed policies beyond the two S3 ones are refused before anything is looked up.
  {
    input: 'policy',
    inputs: { policy: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    says: 'AdministratorAccess is not allowed'
  },
  {
    input: 'policy',
    inputs: { policy: 'arn:aws:iam::aws:policy/IAMFullAccess' },
    says: 'IAMFullAccess is not allowed'
  },
  { input: 'tags', inputs: { tags: 'team' }, says: "has no '='" },
  { input: 'tags', inputs: { tags: 'aws:owner=me' }, says: "'aws:'" },
  { input: 'tags', inputs: { tags: 's3-credentials-action:rotation=x' }, says: 'reserves' },
  // Issue 15: IAM compares tag keys without case, and so does the reserved prefix.
  {
    input: 'tags',
    inputs: { tags: 'S3-Credentials-Action:rotation=run-1-1 2999-01-01T00:00:00Z' },
    says: 'reserves'
  },
  { input: 'tags', inputs: { tags: 'team=a\u2028::error::forged' }, says: 'no control characters' },
  { input: 'environment', inputs: { environment: 'prod\u0085x' }, says: 'no control characters' },
  { input: 'github-token', inputs: { 'github-token': 'ghp_one two' }, says: 'printable ASCII' },
  { input: 'tags', inputs: { tags: 'team=a\nTEAM=b' }, says: 'given twice' },
  { input: 'tags', inputs: { tags: 'team=<platform>' }, says: 'only letters' },
  { input: 'tags', inputs: { tags: fiftyTags }, says: 'tags (got 50)' },
  { input: 'repository', inputs: { repository: 'octo-repo' }, says: 'owner/name' },
  { input: 'repository', inputs: { repository: 'octo-org/a/b' }, says: 'owner/name' },
  { input: 'repository', inputs: { repository: '-octo/app' } },
  { input: 'repositories', inputs: { repositories: 'octo-org/one\nnot a repo' } },
  { input: 'environment', inputs: { environment: 'e'.repeat(256) }, says: 'at most 255' },
  {
    input: 'environment',
    inputs: { environment: 'production', 'secret-store': 'dependabot' },
    says: 'only in the actions store'
  },
  { input: 'organization', inputs: { organization: 'octo org' } },
  { input: 'visibility', inputs: { organization: 'octo-org', visibility: 'public' } },
  {
    input: 'selected-repositories',
    inputs: { 'selected-repositories': 'app' },
    says: 'only with organization'
  },
  {
    input: 'selected-repositories',
    inputs: { organization: 'octo-org', visibility: 'selected' },
    says: 'is required'
  },
  { input: 'secret-store', inputs: { 'secret-store': 'vault' }, says: 'actions, dependabot' },
  { input: 'region-and-bucket-as', inputs: { 'region-and-bucket-as': 'env' } },
  {
    input: 'region-and-bucket-as',
    inputs: { 'region-and-bucket-as': 'variables', 'secret-store': 'codespaces' }
  },
  { input: 'max-writes', inputs: { 'max-writes': '0' }, says: 'whole number' },
  { input: 'max-writes', inputs: { 'max-writes': 'lots' } },
  {
    input: 'secret-prefix',
    inputs: { 'secret-prefix': '1ST_' },
    says: 'does not start with a digit'
  },
  { input: 'secret-prefix', inputs: { 'secret-prefix': 'GITHUB_' }, says: 'GITHUB_' },
  { input: 'secret-prefix', inputs: { 'secret-prefix': 'MY-APP_' } },
  { input: 'current-access-key-id', inputs: { 'current-access-key-id': 'akia-lowercase' } },
  { input: 'rotate', inputs: { rotate: 'yes' }, says: 'true or false' },
  { input: 'max-key-age-days', inputs: { rotate: 'true', 'max-key-age-days': '0' } },
  { input: 'max-key-age-days', inputs: { rotate: 'true', 'max-key-age-days': 'ninety' } },
  { input: 'max-key-age-days', inputs: { rotate: 'true', 'max-key-age-days': '4000' } },
  { input: 'old-key', inputs: { 'old-key': 'shred' }, says: 'delete, deactivate, keep' },
  { input: 'verify-timeout-seconds', inputs: { 'verify-timeout-seconds': '0' } },
  { input: 'verify-timeout-seconds', inputs: { 'verify-timeout-seconds': '1000' } },
  { input: 'dry-run', inputs: { 'dry-run': 'maybe' }, says: 'true or false' }
]

const CONCURRENCY = 6

let w: World
let motoBefore: string
let writesBefore: number
const results = new Map<Case, RunResult>()
let several: RunResult

beforeAll(async () => {
  w = await openWorld()
  motoBefore = await snapshotMoto(w.moto)
  writesBefore = w.github.writeCount()
  const queue = [...CASES]
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c, await w.run(c.inputs, c.env))
    })
  )
  several = await w.run({ 'old-key': 'shred', rotate: 'yes', 'bucket-name': 'Nope' })
}, 300_000)

test('there are at least 30 cases', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(30)
})

test.each(CASES.map(c => [`${c.input}: ${JSON.stringify(c.inputs)}`, c] as const))('%s', (_, c) => {
  const r = results.get(c)!
  expect(r.code).not.toBe(0)
  const errors = r.log.split('\n').filter(l => l.startsWith('::error'))
  expect(errors).toHaveLength(1)
  const line = errors[0]!
  expect(line.startsWith(`::error::Input '${c.input}': `)).toBe(true)
  expect(line).toMatch(/\. To fix: \S/)
  if (c.says) expect(line).toContain(c.says)
  expect(r.summary).toContain('Failed (INVALID_INPUT)')
})

test('several bad inputs are reported together, in one line', () => {
  const errors = several.log.split('\n').filter(l => l.startsWith('::error'))
  expect(errors).toHaveLength(1)
  for (const input of ['old-key', 'rotate', 'bucket-name'])
    expect(errors[0]).toContain(`Input '${input}': `)
  expect(errors[0]).toContain('To fix: correct the inputs named above.')
})

test('no case looked anything up or changed anything', async () => {
  expect(w.aws.requests).toEqual([])
  expect(w.github.requests).toEqual([])
  expect(w.github.writeCount()).toBe(writesBefore)
  expect(await snapshotMoto(w.moto)).toBe(motoBefore)
})
