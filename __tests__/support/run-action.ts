// Runs the bundled action (dist/index.js) the way the GitHub runner does: Node 24, inputs as
// INPUT_* variables (with action.yml's defaults), file commands, and secret masking of the log.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The Node 24 binary of the `node` devDependency: what `runs.using: node24` means. */
export const NODE24 = join(REPO_ROOT, 'node_modules', '.bin', 'node')
const COVERAGE_HOOK = join(REPO_ROOT, '__tests__', 'support', 'coverage-hook.mjs')
export const ACTION_ENTRY = join(REPO_ROOT, 'dist', 'index.js')
const RUNS_DIR = join(REPO_ROOT, '.tmp', 'runs')
const COMPILE_CACHE = join(REPO_ROOT, '.tmp', 'node-compile-cache')
/** Nothing listens there: a test that forgets to point the action somewhere fails fast. */
const NOWHERE = 'http://127.0.0.1:9'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** stdout+stderr as the runner shows it: ::add-mask:: lines removed, masked values as ***. */
  log: string
  /** Values registered with ::add-mask::, in order. */
  masked: string[]
  outputs: Record<string, string>
  summary: string
  durationMs: number
  /** Date.now() just before the child was spawned (comparable with the servers' `at` times). */
  startedAt: number
  /** This run's directory (RUNNER_TEMP, GITHUB_WORKSPACE, file commands), kept for an hour. */
  tempDir: string
}

export interface RunOptions {
  inputs: Record<string, string>
  env?: Record<string, string>
  timeoutMs?: number
  cwd?: string
  /** Script to run instead of dist/index.js (for tests of this harness). */
  entry?: string
}

export interface ActionInput {
  name: string
  default?: string
  required?: boolean
  description: string
}

export interface ActionOutput {
  name: string
  description: string
}

interface ActionYml {
  inputs?: Record<string, { description: string; required?: boolean; default?: unknown }>
  outputs?: Record<string, { description: string }>
}

let actionYml: ActionYml | undefined
function readActionYml(): ActionYml {
  return (actionYml ??= parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml)
}

/** The inputs declared in action.yml, in order. */
export function actionInputs(): ActionInput[] {
  return Object.entries(readActionYml().inputs ?? {}).map(([name, spec]) => ({
    name,
    description: spec.description,
    ...(spec.required === undefined ? {} : { required: spec.required }),
    ...(spec.default === undefined ? {} : { default: String(spec.default) })
  }))
}

/** The outputs declared in action.yml, in order. */
export function actionOutputs(): ActionOutput[] {
  return Object.entries(readActionYml().outputs ?? {}).map(([name, spec]) => ({
    name,
    description: spec.description
  }))
}

/** The variable @actions/core's getInput reads: spaces become '_', hyphens stay. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export async function runAction(opts: RunOptions): Promise<RunResult> {
  mkdirSync(RUNS_DIR, { recursive: true })
  const tempDir = mkdtempSync(join(RUNS_DIR, 'run-'))
  const runnerTemp = join(tempDir, 'runner-temp')
  const workspace = join(tempDir, 'workspace')
  mkdirSync(runnerTemp)
  mkdirSync(workspace)
  const files = {
    GITHUB_OUTPUT: join(tempDir, 'output'),
    GITHUB_STEP_SUMMARY: join(tempDir, 'step-summary'),
    GITHUB_ENV: join(tempDir, 'env'),
    GITHUB_STATE: join(tempDir, 'state'),
    GITHUB_PATH: join(tempDir, 'path')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tempDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: NOWHERE,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    // Never reach real AWS with whatever the machine has configured.
    AWS_ENDPOINT_URL: NOWHERE,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    // V8's code cache for the bundle, shared by every run: the same code, compiled once (about
    // 70 ms of CPU a run saved, over hundreds of runs on two cores). A runner starts cold; the
    // bench measures that start with its own processes.
    NODE_COMPILE_CACHE: COMPILE_CACHE,
    // The test command's coverage of src/ through the bundle's source map, when it asks for it
    // (recorded by COVERAGE_HOOK). A variable of its own: NODE_V8_COVERAGE on jest would also
    // record jest's workers.
    ...(process.env.ACTION_COVERAGE_DIR
      ? { ACTION_COVERAGE_DIR: process.env.ACTION_COVERAGE_DIR }
      : {}),
    ...opts.env,
    ...files
  }
  env.GITHUB_REPOSITORY_OWNER ??= env.GITHUB_REPOSITORY?.split('/')[0] ?? ''
  // The runner sets every declared input that has a default, then those given in `with:`.
  for (const input of actionInputs()) {
    if (input.default !== undefined) {
      env[inputVariable(input.name)] = expandExpression(input.default, env)
    }
  }
  for (const [name, value] of Object.entries(opts.inputs)) env[inputVariable(name)] = value

  const startedAt = Date.now()
  const started = performance.now()
  const { code, chunks } = await runChild(
    opts.entry ?? ACTION_ENTRY,
    env,
    opts.cwd ?? workspace,
    opts.timeoutMs ?? 90_000
  )
  const durationMs = Math.round(performance.now() - started)

  const stdout = chunks
    .filter(c => c.stream === 'stdout')
    .map(c => c.text)
    .join('')
  const stderr = chunks
    .filter(c => c.stream === 'stderr')
    .map(c => c.text)
    .join('')
  const { log, masked } = showLog(chunks)
  return {
    code,
    stdout,
    stderr,
    log,
    masked,
    outputs: parseFileCommand(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    durationMs,
    startedAt,
    tempDir
  }
}

interface Chunk {
  stream: 'stdout' | 'stderr'
  text: string
}

function runChild(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number
): Promise<{ code: number; chunks: Chunk[] }> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`)
  return new Promise((resolve, reject) => {
    const preload = env.ACTION_COVERAGE_DIR ? ['--import', COVERAGE_HOOK] : []
    const child = spawn(NODE24, [...preload, entry], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    // Arrival order approximates the order the runner sees (it reads both pipes as they come).
    const chunks: Chunk[] = []
    child.stdout
      .setEncoding('utf8')
      .on('data', (text: string) => chunks.push({ stream: 'stdout', text }))
    child.stderr
      .setEncoding('utf8')
      .on('data', (text: string) => chunks.push({ stream: 'stderr', text }))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      const { log } = showLog(chunks)
      reject(new Error(`the action ran longer than ${timeoutMs} ms; its log so far:\n${log}`))
    }, timeoutMs)
    child.once('error', err => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : 1), chunks })
    })
  })
}

const ADD_MASK = /^::add-mask::(.*)$/i

/** Replays the output through the runner's masking: a value is masked from its ::add-mask:: on. */
function showLog(chunks: Chunk[]): { log: string; masked: string[] } {
  const lines: string[] = []
  const partial = { stdout: '', stderr: '' }
  for (const { stream, text } of chunks) {
    const parts = (partial[stream] + text).split(/\r?\n/)
    partial[stream] = parts.pop() ?? ''
    lines.push(...parts)
  }
  for (const rest of [partial.stdout, partial.stderr]) if (rest) lines.push(rest)

  const masked: string[] = []
  let longestFirst: string[] = []
  const shown: string[] = []
  for (const line of lines) {
    const mask = ADD_MASK.exec(line)
    if (mask) {
      const value = unescapeCommandData(mask[1] ?? '')
      if (value.trim() && !masked.includes(value)) {
        masked.push(value)
        longestFirst = [...masked].sort((a, b) => b.length - a.length)
      }
      continue
    }
    shown.push(longestFirst.reduce((text, value) => text.split(value).join('***'), line))
  }
  return { log: shown.join('\n'), masked }
}

function unescapeCommandData(data: string): string {
  return data.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

/** Parses a GITHUB_OUTPUT-style file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name = '', delimiter] = heredoc
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '')
      if (i >= lines.length) throw new Error(`file command: ${name}<<${delimiter} is never closed`)
      result[name] = value.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq <= 0) throw new Error(`file command: malformed line ${JSON.stringify(line)}`)
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

/** Expands the `${{ github.x }}`, `${{ env.X }}` and `${{ runner.x }}` defaults of action.yml. */
function expandExpression(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
    const match = /^(github|runner|env)\.(\w+)$/.exec(expression)
    if (!match) throw new Error(`action.yml: cannot expand \${{ ${expression} }} in a default`)
    const [, context, key = ''] = match
    const variable =
      context === 'env'
        ? key
        : key === 'token'
          ? 'GITHUB_TOKEN'
          : `${context === 'github' ? 'GITHUB' : 'RUNNER'}_${key.toUpperCase()}`
    return env[variable] ?? ''
  })
}

/**
 * Throws if any secret is visible where a user could read it: the shown log, the outputs, the
 * step summary, or the given files. The error names the place but never prints the secret.
 */
export function assertNoSecretLeak(
  result: RunResult,
  secrets: string[],
  extraFiles: string[] = []
): void {
  const places: [string, string][] = [
    ['the log', result.log],
    ['the step summary', result.summary],
    ...Object.entries(result.outputs).map(([name, value]): [string, string] => [
      `output ${name}`,
      value
    ]),
    ...extraFiles.map((file): [string, string] => [file, readFileSync(file, 'utf8')])
  ]
  const leaks: string[] = []
  secrets.forEach((secret, index) => {
    if (!secret) throw new Error(`assertNoSecretLeak: secret #${index} is empty`)
    for (const [place, text] of places) {
      if (!text.includes(secret)) continue
      const line = text.split('\n').find(l => l.includes(secret)) ?? ''
      leaks.push(
        `secret #${index} appears in ${place}: ${line.split(secret).join(`<secret #${index}>`)}`
      )
    }
  })
  if (leaks.length) throw new Error(`secret leak:\n${leaks.join('\n')}`)
}
