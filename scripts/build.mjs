// npm run build: ncc bundles src/index.ts (with source maps) into .tmp/build/, then dist/ is made
// to match it: new and changed files copied (the entry last), files of an earlier build removed,
// and dist/licenses.txt written from every chunk (scripts/licenses.mjs). Building aside keeps
// dist/ whole while ncc runs, for tests and runs that read it meanwhile, and leaves no stale chunk.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const out = join(root, '.tmp', 'build')
const dist = join(root, 'dist')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [ncc, 'build', 'src/index.ts', '-o', out, '--source-map'], {
  cwd: root,
  stdio: 'inherit'
})
mkdirSync(dist, { recursive: true })
const built = readdirSync(out).sort((a, b) => Number(a === 'index.js') - Number(b === 'index.js'))
for (const file of built) {
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
  if (!built.includes(file) && file !== 'licenses.txt') rmSync(join(dist, file))
execFileSync(process.execPath, [join(root, 'scripts', 'licenses.mjs')], { stdio: 'inherit' })
