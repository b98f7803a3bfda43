/** Outputs and the job summary. Only ids, names and ARNs: never the secret access key. */
import * as core from '@actions/core'
import type { Config } from '../inputs/config.js'
import type { ErrorCode } from '../errors.js'
import type { Outcome } from '../apply/outcome.js'
import { describe as describeDestination } from '../github/destinations.js'
import type { Plan } from '../plan/plan.js'
import { oldKeyLine, planLines, policyLine } from './describe.js'

export function setOutputs(plan: Plan, outcome: Outcome | undefined): void {
  core.setOutput('user-arn', plan.userArn)
  core.setOutput('bucket-name', plan.bucketName)
  core.setOutput('bucket-arn', plan.bucketArn)
  core.setOutput(
    'access-key-id',
    outcome?.keyId ?? (plan.key.action === 'create' ? '' : plan.key.keyId)
  )
  core.setOutput('key-created', String(outcome?.keyCreated ?? false))
  core.setOutput('key-created-at', keyCreatedAt(plan, outcome))
  core.setOutput('rotated', String(outcome?.rotated ?? false))
  core.setOutput('old-access-key-id', outcome?.oldKeyId ?? '')
  core.setOutput('old-key-retire-after', outcome?.oldKeyRetireAfter?.toISOString() ?? '')
  core.setOutput('secrets', secretsWritten(outcome).join(','))
}

/** When the key the secrets hold now was made: the new key's time, or the kept key's. */
function keyCreatedAt(plan: Plan, outcome: Outcome | undefined): string {
  if (outcome?.keyCreatedAt) return outcome.keyCreatedAt.toISOString()
  const held = outcome ? outcome.keyId : plan.key.action === 'create' ? undefined : plan.key.keyId
  return held !== undefined && held === plan.keyInUse?.keyId
    ? plan.keyInUse.createdAt.toISOString()
    : ''
}

function secretsWritten(outcome: Outcome | undefined): string[] {
  return (outcome?.writes ?? []).flatMap(w => w.written).filter(unique)
}

const unique = (v: string, i: number, all: string[]) => all.indexOf(v) === i

export interface SummaryInput {
  /** Undefined when the inputs were invalid. */
  config?: Config
  /** Undefined when the run failed before planning. */
  plan?: Plan
  outcome?: Outcome
  error?: { code: ErrorCode; line: string }
  /** Every warning annotation of the run. */
  warnings: string[]
  /** Per phase (lookup, user, bucket, grants, key, verify, secrets) and total. */
  timingsMs: Record<string, number>
}

/** One line that says what happened (or, in a dry run, what would happen). */
export function headline(input: SummaryInput): string {
  const { config, plan, outcome, error } = input
  if (error) return `Failed (${error.code}): ${error.line}`
  if (!plan || !config) return 'Nothing was done.'
  const destinations = plan.writes.length
  const where = `${destinations} destination${destinations === 1 ? '' : 's'}`
  if (config.dryRun) {
    const changes = plan.key.action === 'create' || planChangesSomething(plan)
    return changes
      ? 'Dry run: nothing was changed. A run without dry-run would carry out the plan below.'
      : 'Dry run: nothing was changed, and a real run would change nothing either.'
  }
  if (plan.key.action === 'not-due') return `Rotation not due: ${plan.key.reason}.`
  if (outcome?.rotated)
    return `Rotated: new key ${outcome.keyId} stored in ${where}; old key ${oldKeyLine(outcome)}.`
  if (outcome?.keyCreated) return `Created key ${outcome.keyId} and stored it in ${where}.`
  const written = secretsWritten(outcome)
  if (written.length) return `Kept key ${outcome?.keyId}; wrote ${written.join(', ')}.`
  return planChangesSomething(plan)
    ? `Kept key ${outcome?.keyId ?? ''}; updated the user, bucket or grants as planned.`
    : 'Everything was already in place: nothing changed.'
}

function planChangesSomething(plan: Plan): boolean {
  const g = plan.grants
  return (
    plan.user.action === 'create' ||
    (plan.user.action === 'reuse' &&
      (plan.user.tagsToAdd.length > 0 || plan.user.setPermissionsBoundary !== undefined)) ||
    plan.bucket.action === 'create' ||
    (plan.oldKeyGrace !== undefined && !['wait', 'first'].includes(plan.oldKeyGrace.action)) ||
    (plan.bucket.action === 'reuse' && plan.bucket.tagsToSet !== undefined) ||
    g.putInline !== undefined ||
    g.attach.length + g.detach.length + g.deleteInline.length > 0 ||
    plan.writes.some(w => w.secrets.length + w.variables.length > 0)
  )
}

export async function writeSummary(input: SummaryInput): Promise<void> {
  // Outside a runner (or a harness without file commands) there is nowhere to write to.
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written.')
    return
  }
  const { config, plan, outcome } = input
  const s = core.summary
  s.addHeading(config?.dryRun ? 'S3 credentials: dry run (nothing changed)' : 'S3 credentials', 2)
  s.addRaw(`<p><b>${escapeHtml(headline(input))}</b></p>`, true)

  if (plan && config) {
    s.addHeading('Resources', 3)
    s.addTable([
      [header('Resource'), header('Value')],
      ...[
        ['IAM user', `${plan.userArn} (${plan.user.action === 'create' ? 'new' : 'existing'})`],
        [
          'Bucket',
          `${plan.bucketName} in ${plan.region} (${plan.bucket.action === 'create' ? 'new' : 'existing'})`
        ],
        ['Policy', policyLine(config)],
        ['Access key', keyCell(plan, outcome, config.dryRun)],
        ['Old key', oldKeyCell(plan, outcome, config.dryRun)]
      ].map(row => row.map(escapeHtml))
    ])
    s.addHeading(config.dryRun ? 'Plan' : 'Plan carried out', 3)
    s.addList(planLines(plan, config).map(escapeHtml))
    s.addHeading('Destinations', 3)
    if (outcome)
      s.addTable([
        [header('Destination'), header('Written'), header('Failed')],
        ...outcome.writes.map(w =>
          [
            describeDestination(w.destination),
            w.written.join(', ') || (w.failed.length > 0 ? 'nothing' : '(nothing needed)'),
            w.failed.map(f => f.name).join(', ') || '-'
          ].map(escapeHtml)
        )
      ])
    else
      s.addTable([
        [header('Destination'), header(config.dryRun ? 'Would write' : 'Planned, not written')],
        ...plan.writes.map(w =>
          [
            describeDestination(w.destination),
            [
              ...w.secrets.map(f => config.names[f]),
              ...w.variables.map(v => `${config.names[v.field]} (variable)`)
            ].join(', ') || '(nothing needed)'
          ].map(escapeHtml)
        )
      ])
  }
  if (input.warnings.length) {
    s.addHeading('Warnings', 3)
    s.addList(input.warnings.map(escapeHtml))
  }
  const timings = Object.entries(input.timingsMs)
  if (timings.length) {
    s.addHeading('Timings', 3)
    s.addTable([
      [header('Phase'), header('Milliseconds')],
      ...timings.map(([phase, ms]) => [escapeHtml(phase), String(ms)])
    ])
  }
  await s.write()
}

function header(data: string) {
  return { data, header: true }
}

function keyCell(plan: Plan, outcome: Outcome | undefined, dryRun: boolean): string {
  const key = plan.key
  if (outcome?.keyId) return `${outcome.keyId} (${outcome.keyCreated ? 'new' : 'kept'})`
  if (key.action !== 'create') return `${key.keyId} (kept)`
  return dryRun ? 'a new key would be created' : 'none (no key was created)'
}

function oldKeyCell(plan: Plan, outcome: Outcome | undefined, dryRun: boolean): string {
  if (outcome) return oldKeyLine(outcome)
  const replaces = plan.key.action === 'create' ? plan.key.replaces : undefined
  if (!replaces) return 'none replaced'
  const verb = { delete: 'deleted', deactivate: 'deactivated', keep: 'kept' }[replaces.disposal]
  if (!dryRun) return `${replaces.keyId} (unchanged)`
  return replaces.graceHours
    ? `${replaces.keyId} would stay active for ${replaces.graceHours} hours, then be ${verb}`
    : `${replaces.keyId} would be ${verb}`
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )
}
