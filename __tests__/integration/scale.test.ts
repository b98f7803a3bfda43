/**
 * Issue 6 at scale: 200 repositories through the `repositories` input, with the GitHub stand-in
 * enforcing a secondary rate limit scaled down in time (80 writes a second instead of a minute,
 * retry-after 1 s instead of about 60). Every secret must arrive, no destination may fail, and the
 * run must stay within 5% of the fewest requests that can do the job.
 *
 * The minimum, precisely: a first run needs, per repository, one read of the public key (to seal
 * the secrets), one of the list of the secrets it holds (GitHub's limit of 100 a repository is
 * checked against it before anything is made, issue 14) and four writes (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_BUCKET_NAME): 6 x 200 = 1200 requests. A re-run needs,
 * per repository, the public key and the list (to see that nothing is missing) and no write:
 * 2 x 200 = 400. Requests refused with 403 count against the budget.
 */
import type { RecordedRequest } from '../support/github-standin.js'
import { ACCOUNT_ID, closeWorld, openWorld, REGION, type World } from '../support/world.js'

const COUNT = 200
const REPOS = Array.from({ length: COUNT }, (_, i) => `octo-org/svc-${String(i).padStart(3, '0')}`)
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_BUCKET_NAME', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']
const LIMIT = { maxWrites: 80, windowMs: 1000, retryAfterSeconds: 1 }
const FIRST_RUN_MINIMUM = COUNT * (2 + 4)
const RERUN_MINIMUM = COUNT * 2
const SLACK = 1.05

afterAll(closeWorld)

function tally(requests: RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of requests) {
    const key = r.status === 403 ? `403 ${r.operationId}` : r.operationId
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** Most writes the stand-in accepted within any window of LIMIT.windowMs. */
function busiestWindow(requests: RecordedRequest[]): number {
  const times = requests
    .filter(r => r.method !== 'GET' && r.status < 300)
    .map(r => r.at)
    .sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= LIMIT.windowMs) i++
    most = Math.max(most, j - i + 1)
  }
  return most
}

describe(`${COUNT} repositories under a secondary rate limit`, () => {
  let w: World
  const inputs = { repositories: REPOS.join('\n'), 'max-writes': String(COUNT * 4) }

  beforeAll(async () => {
    w = await openWorld()
    for (const repo of REPOS) w.github.addRepository(repo)
    w.github.setLatency(5)
    w.github.secondaryRateLimit(LIMIT)
  })

  test('a first run writes every secret, fails nowhere, and stays within 5% of the minimum', async () => {
    const r = await w.run(inputs, {})
    const requests = w.github.requests
    const counts = tally(requests)
    const refused = requests.filter(q => q.status === 403).length
    // The numbers this test is about, for the log of the test run.
    console.log(
      `first run: ${requests.length} requests (minimum ${FIRST_RUN_MINIMUM}, ${refused} refused with 403), ` +
        `${r.durationMs} ms, busiest ${LIMIT.windowMs} ms window ${busiestWindow(requests)} writes; ${JSON.stringify(counts)}`
    )
    expect(r.code).toBe(0)
    expect(r.log).not.toMatch(/::error::/)
    expect(r.log).toMatch(/::warning::This run needs 800 secret and variable writes/)
    // Paced from the first refusal on, and a warning says so. (A slow machine may never reach
    // the limit: then there is no refusal and no warning.)
    const paced = (r.log.match(/::warning::GitHub secondary rate limit/g) ?? []).length
    expect(paced > 0).toBe(refused > 0)
    expect(paced).toBeLessThanOrEqual(2)

    const pair = {
      accessKeyId: r.outputs['access-key-id']!,
      secretAccessKey: w.github.secret({ repo: REPOS[0]! }, 'AWS_SECRET_ACCESS_KEY')!
    }
    expect(await w.works(pair)).toBe(true)
    for (const repo of REPOS) {
      expect(w.github.secretNames({ repo })).toEqual(NAMES)
      expect(w.github.secret({ repo }, 'AWS_ACCESS_KEY_ID')).toBe(pair.accessKeyId)
      expect(w.github.secret({ repo }, 'AWS_SECRET_ACCESS_KEY')).toBe(pair.secretAccessKey)
      expect(w.github.secret({ repo }, 'AWS_REGION')).toBe(REGION)
      expect(w.github.secret({ repo }, 'AWS_BUCKET_NAME')).toBe(BUCKET)
    }
    // No destination failed: the summary's table has none in its Failed column.
    const rows = [
      ...r.summary.matchAll(
        /<tr><td><a href="[^"]*">(octo-org\/svc-\d+)<\/a><\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g
      )
    ]
    expect(rows).toHaveLength(COUNT)
    expect(rows.filter(m => m[2] !== '-')).toEqual([])

    expect(counts['actions/get-repo-public-key']).toBe(COUNT)
    expect(counts['actions/list-repo-secrets']).toBe(COUNT)
    expect(counts['actions/create-or-update-repo-secret']).toBe(COUNT * 4)
    expect(requests.length).toBeLessThanOrEqual(FIRST_RUN_MINIMUM * SLACK)
    expect(r.durationMs).toBeLessThan(60_000)
  })

  test('a re-run reads a public key and a list per repository and writes nothing', async () => {
    w.github.requests.length = 0
    const r = await w.run(inputs, {})
    expect(r.code).toBe(0)
    expect(tally(w.github.requests)).toEqual({
      'actions/get-repo-public-key': COUNT,
      'actions/list-repo-secrets': COUNT
    })
    expect(w.github.requests.length).toBe(RERUN_MINIMUM)
    expect(r.outputs.secrets).toBe('')
  })
})
