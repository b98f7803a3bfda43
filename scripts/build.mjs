// npm run build: ncc bundles src/index.ts (with source maps) into .tmp/build/, then dist/ is made
// to match it: new and changed files copied (the entry last), files of an earlier build removed,
// and dist/licenses.txt written (scripts/licenses.mjs). Building aside keeps dist/ whole while ncc
// runs, for tests and runs that read it meanwhile, and leaves no stale file.
//
// dist/ is index.js, its source map, licenses.txt and sourcemap-register.cjs: ncc writes the
// source-map support (stack traces that point into src/) as a file of its own, which index.js
// imports on its first line. Nothing is loaded lazily, so there are no numbered chunks; the build
// fails if one appears.
//
// ncc's cache is off: it lives outside the checkout (~/.cache/ncc, keyed by the directory) and
// could make dist/ depend on what was built there before. The build takes no longer without it.
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
  filterAssetBase: root,
  cache: false
})
const chunks = Object.keys(built.assets).filter(name => /\.js$/.test(name))
if (chunks.length > 0)
  throw new Error(`ncc wrote chunks beside index.js (${chunks.join(', ')}): an import() is left`)
for (const [file, content] of [
  ['index.js', built.code],
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
