/** Role mode's sentences: the plan's lines, the outputs and the job summary (nothing is secret). */
import * as core from '@actions/core'
import type { Config } from '../inputs/config.js'
import type { Outcome } from '../apply/outcome.js'
import { describe as describeDestination } from '../github/destinations.js'
import type { RolePlan } from '../plan/plan.js'
import { bucketLine, grantLines, policyLine } from './describe.js'
import { escapeHtml } from './html.js'

/** What the role's summary needs beyond the plan (report.ts's SummaryInput, in part). */
interface RoleSummaryInput {
  outcome?: Outcome
  error?: { code: string; line: string }
  warnings: string[]
  timingsMs: Record<string, number>
}

export function rolePlanLines(plan: RolePlan, config: Config): string[] {
  const role = plan.role
  const trusted = `trusted for ${plan.subjects.join(', ')}`
  const lines = [
    role.action === 'create'
      ? `Create IAM role ${plan.roleName} (path ${role.path}${role.permissionsBoundary ? `, boundary ${role.permissionsBoundary}` : ''}), ${trusted}.`
      : `Reuse IAM role ${plan.roleName}${role.tagsToAdd.length ? `; add tags ${role.tagsToAdd.map(t => t.key).join(', ')}` : ''}${role.setPermissionsBoundary ? `; set boundary ${role.setPermissionsBoundary}` : ''}${role.trustPolicy ? `; change its trust: ${trusted}` : `; its trust is in place (${plan.subjects.join(', ')})`}.`,
    bucketLine(plan),
    ...grantLines(plan.grants, config)
  ]
  for (const w of plan.writes) {
    const names = [
      ...w.secrets.map(f => config.names[f]),
      ...w.variables.map(v => `${config.names[v.field]} (variable)`)
    ]
    lines.push(
      names.length
        ? `Write to ${describeDestination(w.destination)}: ${names.join(', ')}.`
        : `Leave ${describeDestination(w.destination)} as it is: it holds the role.`
    )
  }
  for (const w of plan.writes)
    if (w.deletions?.length)
      lines.push(
        `Then delete ${w.deletions.map(d => config.names[d.field]).join(', ')} from ${describeDestination(w.destination)}: the role replaces the key.`
      )
  const retire = plan.retireKeys
  if (retire)
    lines.push(
      `Then ${retire.disposal} access key ${retire.keyIds.join(', ')} of user ${retire.userName}: nothing refers to it any more.`
    )
  return lines
}

/** The key outputs of a run that makes no key (role mode, a removal): empty, and false. */
export function setNoKeyOutputs(): void {
  core.setOutput('access-key-id', '')
  core.setOutput('old-access-key-id', '')
  core.setOutput('key-created', 'false')
  core.setOutput('rotated', 'false')
}

export function setRoleOutputs(plan: RolePlan, outcome: Outcome | undefined): void {
  core.setOutput('role-arn', plan.roleArn)
  core.setOutput('user-arn', '')
  core.setOutput('bucket-name', plan.bucketName)
  core.setOutput('bucket-arn', plan.bucketArn)
  setNoKeyOutputs()
  const written = (outcome?.writes ?? []).flatMap(w => w.written)
  core.setOutput('secrets', [...new Set(written)].join(','))
}

/** One line that says what happened (or, in a dry run, would). */
export function roleHeadline(
  plan: RolePlan,
  outcome: Outcome | undefined,
  dryRun: boolean
): string {
  const changes =
    plan.role.action === 'create' ||
    plan.role.trustPolicy !== undefined ||
    plan.writes.some(w => w.secrets.length + w.variables.length + (w.deletions?.length ?? 0) > 0) ||
    plan.retireKeys !== undefined
  if (dryRun)
    return changes
      ? 'Dry run: nothing was changed. A run without dry-run would carry out the plan below.'
      : 'Dry run: nothing was changed, and a real run would change nothing either.'
  if (plan.role.action === 'create') return `Created role ${plan.roleArn} and stored its ARN.`
  if (outcome?.removedKeys.length)
    return `Switched to role ${plan.roleArn}; access key ${outcome.removedKeys.join(', ')} ${outcome.oldKeyResult}.`
  return changes
    ? `Updated role ${plan.roleArn} as planned.`
    : 'Everything was already in place: nothing changed.'
}

export async function writeRoleSummary(
  plan: RolePlan,
  config: Config,
  input: RoleSummaryInput
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const s = core.summary
  s.addHeading(config.dryRun ? 'S3 credentials: dry run (nothing changed)' : 'S3 credentials', 2)
  const line = input.error
    ? `Failed (${input.error.code}): ${input.error.line}`
    : roleHeadline(plan, input.outcome, config.dryRun)
  s.addRaw(`<p><b>${escapeHtml(line)}</b></p>`, true)
  s.addHeading('Resources', 3)
  s.addTable([
    [
      { data: 'Resource', header: true },
      { data: 'Value', header: true }
    ],
    ...[
      ['IAM role', `${plan.roleArn} (${plan.role.action === 'create' ? 'new' : 'existing'})`],
      ['Trusted subjects', plan.subjects.join(', ')],
      ['Bucket', `${plan.bucketName} in ${plan.region}`],
      ['Policy', policyLine(config)]
    ].map(row => row.map(escapeHtml))
  ])
  s.addHeading(config.dryRun ? 'Plan' : 'Plan carried out', 3)
  s.addList(rolePlanLines(plan, config).map(escapeHtml))
  s.addHeading('How a job uses the role', 3)
  s.addCodeBlock(roleUsage(config), 'yaml')
  if (input.warnings.length) {
    s.addHeading('Warnings', 3)
    s.addList(input.warnings.map(escapeHtml))
  }
  await s.write()
}

/** The job that assumes the role: what the README shows too. */
export function roleUsage(config: Config): string {
  const v = (field: 'roleArn' | 'region' | 'bucket') =>
    `\${{ ${config.regionAndBucketAs === 'variables' ? 'vars' : 'secrets'}.${config.names[field]} }}`
  return [
    'permissions:',
    '  id-token: write # the OIDC token the role trusts',
    '  contents: read',
    'steps:',
    '  - uses: aws-actions/configure-aws-credentials@v4',
    '    with:',
    `      role-to-assume: ${v('roleArn')}`,
    `      aws-region: ${v('region')}`,
    `  - run: aws s3 ls "s3://${v('bucket')}"`
  ].join('\n')
}
