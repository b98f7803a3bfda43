/**
 * Issue 8: `dry-run: true` looks everything up, prints the plan and changes nothing; the plan it
 * prints is what a real run then does.
 */
import { GetUserCommand } from '@aws-sdk/client-iam'
import { HeadBucketCommand } from '@aws-sdk/client-s3'
import { snapshotMoto } from '../support/moto.js'
import { hrefs, htmlProblems } from '../support/html.js'
import type { RunResult } from '../support/run-action.js'
import { ACCOUNT_ID, closeWorld, openWorld, REGION, REPO, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const ALL_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME']

afterAll(closeWorld)

/** The lines of the "Plan" group of a run's log (debug lines left out). */
function planLines(r: RunResult): string[] {
  const lines = r.log.split('\n')
  const start = lines.findIndex(l => /^::group::Plan\b/.test(l))
  if (start < 0) throw new Error(`no Plan group in the log:\n${r.log}`)
  const end = lines.findIndex((l, i) => i > start && l === '::endgroup::')
  return lines.slice(start + 1, end).filter(l => !l.startsWith('::'))
}

/** Runs a dry run and asserts that it changed nothing anywhere; returns its result. */
async function dryRun(w: World, inputs: Record<string, string> = {}): Promise<RunResult> {
  const before = await snapshotMoto(w.moto)
  const writes = w.github.writeCount()
  w.aws.reset()
  const r = await w.run({ ...inputs, 'dry-run': 'true' })
  expect(r.code).toBe(0)
  expect(w.aws.actions({ mutating: true })).toEqual([])
  // It did look: identity, user and bucket.
  expect(w.aws.actions()).toEqual(
    expect.arrayContaining(['GetCallerIdentity', 'GetUser', 'HeadBucket'])
  )
  expect(w.github.writeCount()).toBe(writes)
  expect(await snapshotMoto(w.moto)).toBe(before)
  expect(r.log).toContain('::group::Plan (dry run: nothing will change)')
  expect(r.summary).toContain('dry run (nothing changed)')
  expect(r.outputs['key-created']).toBe('false')
  expect(r.outputs.secrets).toBe('')
  return r
}

describe('a dry run before the first setup', () => {
  let w: World
  let dry: RunResult
  let real: RunResult
  beforeAll(async () => {
    w = await openWorld({ auth: true })
    dry = await dryRun(w, { tags: 'team=platform' })
    real = await w.run({ tags: 'team=platform' })
  })

  test('prints the full plan and changes nothing', () => {
    expect(planLines(dry)).toEqual([
      'Create IAM user octo-org+octo-repo (path /s3-credentials-action/, boundary arn:aws:iam::123456789012:policy/s3-credentials-action-boundary).',
      `Create bucket ${BUCKET} in ${REGION}: block public access, enforce bucket-owner object ownership, default encryption, TLS-only policy, tags.`,
      'Grant read-write access to the bucket only (inline policy s3-credentials-action).',
      'Create a new access key (the user is new) and verify it before it is stored.',
      `Write to ${REPO}: ${ALL_SECRETS.join(', ')}.`
    ])
    expect(dry.outputs['user-arn']).toBe(
      `arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER}`
    )
    expect(dry.outputs['bucket-name']).toBe(BUCKET)
    expect(dry.outputs['access-key-id']).toBe('')
    expect(dry.summary).toContain('a new key would be created')
    expect(dry.summary).toMatch(/Would write[\s\S]*AWS_SECRET_ACCESS_KEY/)
  })

  test('the real run then prints the same plan and does exactly that', async () => {
    expect(real.code).toBe(0)
    expect(planLines(real)).toEqual(planLines(dry))
    const user = await w.iam().send(new GetUserCommand({ UserName: USER }))
    expect(user.User?.Path).toBe('/s3-credentials-action/')
    expect(user.User?.Tags).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 's3-credentials-action:repository', Value: 'octo-org/octo-repo' },
      // The run that made the key (issue 17); outside a workflow run, no run id.
      {
        Key: `s3-credentials-action:key:${w.storedPair()!.accessKeyId}`,
        Value: expect.stringMatching(/^octo-org\/octo-repo - - \S+Z$/) as unknown
      }
    ])
    const head = await w.s3().send(new HeadBucketCommand({ Bucket: BUCKET }))
    expect(head.BucketRegion).toBe(REGION)
    expect(real.outputs['key-created']).toBe('true')
    const pair = w.storedPair()!
    expect(await w.keysOf(USER)).toEqual([{ id: pair.accessKeyId, status: 'Active' }])
    expect(await w.works(pair)).toBe(true)
    expect(real.outputs.secrets!.split(',').sort()).toEqual([...ALL_SECRETS].sort())
    expect(w.github.secretNames({ repo: REPO })).toEqual([...ALL_SECRETS].sort())
  })

  test('a dry run of the unchanged setup plans to keep everything', async () => {
    const again = await dryRun(w, { tags: 'team=platform' })
    const keyId = w.storedPair()!.accessKeyId
    expect(planLines(again)).toEqual([
      'Reuse IAM user octo-org+octo-repo.',
      `Reuse bucket ${BUCKET} in ${REGION}.`,
      'Keep the grants: read-write access to the bucket only is in place.',
      `Keep access key ${keyId}: the destinations hold an active key of the user.`,
      // The run that made it (the test's runs are outside a workflow), from the key's origin tag.
      expect.stringMatching(
        /^Access key AKIA\w+ was made outside a workflow run of octo-org\/octo-repo at \d{4}-\d\d-\d\dT[\d:.]+Z\.$/
      ),
      `Leave ${REPO} as it is: it holds what it needs.`
    ])
    expect(again.outputs['access-key-id']).toBe(keyId)
    expect(again.summary).toContain('a real run would change nothing either')
  })

  test('a dry run of a rotation names the key it would replace; the rotation does that', async () => {
    const oldKey = w.storedPair()!
    const inputs = { rotate: 'true', 'current-access-key-id': oldKey.accessKeyId }
    const dry = await dryRun(w, inputs)
    expect(planLines(dry)).toEqual([
      'Reuse IAM user octo-org+octo-repo.',
      `Reuse bucket ${BUCKET} in ${REGION}.`,
      'Keep the grants: read-write access to the bucket only is in place.',
      'Create a new access key (rotation was requested) and verify it before it is stored.',
      `Then delete the old key ${oldKey.accessKeyId} once every destination holds the new one.`,
      expect.stringMatching(
        /^Access key AKIA\w+ was made outside a workflow run of octo-org\/octo-repo at \d{4}-\d\d-\d\dT[\d:.]+Z\.$/
      ),
      `Write to ${REPO}: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.`
    ])
    expect(dry.summary).toContain(`${oldKey.accessKeyId} would be deleted`)
    expect(await w.works(oldKey)).toBe(true)

    const rotation = await w.run(inputs)
    expect(rotation.code).toBe(0)
    expect(planLines(rotation)).toEqual(planLines(dry))
    expect(rotation.outputs).toMatchObject({
      rotated: 'true',
      'key-created': 'true',
      'old-access-key-id': oldKey.accessKeyId,
      secrets: 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY'
    })
    const newKey = w.storedPair()!
    expect(newKey.accessKeyId).not.toBe(oldKey.accessKeyId)
    expect(await w.keysOf(USER)).toEqual([{ id: newKey.accessKeyId, status: 'Active' }])
  })
})

describe('a dry run that meets a refusal', () => {
  test('fails with the same error a real run would, before changing anything', async () => {
    const w = await openWorld()
    w.github.addToken('ghs_default', { kind: 'github_token', permissions: ['metadata'] })
    const before = await snapshotMoto(w.moto)
    const r = await w.run({ 'dry-run': 'true', 'github-token': 'ghs_default' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/^::error::.*GITHUB_TOKEN can never have "Secrets: read and write"/m)
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(await snapshotMoto(w.moto)).toBe(before)
  })
})

describe('job summary and log of real runs', () => {
  /** The summary as text: tags dropped, entities decoded. */
  const text = (html: string) =>
    html
      .replace(/<\/(td|th)>/g, ' | ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')

  /** The names in the repository's row of the Destinations table (nothing failed), sorted. */
  const writtenTo = (summary: string) => {
    const row = new RegExp(`${REPO} \\| ([A-Z_, ]+) \\| - \\|`).exec(summary)
    return row ? row[1]!.split(', ').sort() : []
  }

  test('setup and rotation: resources, destinations, timings, warnings; never the secret', async () => {
    const w = await openWorld()
    const setup = await w.run({ 'max-key-age-days': '30' })
    expect(setup.code).toBe(0)
    const first = w.storedPair()!
    const s1 = text(setup.summary)
    expect(s1).toContain(`Created key ${first.accessKeyId} and stored it in 1 destination.`)
    // Verdict first, well-formed HTML, absolute links to the consoles and the secrets settings.
    expect(setup.summary.split('\n')[0]).toBe('<h2>S3 credentials: done</h2>')
    expect(htmlProblems(setup.summary)).toEqual([])
    expect(hrefs(setup.summary)).toEqual([
      `https://console.aws.amazon.com/iam/home#/users/details/${encodeURIComponent(USER)}`,
      `https://console.aws.amazon.com/s3/buckets/${BUCKET}?region=${REGION}`,
      `https://github.com/${REPO}/settings/secrets/actions`
    ])
    expect(s1).toContain('Next: use the secrets in a job')
    expect(s1).toContain('AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}')
    expect(s1).toContain(
      `IAM user | arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER} (new)`
    )
    expect(s1).toContain(`Bucket | ${BUCKET} in ${REGION} (new)`)
    expect(s1).toContain('Policy | bucket-read-write: read-write access to the bucket only')
    expect(s1).toContain(`Access key | ${first.accessKeyId} (new)`)
    expect(s1).toContain('Old key | none replaced')
    expect(writtenTo(s1)).toEqual([...ALL_SECRETS].sort())
    for (const phase of ['lookup', 'user', 'bucket', 'grants', 'key', 'verify', 'secrets', 'total'])
      expect(s1).toMatch(new RegExp(`${phase} \\| \\d+ \\|`))
    // The warning is an annotation and is repeated in the summary.
    expect(setup.log).toMatch(/^::warning::max-key-age-days has no effect without rotate/m)
    expect(s1).toContain("Warnings max-key-age-days has no effect without rotate: 'true'.")
    // One group per phase; the lookup's detail only in debug lines.
    for (const group of ['Look up AWS and GitHub', 'Plan', 'Apply'])
      expect(setup.log).toContain(`::group::${group}\n`)
    expect(setup.log).toMatch(/^::debug::IAM user: absent\.$/m)
    expect(setup.log).toMatch(/^::debug::Bucket \S+: absent\.$/m)

    const rotation = await w.run({
      rotate: 'true',
      'current-access-key-id': first.accessKeyId,
      'old-key': 'deactivate'
    })
    expect(rotation.code).toBe(0)
    const second = w.storedPair()!
    const s2 = text(rotation.summary)
    expect(s2).toContain(
      `Rotated: new key ${second.accessKeyId} stored in 1 destination; old key ${first.accessKeyId} deactivated.`
    )
    expect(s2).toContain(
      `IAM user | arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER} (existing)`
    )
    expect(s2).toContain(`Access key | ${second.accessKeyId} (new)`)
    expect(htmlProblems(rotation.summary)).toEqual([])
    expect(s2).not.toContain('Next: use the secrets')
    expect(s2).toContain(`Old key | ${first.accessKeyId} deactivated`)
    expect(writtenTo(s2)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
    expect(rotation.log).toMatch(/^::debug::Access keys: \w+ Active 0 days old\.$/m)
    for (const r of [setup, rotation])
      for (const secret of [first.secretAccessKey, second.secretAccessKey]) {
        expect(r.summary).not.toContain(secret)
        expect(r.log).not.toContain(secret)
      }
  })

  test('a failure is one error line, repeated with its code in the summary', async () => {
    const w = await openWorld()
    const r = await w.run({ 'github-token': 'github_pat_unknown' })
    expect(r.code).not.toBe(0)
    const errors = r.log.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(text(r.summary)).toContain(
      `Failed (GITHUB_AUTH): ${errors[0]!.slice('::error::'.length)}`
    )
    expect(r.summary.split('\n')[0]).toBe('<h2>S3 credentials: failed</h2>')
    expect(text(r.summary)).toContain('What to do:')
    expect(htmlProblems(r.summary)).toEqual([])
  })
})
