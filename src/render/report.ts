/** Outputs and the job summary. Only ids, names and ARNs: never the secret access key. */
import * as core from '@actions/core'
import type { Config } from '../inputs/config.js'
import type { ErrorCode } from '../errors.js'
import type { Outcome, RemovalOutcome } from '../apply/outcome.js'
import { describe as describeDestination } from '../github/destinations.js'
import type { Plan, RolePlan } from '../plan/plan.js'
import { escapeHtml } from './html.js'
import { rolePlanLines, setRoleOutputs } from './role.js'
import { isRemovalPlan, type RemovalPlan } from '../plan/removal.js'
import {
  oldKeyLine,
  planLines,
  policyLine,
  removalHeadline,
  removalLines,
  removalWarnings
} from './describe.js'

export { escapeHtml } from './html.js'

/** A key's or a role's setup plan, or a removal plan, with what carrying it out did. */
export type AnyPlan = Plan | RolePlan | RemovalPlan
export type AnyOutcome = Outcome | RemovalOutcome

/** The plan's lines, as the log and the dry run show them. */
export function anyPlanLines(plan: AnyPlan, config: Config): string[] {
  if (isRemovalPlan(plan)) return removalLines(plan)
  return plan.kind === 'role' ? rolePlanLines(plan, config) : planLines(plan, config)
}

/** The plan's warnings, beyond those of the inputs. */
export function anyPlanWarnings(plan: AnyPlan): string[] {
  return isRemovalPlan(plan) ? removalWarnings(plan) : plan.warnings
}

export function setOutputs(plan: AnyPlan, outcome: AnyOutcome | undefined): void {
  if (isRemovalPlan(plan)) return setRemovalOutputs(plan, outcome as RemovalOutcome | undefined)
  core.setOutput('removed', 'false')
  if (plan.kind === 'role') return setRoleOutputs(plan, outcome as Outcome | undefined)
  core.setOutput('role-arn', '')
  setSetupOutputs(plan, outcome as Outcome | undefined)
}

/** A removal makes no key: the names it took down are the user's and the bucket's. */
function setRemovalOutputs(plan: RemovalPlan, outcome: RemovalOutcome | undefined): void {
  core.setOutput('user-arn', plan.userArn)
  core.setOutput('bucket-name', plan.bucketName)
  core.setOutput('bucket-arn', plan.bucketArn)
  core.setOutput('access-key-id', '')
  core.setOutput('old-access-key-id', '')
  core.setOutput('secrets', '')
  core.setOutput('key-created', 'false')
  core.setOutput('rotated', 'false')
  const removed =
    outcome !== undefined &&
    (outcome.userDeleted ||
      outcome.roleDeleted === true ||
      outcome.keysDeleted.length + outcome.policiesRemoved.length > 0 ||
      outcome.bucket === 'deleted' ||
      outcome.destinations.some(d => d.removed.length > 0))
  core.setOutput('removed', String(removed))
}

function setSetupOutputs(plan: Plan, outcome: Outcome | undefined): void {
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
  core.setOutput('secrets', secretsWritten(outcome).join(','))
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
  /** A removal's plan (instead of plan) and what it did. */
  removal?: { plan: RemovalPlan; outcome?: RemovalOutcome }
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
  const removal = input.removal
  const line =
    removal && !input.error
      ? removalHeadline(removal.plan, removal.outcome, config?.dryRun ?? false)
      : headline(input)
  s.addRaw(`<p><b>${escapeHtml(line)}</b></p>`, true)
  if (removal) {
    s.addHeading(config?.dryRun ? 'Removal plan' : 'Removal plan carried out', 3)
    s.addList(removalLines(removal.plan).map(escapeHtml))
  }

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
  return dryRun ? `${replaces.keyId} would be ${verb}` : `${replaces.keyId} (unchanged)`
}
