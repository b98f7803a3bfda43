// Runs once before all tests (scripts/test.sh has already run scripts/setup.sh): checks the tools
// the tests need and builds dist/ when it is missing. Imports only node: builtins on purpose.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

export default function globalSetup(globalConfig: { rootDir: string }): void {
  const root = globalConfig.rootDir
  const fix = 'run bash scripts/setup.sh (or npm test, which runs it)'
  if (!existsSync(join(root, '.venv', 'bin', 'moto_server'))) {
    throw new Error(`.venv/bin/moto_server is missing: ${fix}`)
  }
  const node = join(root, 'node_modules', '.bin', 'node')
  let version = 'missing'
  try {
    version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    // reported below
  }
  if (!version.startsWith('v24.')) {
    throw new Error(`node_modules/.bin/node is ${version}, the action needs Node 24: ${fix}`)
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.log('global-setup: dist/index.js is missing, running npm run build')
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  }
  // Files of earlier runs (moto logs, run-action.ts's run directories), kept for inspection. Only
  // old ones go: another jest process may be using this checkout right now.
  for (const dir of [join(root, '.tmp', 'runs'), join(root, '.tmp', 'moto')]) {
    for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
      const path = join(dir, entry)
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 60 * 60 * 1000) rmSync(path, { recursive: true, force: true })
    }
  }
}
