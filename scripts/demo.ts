/**
 * `npm run demo` (through scripts/demo.sh): the bundled action, run as a runner runs it, against
 * moto (IAM enforced) and the GitHub stand-in of the tests. A dry run, a setup, a re-run and a
 * rotation; after each, its log and its job summary as text. At the end, the secrets the
 * repository holds are decrypted (by the stand-in, which keeps the private key) and the pair is
 * shown to work with STS GetCallerIdentity. The secret access key is never printed.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { REPO_ROOT, type RunResult } from '../__tests__/support/run-action.js'
import { closeWorld, openWorld, REGION, REPO, type World } from '../__tests__/support/world.js'

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text)

/** The log as the runner shows it: groups as headers, debug lines hidden, annotations marked. */
function showLog(log: string): string {
  return log
    .split('\n')
    .filter(line => !line.startsWith('::debug::') && line !== '::endgroup::')
    .map(line =>
      line.startsWith('::group::')
        ? `  ▸ ${line.slice('::group::'.length)}`
        : line.replace(/^::(warning|error)::/, (_, kind: string) => `    ${kind.toUpperCase()}: `)
    )
    .map(line => (line.startsWith('  ▸') || line.startsWith('    ') ? line : `    ${line}`))
    .join('\n')
}

/** The job summary (HTML) as plain text: headings, paragraphs, lists and table rows. */
function summaryText(html: string): string {
  const decode = (text: string) =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
  return decode(
    html
      .replace(/<h2>(.*?)<\/h2>/g, (_, t: string) => `\n  ${t}\n  ${'='.repeat(t.length)}\n`)
      .replace(/<h3>(.*?)<\/h3>/g, (_, t: string) => `\n  ${t}\n  ${'-'.repeat(t.length)}\n`)
      .replace(/<tr>(.*?)<\/tr>/g, (_, row: string) => {
        const cells = [...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map(m => m[1])
        return `  ${cells.join('  |  ')}\n`
      })
      .replace(/<li>(.*?)<\/li>/g, '  - $1\n')
      .replace(/<p>(.*?)<\/p>/g, '  $1\n')
      .replace(/<[^>]+>/g, '')
  )
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()
}

const SUMMARIES = join(REPO_ROOT, '.tmp', 'summaries')

function show(title: string, r: RunResult, w: World): void {
  console.log(`\n${bold(`━━━ ${title} ━━━`)}  (exit code ${r.code}, ${r.durationMs} ms)`)
  console.log(dim('Log:'))
  console.log(showLog(r.log))
  console.log(dim('\nJob summary:'))
  console.log(summaryText(r.summary))
  const mutating = w.aws.actions({ mutating: true })
  console.log(
    dim(
      `\nAWS calls that changed something: ${mutating.length ? mutating.join(', ') : 'none'}; GitHub writes so far: ${w.github.writeCount()}`
    )
  )
  console.log(dim(`Files of this run (outputs, summary): ${r.tempDir}`))
  // Kept where scripts/render-summaries.sh renders them to docs/summaries/*.png.
  mkdirSync(SUMMARIES, { recursive: true })
  const name = title
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-+$/, '')
    .toLowerCase()
  copyFileSync(join(r.tempDir, 'step-summary'), join(SUMMARIES, `${name}.html`))
  if (r.code !== 0) throw new Error(`${title} failed: see its log above`)
}

async function callerOf(pair: { accessKeyId: string; secretAccessKey: string }, w: World) {
  const sts = new STSClient({
    endpoint: w.moto.endpoint,
    region: REGION,
    credentials: pair,
    maxAttempts: 1
  })
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '?'
  } catch (e) {
    return `refused (${(e as Error).name})`
  } finally {
    sts.destroy()
  }
}

async function main(): Promise<void> {
  console.log(bold('Starting moto (AWS, IAM enforced) and the GitHub API stand-in…'))
  const w = await openWorld({ auth: true })
  console.log(`  moto: ${w.moto.endpoint}   GitHub: ${w.github.url}   repository: ${REPO}`)
  console.log('  The action runs as dist/index.js on Node 24, inputs as INPUT_* variables.')

  w.aws.reset()
  show(
    '1. Dry run (dry-run: true): look, plan, change nothing',
    await w.run({ 'dry-run': 'true' }),
    w
  )

  w.aws.reset()
  show('2. Setup: user, bucket, key, four secrets', await w.run({ tags: 'team=platform' }), w)
  const first = w.storedPair()!

  w.aws.reset()
  show('3. Re-run with the same inputs: nothing to do', await w.run({ tags: 'team=platform' }), w)

  w.aws.reset()
  show(
    '4. Rotation (rotate: true, old-key: delete, old-key-grace-hours: 6): the old key stays active for jobs in flight',
    await w.run({
      rotate: 'true',
      'current-access-key-id': first.accessKeyId,
      'old-key-grace-hours': '6'
    }),
    w
  )

  w.aws.reset()
  show(
    '5. Drift check (dry-run: true, fail-on-changes: true): nothing drifted',
    await w.run({ 'dry-run': 'true', 'fail-on-changes': 'true', tags: 'team=platform' }),
    w
  )

  console.log(`\n${bold('━━━ What the repository holds now ━━━')}`)
  console.log(`  Secrets of ${REPO}: ${w.github.secretNames({ repo: REPO }).join(', ')}`)
  const pair = w.storedPair()!
  console.log('  Decrypted by the stand-in (it holds the private key of the repository):')
  console.log(`    AWS_ACCESS_KEY_ID      ${pair.accessKeyId}`)
  console.log(`    AWS_SECRET_ACCESS_KEY  (${pair.secretAccessKey.length} characters, not shown)`)
  console.log(`    AWS_REGION             ${w.github.secret({ repo: REPO }, 'AWS_REGION')}`)
  console.log(`    AWS_BUCKET_NAME        ${w.github.secret({ repo: REPO }, 'AWS_BUCKET_NAME')}`)
  console.log(`  STS GetCallerIdentity with the stored pair: ${await callerOf(pair, w)}`)
  console.log(
    `  The same with the key before the rotation (${first.accessKeyId}), in its grace: ${await callerOf(first, w)}`
  )

  w.aws.reset()
  show(
    '6. Removal (remove: true, remove-bucket: true): secrets, keys, user and the empty bucket',
    await w.run({ remove: 'true', 'remove-bucket': 'true' }),
    w
  )
  console.log(
    `  Secrets of ${REPO} now: ${w.github.secretNames({ repo: REPO }).join(', ') || 'none'}`
  )
}

let stopping = false
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    await closeWorld().catch(() => undefined)
  }
  // Exiting also stops moto (support/moto.ts kills it on exit; its watchdog ends it otherwise).
  process.exit(code)
}
process.once('SIGINT', () => void stop(130))
process.once('SIGTERM', () => void stop(143))

try {
  await main()
  console.log(`\n${bold('Demo finished.')} Servers stopped.`)
  await stop(0)
} catch (e) {
  console.error(`\ndemo: ${e instanceof Error ? e.message : String(e)}`)
  await stop(1)
}
