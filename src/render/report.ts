/** Outputs and the job summary. Only ids, names and ARNs: never the secret access key. */
import * as core from '@actions/core'
import type { Config, Destination } from '../inputs/config.js'
import type { ErrorCode } from '../errors.js'
import type { Outcome, RemovalOutcome } from '../apply/outcome.js'
import { describe as describeDestination } from '../github/destinations.js'
import type { Plan, RolePlan } from '../plan/plan.js'
import { escapeHtml } from './html.js'
import { rolePlanLines, setNoKeyOutputs, setRoleOutputs } from './role.js'
import { isRemovalPlan, removesSomething, type RemovalPlan } from '../plan/removal.js'
import {
  driftItems,
  oldKeyLine,
  planLines,
  policyLine,
  removalHeadline,
  removalLines,
  removalWarnings
} from './describe.js'
import { ActionError } from '../errors.js'
import { anyPlanChanges, planChanges } from '../plan/drift.js'
import { iamUserUrl, s3BucketUrl, secretsSettingsUrl } from './links.js'
import { ageInDays } from '../plan/keys.js'
import type { AccessKey } from '../plan/observed.js'

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
  core.setOutput('changes', String(anyPlanChanges(plan)))
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
  core.setOutput('secrets', '')
  setNoKeyOutputs()
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
  /** A removal's plan (instead of plan) and what it did. */
  removal?: { plan: RemovalPlan; outcome?: RemovalOutcome }
  error?: { code: ErrorCode; line: string; remedy?: string }
  /** The user's access keys as observed (for the key's age and due date). */
  keys?: AccessKey[]
  /** Every warning annotation of the run. */
  warnings: string[]
  /** Per phase (lookup, user, bucket, grants, key, verify, secrets) and total. */
  timingsMs: Record<string, number>
  /** When the summary is written (the new key's creation, the due date's start). */
  now?: Date
}

/** The verdict, the summary's first words: done, nothing to do, partly done or failed. */
export function verdict(input: SummaryInput): string {
  const { config, plan, outcome, error, removal } = input
  if (error)
    return error.code === 'PARTIAL_WRITE' || error.code === 'REMOVAL_INCOMPLETE'
      ? 'partly done'
      : 'failed'
  if (config?.dryRun) return 'dry run (nothing changed)'
  if (removal) return removesSomething(removal.plan) ? 'done' : 'nothing to do'
  if (!plan || (!planChanges(plan) && !outcome?.keyCreated)) return 'nothing to do'
  return 'done'
}

/** One line that says what happened (or, in a dry run, what would happen). */
export function headline(input: SummaryInput): string {
  const { config, plan, outcome, error } = input
  if (error) return `Failed (${error.code}): ${error.line}`
  if (!plan || !config) return 'Nothing was done.'
  const destinations = plan.writes.length
  const where = `${destinations} destination${destinations === 1 ? '' : 's'}`
  if (config.dryRun) {
    return planChanges(plan)
      ? 'Dry run: nothing was changed. A run without dry-run would carry out the plan below.'
      : 'Dry run: nothing was changed, and a real run would change nothing either.'
  }
  if (plan.key.action === 'not-due') return `Rotation not due: ${plan.key.reason}.`
  if (outcome?.rotated)
    return `Rotated: new key ${outcome.keyId} stored in ${where}; old key ${oldKeyLine(outcome)}.`
  if (outcome?.keyCreated) return `Created key ${outcome.keyId} and stored it in ${where}.`
  const written = secretsWritten(outcome)
  if (written.length) return `Kept key ${outcome?.keyId}; wrote ${written.join(', ')}.`
  return planChanges(plan)
    ? `Kept key ${outcome?.keyId ?? ''}; updated the user, bucket or grants as planned.`
    : 'Everything was already in place: nothing changed.'
}

export async function writeSummary(input: SummaryInput): Promise<void> {
  // Outside a runner (or a harness without file commands) there is nowhere to write to.
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written.')
    return
  }
  await core.summary.addRaw(summaryHtml(input), true).write()
}

/** The job summary: markdown-safe HTML, every link absolute, never the secret. */
export function summaryHtml(input: SummaryInput): string {
  const { config, plan, outcome, error } = input
  const html: string[] = [
    `<h2>S3 credentials: ${escapeHtml(verdict(input))}</h2>`,
    `<p><b>${escapeHtml(
      input.removal && !error
        ? removalHeadline(input.removal.plan, input.removal.outcome, config?.dryRun ?? false)
        : headline(input)
    )}</b></p>`
  ]
  if (error?.remedy) html.push(`<p>What to do: ${escapeHtml(error.remedy)}</p>`)
  if (input.removal)
    html.push(
      `<h3>${config?.dryRun ? 'Removal plan' : 'Removal plan carried out'}</h3>`,
      list(removalLines(input.removal.plan).map(escapeHtml))
    )
  if (plan && config) {
    const made = (create: boolean) => (create ? 'new' : 'existing')
    html.push(
      '<h3>Resources</h3>',
      table(
        ['Resource', 'Value'],
        [
          [
            'IAM user',
            `${link(iamUserUrl(plan.partition, plan.userName), plan.userArn)} (${made(plan.user.action === 'create')})`
          ],
          [
            'Bucket',
            `${link(s3BucketUrl(plan.partition, plan.bucketName, plan.region), plan.bucketName)} in ${escapeHtml(plan.region)} (${made(plan.bucket.action === 'create')})`
          ],
          ['Policy', escapeHtml(policyLine(config))],
          ['Access key', escapeHtml(keyCell(plan, outcome, config, input))],
          ['Old key', escapeHtml(oldKeyCell(plan, outcome, config.dryRun))]
        ]
      ),
      `<h3>${config.dryRun ? 'Plan' : 'Plan carried out'}</h3>`,
      list(planLines(plan, config).map(escapeHtml)),
      '<h3>Destinations</h3>',
      destinationsTable(config, plan, outcome)
    )
    if (!error && !config.dryRun && outcome?.keyCreated && !outcome.rotated)
      html.push(
        '<h3>Next: use the secrets in a job</h3>',
        `<pre lang="yaml"><code>${escapeHtml(useSnippet(config))}</code></pre>`
      )
  }
  if (input.warnings.length) html.push('<h3>Warnings</h3>', list(input.warnings.map(escapeHtml)))
  const timings = Object.entries(input.timingsMs)
  if (timings.length)
    html.push(
      '<details><summary>Timings</summary>',
      table(
        ['Phase', 'Milliseconds'],
        timings.map(([phase, ms]) => [escapeHtml(phase), String(ms)])
      ),
      '</details>'
    )
  return html.join('\n')
}

function destinationsTable(config: Config, plan: Plan, outcome: Outcome | undefined): string {
  const where = (d: Destination) =>
    link(secretsSettingsUrl(config.run.serverUrl, d, config.secretStore), describeDestination(d))
  if (outcome)
    return table(
      ['Destination', 'Written', 'Failed'],
      outcome.writes.map(w => [
        where(w.destination),
        escapeHtml(w.written.join(', ') || (w.failed.length > 0 ? 'nothing' : '(nothing needed)')),
        escapeHtml(w.failed.map(f => f.name).join(', ') || '-')
      ])
    )
  return table(
    ['Destination', config.dryRun ? 'Would write' : 'Planned, not written'],
    plan.writes.map(w => [
      where(w.destination),
      escapeHtml(
        [
          ...w.secrets.map(f => config.names[f]),
          ...w.variables.map(v => `${config.names[v.field]} (variable)`)
        ].join(', ') || '(nothing needed)'
      )
    ])
  )
}

/** How a job's step reads what the action stored (as the README's examples/use.yml does). */
export function useSnippet(config: Config): string {
  const n = config.names
  const store = config.regionAndBucketAs === 'variables' ? 'vars' : 'secrets'
  return [
    '- name: Upload to the bucket',
    '  env:',
    `    AWS_ACCESS_KEY_ID: \${{ secrets.${n.accessKeyId} }}`,
    `    AWS_SECRET_ACCESS_KEY: \${{ secrets.${n.secretAccessKey} }}`,
    `    AWS_REGION: \${{ ${store}.${n.region} }}`,
    `    BUCKET: \${{ ${store}.${n.bucket} }}`,
    '  run: aws s3 sync dist/ "s3://$BUCKET/"'
  ].join('\n')
}

/** An anchor where there is an address, the plain text where there is none. Both escaped. */
function link(url: string | undefined, text: string): string {
  return url ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>` : escapeHtml(text)
}

/** A table of cells that are HTML already (escaped by the caller). */
function table(headers: string[], rows: string[][]): string {
  const row = (cells: string[], tag: 'th' | 'td') =>
    `<tr>${cells.map(c => `<${tag}>${c}</${tag}>`).join('')}</tr>`
  return `<table>${row(headers.map(escapeHtml), 'th')}${rows.map(r => row(r, 'td')).join('')}</table>`
}

function list(items: string[]): string {
  return `<ul>${items.map(i => `<li>${i}</li>`).join('')}</ul>`
}

function keyCell(
  plan: Plan,
  outcome: Outcome | undefined,
  config: Config,
  input: SummaryInput
): string {
  const key = plan.key
  const now = input.now ?? new Date()
  if (outcome?.keyId)
    return `${outcome.keyId} (${outcome.keyCreated ? 'new' : 'kept'})${keyAge(
      outcome.keyCreated ? now : input.keys?.find(k => k.id === outcome.keyId)?.createdAt,
      config,
      now
    )}`
  if (key.action !== 'create')
    return `${key.keyId} (kept)${keyAge(input.keys?.find(k => k.id === key.keyId)?.createdAt, config, now)}`
  return config.dryRun ? 'a new key would be created' : 'none (no key was created)'
}

/** ", created 2025-06-01 (14 days old), rotation due 2025-08-30" where the dates are known. */
function keyAge(createdAt: Date | undefined, config: Config, now: Date): string {
  if (!createdAt) return ''
  const days = ageInDays({ id: '', status: 'Active', createdAt }, now)
  const due =
    config.rotate && config.maxKeyAgeDays !== undefined
      ? `, rotation due ${day(new Date(createdAt.getTime() + config.maxKeyAgeDays * DAY_MS))}`
      : ''
  return `, created ${day(createdAt)} (${days} day${days === 1 ? '' : 's'} old)${due}`
}

const DAY_MS = 24 * 60 * 60 * 1000
const day = (d: Date) => d.toISOString().slice(0, 10)

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

/** The failed drift check (fail-on-changes): one line naming what drifted. */
export function driftError(plan: Plan | RolePlan | RemovalPlan, config: Config): ActionError {
  // A role's or a removal's changes are its plan's lines that change something.
  const items =
    'key' in plan
      ? driftItems(plan)
      : (plan.kind === 'role' ? rolePlanLines(plan, config) : removalLines(plan)).filter(
          line => !/^(Reuse|Keep|Leave|No IAM user)/.test(line)
        )
  return new ActionError(
    'DRIFT_DETECTED',
    `Drift found: ${items.join('; ')}; nothing was changed (dry run)`,
    'run without dry-run to put it back, or look at who changed it (CloudTrail).'
  )
}
