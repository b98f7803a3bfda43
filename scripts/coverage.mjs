// Line coverage of src/ from the action's runs in the integration tier: each run of dist/index.js
// writes V8 coverage into the directory given (ACTION_COVERAGE_DIR, see __tests__/support/run-action.ts),
// and monocart-coverage-reports maps it back to src/ through dist/index.js.map. (c8 was tried: it
// reports the bundle's line-only source map as 100 % covered with no functions.)
//   node scripts/coverage.mjs DIR     prints a table per file and a summary; writes nothing else
import { CoverageReport } from 'monocart-coverage-reports'

const [dir] = process.argv.slice(2)
if (!dir) {
  console.error('usage: node scripts/coverage.mjs COVERAGE_DIR')
  process.exit(2)
}
const report = new CoverageReport({
  name: 'src/ through dist/index.js',
  outputDir: '.tmp/coverage-report',
  reports: [['text', { skipFull: false }], 'console-summary'],
  entryFilter: { '**/dist/index.js': true },
  sourceFilter: { '**/node_modules/**': false, '**/src/**': true },
  logging: 'error'
})
await report.addFromDir(dir)
const results = await report.generate()
if (!results?.summary?.lines) {
  console.error(`coverage: no coverage of src/ found in ${dir}`)
  process.exit(1)
}
console.log(`coverage of src/: ${results.summary.lines.pct} % of lines`)
