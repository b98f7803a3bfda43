// The inputs and outputs tables of README.md, generated from action.yml so the two cannot drift.
// They sit between marker comments:
//   <!-- inputs:start --> … <!-- inputs:end -->    <!-- outputs:start --> … <!-- outputs:end -->
// Usage:
//   node scripts/readme-tables.mjs           rewrite the tables in README.md
//   node scripts/readme-tables.mjs --check   exit 1 (and say so) when README.md is out of date
// __tests__/unit/action-yml.test.ts runs the same check.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL, URL } from 'node:url'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

/** A cell: one line, pipes escaped. */
function cell(text) {
  return String(text).replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

function code(text) {
  return `\`${text}\``
}

/** The inputs table, in action.yml's order. */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, spec]) => {
    const fallback =
      spec.required === true
        ? '**required**'
        : spec.default === undefined || spec.default === ''
          ? '(empty)'
          : code(spec.default)
    return `| ${code(name)} | ${cell(fallback)} | ${cell(spec.description ?? '')} |`
  })
  return ['| Input | Default | Description |', '| --- | --- | --- |', ...rows].join('\n')
}

/** The outputs table, in action.yml's order. */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) => `| ${code(name)} | ${cell(spec.description ?? '')} |`
  )
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n')
}

/** README text with both tables replaced by the ones generated from action.yml's text. */
export function updateReadme(readme, actionYmlText) {
  const action = parse(actionYmlText)
  let text = readme
  for (const [marker, table] of [
    ['inputs', inputsTable(action)],
    ['outputs', outputsTable(action)]
  ]) {
    const start = `<!-- ${marker}:start -->`
    const end = `<!-- ${marker}:end -->`
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`)
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`
  }
  return text
}

function main() {
  const readmePath = `${ROOT}README.md`
  const readme = readFileSync(readmePath, 'utf8')
  const updated = updateReadme(readme, readFileSync(`${ROOT}action.yml`, 'utf8'))
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md tables differ from action.yml: run node scripts/readme-tables.mjs')
      process.exit(1)
    }
    console.log('README.md tables match action.yml')
  } else if (updated !== readme) {
    writeFileSync(readmePath, updated)
    console.log('README.md tables updated from action.yml')
  } else {
    console.log('README.md tables already match action.yml')
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
