/** Outputs and the job summary. Only ids, names and ARNs: never the secret access key. */
import * as core from '@actions/core'
import type { Config } from '../config.js'
import type { Outcome } from '../execute.js'
import { describe as describeDestination } from '../github/destinations.js'
import type { Plan } from '../plan.js'
import { oldKeyLine, planLines } from './describe.js'

export function setOutputs(plan: Plan, outcome: Outcome | undefined): void {
  core.setOutput('user-arn', plan.userArn)
  core.setOutput('bucket-name', plan.bucketName)
  core.setOutput('bucket-arn', plan.bucketArn)
  core.setOutput(
    'access-key-id',
    outcome?.keyId ?? (plan.key.action === 'create' ? '' : plan.key.keyId)
  )
  core.setOutput('key-created', String(outcome?.keyCreated ?? false))
  core.setOutput('rotated', String(outcome?.rotated ?? false))
  core.setOutput('old-access-key-id', outcome?.oldKeyId ?? '')
  core.setOutput(
    'secrets',
    (outcome?.writes ?? [])
      .flatMap(w => w.written)
      .filter(unique)
      .join(',')
  )
}

const unique = (v: string, i: number, all: string[]) => all.indexOf(v) === i

export async function writeSummary(opts: {
  config: Config
  plan: Plan
  outcome?: Outcome
  error?: string
  totalMs: number
}): Promise<void> {
  const { config, plan, outcome } = opts
  const s = core.summary
  s.addHeading(
    config.dryRun ? 'S3 credentials: plan (dry run, nothing changed)' : 'S3 credentials',
    2
  )
  if (opts.error) s.addRaw(`<p><b>Failed:</b> ${escapeHtml(opts.error)}</p>`, true)
  s.addTable([
    [
      { data: 'Resource', header: true },
      { data: 'Value', header: true }
    ],
    ['IAM user', plan.userArn],
    ['Bucket', `${plan.bucketName} (${plan.region})`],
    ['Policy', config.policy.kind === 'managed' ? config.policy.arn : config.policy.kind],
    ['Access key id', outcome?.keyId ?? (plan.key.action === 'create' ? '(new)' : plan.key.keyId)],
    ['Key created', String(outcome?.keyCreated ?? false)],
    ['Old key', outcome ? oldKeyLine(outcome) : 'none replaced']
  ])
  s.addHeading('Plan', 3)
  s.addList(planLines(plan, config).map(escapeHtml))
  if (outcome) {
    s.addHeading('Destinations', 3)
    s.addTable([
      [
        { data: 'Destination', header: true },
        { data: 'Written', header: true },
        { data: 'Failed', header: true }
      ],
      ...outcome.writes.map(w => [
        describeDestination(w.destination),
        w.written.join(', ') || '(nothing needed)',
        w.failed.map(f => f.name).join(', ') || '-'
      ])
    ])
    const timings = Object.entries(outcome.timingsMs).map(([k, v]) => `${k} ${v} ms`)
    s.addRaw(
      `<p>Timings: ${escapeHtml([...timings, `total ${opts.totalMs} ms`].join(', '))}</p>`,
      true
    )
  }
  if (plan.warnings.length) {
    s.addHeading('Warnings', 3)
    s.addList(plan.warnings.map(escapeHtml))
  }
  await s.write()
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!
  )
}
