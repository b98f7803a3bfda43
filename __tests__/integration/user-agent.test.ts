/**
 * Issue 17: every AWS request names the action, its version and the workflow run in its user
 * agent, so a CloudTrail entry leads back to the run.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../support/run-action.js'
import { closeWorld, openWorld } from '../support/world.js'

afterAll(closeWorld)

test('IAM, S3 and STS requests carry the action, its version and the run', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string
  }
  const w = await openWorld()
  w.aws.reset()
  const r = await w.run({}, { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '2' })
  expect(r.code).toBe(0)
  const services = new Set(w.aws.requests.map(q => q.service))
  expect([...services].sort()).toEqual(['iam', 's3', 'sts'])
  for (const request of w.aws.requests) {
    expect(request.userAgent).toContain(`s3-credentials-action/${version}`)
    expect(request.userAgent).toContain('octo-org/octo-repo/run-4242-2')
  }
})
