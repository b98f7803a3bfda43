// Smoke test of the harness: the bundled action runs on Node 24 against moto and the GitHub
// stand-in, and refuses to run without a token.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { GitHubStandin } from '../support/github-standin.js'
import { awsEnv, resetMoto, startMoto, type Moto } from '../support/moto.js'
import { NODE24, REPO_ROOT, runAction } from '../support/run-action.js'

let moto: Moto
let standin: GitHubStandin

beforeAll(async () => {
  moto = await startMoto()
  standin = await GitHubStandin.start()
  standin.addToken('github_pat_smoke', { kind: 'fine_grained_pat', permissions: ['secrets'] })
  standin.addRepository('octo-org/octo-repo')
})

beforeEach(async () => {
  await resetMoto(moto)
})

afterAll(async () => {
  await standin?.stop()
})

test('the action runs on Node 24', () => {
  expect(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')).toMatch(/using: '?node24'?/)
  expect(execFileSync(NODE24, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./)
  const childVersion = execFileSync(NODE24, ['-e', 'process.stdout.write(process.version)'], {
    encoding: 'utf8'
  })
  expect(childVersion).toMatch(/^v24\./)
})

test('an empty github-token fails with a message naming github-token', async () => {
  const result = await runAction({
    inputs: { 'github-token': '' },
    env: { GITHUB_API_URL: standin.url, AWS_REGION: 'us-east-1', ...awsEnv(moto) }
  })
  expect(result.code).not.toBe(0)
  expect(result.log).toContain('github-token')
})
