/**
 * The bundle loads the source-map support (dist/sourcemap-register.cjs, scripts/build.mjs): a run
 * that fails prints its debug stack traces pointing into src/.
 */
import { closeWorld, openWorld, type World } from '../support/world.js'

afterAll(closeWorld)

/** The `::debug::` lines of a run, with the runner's escaping of new lines undone. */
function debugLines(log: string): string[] {
  return log
    .split('\n')
    .filter(l => l.startsWith('::debug::'))
    .map(l => l.slice('::debug::'.length).replace(/%0A/g, '\n'))
}

describe('start-up', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld()
  })

  test('a failure prints stack traces mapped to the source', async () => {
    const r = await w.run({ 'github-token': 'github_pat_revoked_long_ago' })
    expect(r.code).not.toBe(0)
    expect(r.log).toMatch(/^::error::GitHub refused the token/m)
    const stacks = debugLines(r.log).filter(l => /^\w*Error\b.*\n\s+at /.test(l))
    expect(stacks.length).toBeGreaterThan(0)
    // The ActionError is made in src/github/errors.ts; unmapped, its frames would name dist/.
    expect(stacks[0]).toMatch(/\n\s+at .*src\/github\/errors\.ts:\d+:\d+/)
    expect(stacks[0]).not.toMatch(/dist\/index\.js/)
  })
})
