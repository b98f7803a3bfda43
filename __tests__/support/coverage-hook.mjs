// Preloaded (node --import) into the action's runs when the test command measures coverage:
// records V8's precise coverage of dist/index.js alone and writes it, in NODE_V8_COVERAGE's
// format, into ACTION_COVERAGE_DIR when the process exits. NODE_V8_COVERAGE itself would do the
// same, but it makes every run parse the bundle's 4 MB source map and copy it into its file
// (Node's source-map cache): that doubled each run's CPU time and gave the report 2.5 GB to read.
// scripts/coverage.mjs finds the map through the bundle's sourceMappingURL instead.
import { Session } from 'node:inspector'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.env.ACTION_COVERAGE_DIR
if (dir) {
  const session = new Session()
  session.connect()
  session.post('Profiler.enable')
  session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  // The in-process inspector answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.takePreciseCoverage', (error, coverage) => {
      if (error) return
      const result = coverage.result.filter(script => script.url.endsWith('/dist/index.js'))
      mkdirSync(dir, { recursive: true })
      const file = join(dir, `coverage-${process.pid}-${Date.now()}.json`)
      writeFileSync(file, JSON.stringify({ result }))
    })
  })
}
