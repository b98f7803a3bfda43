// npm run build: ncc bundles src/index.ts (with source maps) into .tmp/build/, then dist/ is made
// to match it: new and changed files copied (the entry last), files of an earlier build removed,
// and dist/licenses.txt written from every chunk (scripts/licenses.mjs). Building aside keeps
// dist/ whole while ncc runs, for tests and runs that read it meanwhile, and leaves no stale chunk.
//
// ncc is called through its API for one option its command line lacks: mainFields. The AWS SDK's
// packages without an `exports` map (the clients, signature-v4, node-http-handler, the credential
// providers) then come from their ES modules (`module`, dist-es) rather than their single-file
// CommonJS builds (`main`, dist-cjs): webpack keeps only the commands and modules the action
// imports (the IAM client's dist-cjs holds all its ~170 commands), and the credential providers the
// run does not reach stay separate chunks. Packages with an `exports` map resolve as before.
//
// ncc starts dist/index.js with an import of dist/sourcemap-register.cjs (source-map-support, for
// stack traces that point into src/ and node_modules/). That import is taken out: loading it costs
// every run a few milliseconds before the first request, and src/main.ts loads the file itself
// when it is about to print a stack trace. The file is still written, as are the source maps.
//
// ncc's cache is off: it lives outside the checkout (~/.cache/ncc, keyed by the directory), is not
// keyed by the options above, and so could make dist/ depend on what was built there before. The
// build takes no longer without it.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const root = join(import.meta.dirname, '..')
const out = join(root, '.tmp', 'build')
const dist = join(root, 'dist')
const ncc = createRequire(import.meta.url)('@vercel/ncc')

rmSync(out, { recursive: true, force: true })
const built = await ncc(join(root, 'src', 'index.ts'), {
  sourceMap: true,
  mainFields: ['module', 'main'],
  filterAssetBase: root,
  cache: false
})
const register = "import './sourcemap-register.cjs';"
if (!built.code.startsWith(register) || !built.assets['sourcemap-register.cjs'])
  throw new Error(`ncc's output no longer starts with ${register}: see the comment above`)
for (const [file, content] of [
  ['index.js', built.code.slice(register.length)],
  ['index.js.map', built.map],
  ...Object.entries(built.assets).map(([name, asset]) => [name, asset.source])
]) {
  mkdirSync(dirname(join(out, file)), { recursive: true })
  writeFileSync(join(out, file), content)
}
mkdirSync(dist, { recursive: true })
const files = readdirSync(out).sort((a, b) => Number(a === 'index.js') - Number(b === 'index.js'))
for (const file of files) {
  const target = join(dist, file)
  let same = false
  try {
    same = readFileSync(target).equals(readFileSync(join(out, file)))
  } catch {
    // not there yet
  }
  if (!same) copyFileSync(join(out, file), target)
}
for (const file of readdirSync(dist))
  if (!files.includes(file) && file !== 'licenses.txt') rmSync(join(dist, file))
execFileSync(process.execPath, [join(root, 'scripts', 'licenses.mjs')], { stdio: 'inherit' })
