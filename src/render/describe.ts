/** Plain-language lines for a plan and an outcome: the log, the dry run and the summary share them. */
import type { Config } from '../inputs/config.js'
import type { GraceRetired, Outcome } from '../apply/outcome.js'
import { describe as describeDestination } from '../github/destinations.js'
import { ageInDays, type GraceKey, type OldKeyGrace } from '../plan/keys.js'
import type { KeyOrigin } from '../plan/markers.js'
import type { KeyLastUsed } from '../plan/observed.js'
import type { BucketRepair, Plan } from '../plan/plan.js'
import type { Observed } from '../plan/observed.js'

export function planLines(plan: Plan, config: Config): string[] {
  const lines: string[] = []
  lines.push(
    plan.user.action === 'create'
      ? `Create IAM user ${plan.userName} (path ${plan.user.path}${plan.user.permissionsBoundary ? `, boundary ${plan.user.permissionsBoundary}` : ''}).`
      : `Reuse IAM user ${plan.userName}${plan.user.tagsToAdd.length ? `; add tags ${plan.user.tagsToAdd.map(t => t.key).join(', ')}` : ''}${plan.user.setPermissionsBoundary ? `; set boundary ${plan.user.setPermissionsBoundary}` : ''}.`
  )
  lines.push(
    plan.bucket.action === 'create'
      ? `Create bucket ${plan.bucketName} in ${plan.region}: block public access, enforce bucket-owner object ownership, default encryption, TLS-only policy${plan.bucket.tags.length ? ', tags' : ''}.`
      : `Reuse bucket ${plan.bucketName} in ${plan.region}${plan.bucket.repair ? `; repair: ${repairText(plan.bucket.repair)}` : ''}${plan.bucket.tagsToSet ? '; update its tags' : ''}.`
  )
  const g = plan.grants
  if (g.putInline)
    lines.push(`Grant ${describePolicy(config)} (inline policy ${g.putInline.name}).`)
  for (const arn of g.attach) lines.push(`Attach managed policy ${arn}.`)
  for (const name of g.deleteInline)
    lines.push(`Remove inline policy ${name} (not part of policy '${policyName(config)}').`)
  for (const arn of g.detach)
    lines.push(`Detach managed policy ${arn} (not part of policy '${policyName(config)}').`)
  if (!g.putInline && g.attach.length + g.deleteInline.length + g.detach.length === 0)
    lines.push(`Keep the grants: ${describePolicy(config)} is in place.`)
  if (plan.oldKeyGrace) lines.push(graceLine(plan.oldKeyGrace))
  lines.push(...keyLines(plan))
  const inUse = plan.keyInUse
  if (inUse?.origin)
    lines.push(
      `Access key ${inUse.keyId} was made ${originText(inUse.origin, config.run.serverUrl)}.`
    )
  if (plan.staleMarkers.length > 0)
    lines.push(
      `Remove the marker tags ${plan.staleMarkers.join(', ')} from ${plan.userName}: no run holds them any more.`
    )
  for (const w of plan.writes) {
    const names = [
      ...w.secrets.map(f => config.names[f]),
      ...w.variables.map(v => `${config.names[v.field]} (variable)`),
      ...w.access.map(f => `${config.names[f]} (who may use it only)`)
    ]
    lines.push(
      names.length
        ? `Write to ${describeDestination(w.destination)}: ${names.join(', ')}.`
        : `Leave ${describeDestination(w.destination)} as it is: it holds what it needs.`
    )
  }
  return lines
}

function keyLines(plan: Plan): string[] {
  const key = plan.key
  if (key.action === 'reuse') return [`Keep access key ${key.keyId}: ${key.reason}.`]
  if (key.action === 'not-due') return [`Rotation not due: ${key.reason}. Nothing changes.`]
  const lines = key.removeFirst.map(r => `Delete access key ${r.keyId} first: ${r.why}.`)
  lines.push(`Create a new access key (${key.reason}) and verify it before it is stored.`)
  if (key.replaces?.graceHours)
    lines.push(
      `Then leave the old key ${key.replaces.keyId} active for ${key.replaces.graceHours} hours (old-key-grace-hours) once every destination holds the new one, so that jobs that read it before keep working; the first run after that will ${key.replaces.disposal} it.`
    )
  else if (key.replaces)
    lines.push(
      `Then ${key.replaces.disposal === 'keep' ? 'keep' : key.replaces.disposal} the old key ${key.replaces.keyId} once every destination holds the new one.`
    )
  for (const r of key.deleteAfter ?? [])
    lines.push(
      `Then delete access key ${r.keyId} (${r.why}) once every destination holds the new one.`
    )
  return lines
}

function policyName(config: Config): string {
  return config.policy.kind === 'managed' ? config.policy.arn : config.policy.kind
}

/** The policy input and what it grants, for the summary. */
export function policyLine(config: Config): string {
  return `${policyName(config)}: ${describePolicy(config)}`
}

function describePolicy(config: Config): string {
  switch (config.policy.kind) {
    case 'bucket-read-write':
      return 'read-write access to the bucket only'
    case 'bucket-read-only':
      return 'read-only access to the bucket only'
    case 's3-full-access':
      return 'AmazonS3FullAccess (every bucket of the account)'
    case 'managed':
      return `managed policy ${config.policy.arn}`
  }
}

export function oldKeyLine(outcome: Outcome): string {
  const earlier = outcome.graceRetired
  if (!outcome.oldKeyId)
    return earlier
      ? `${earlier.keyId} (replaced by an earlier rotation, past its grace): ${earlier.result === 'inactive' ? 'left inactive' : earlier.result}`
      : 'none replaced'
  switch (outcome.oldKeyResult) {
    case 'kept-active':
      return `${outcome.oldKeyId} still active (some destinations may hold it)`
    case 'in-grace':
      return `${outcome.oldKeyId} active until ${outcome.oldKeyRetireAfter?.toISOString() ?? '?'} (its grace), then retired by the next run`
    case undefined:
      return outcome.oldKeyId
    default:
      return `${outcome.oldKeyId} ${outcome.oldKeyResult}`
  }
}

/** Which run made a key, as its origin tag says, with a link to the run where it names one. */
export function originText(origin: KeyOrigin, serverUrl: string): string {
  const run = origin.runId
    ? `by run ${origin.runId}${origin.attempt ? ` (attempt ${origin.attempt})` : ''}`
    : 'outside a workflow run'
  const where = origin.repository ? ` of ${origin.repository}` : ''
  const url =
    origin.runId && origin.repository
      ? `, ${serverUrl.replace(/\/+$/, '')}/${origin.repository}/actions/runs/${origin.runId}${origin.attempt ? `/attempts/${origin.attempt}` : ''}`
      : ''
  return `${run}${where} at ${origin.createdAt.toISOString()}${url}`
}

/** When, by what and where a key was last used, as GetAccessKeyLastUsed says. */
export function lastUsedText(used: KeyLastUsed | undefined): string {
  if (!used?.at) return 'no use recorded'
  const where = [used.service, used.region].filter(Boolean).join(', ')
  return `last used ${used.at.toISOString()}${where ? ` (${where})` : ''}`
}

function graceText(grace: GraceKey): string {
  return `replaced at ${grace.replacedAt.toISOString()}, grace until ${grace.retireAfter.toISOString()}; ${lastUsedText(grace.lastUsed)}`
}

/** The plan line for the key an earlier rotation left in its grace. */
function graceLine(grace: OldKeyGrace): string {
  const about = `access key ${grace.keyId} (${graceText(grace)})`
  switch (grace.action) {
    case 'wait':
      return `Leave ${about} active: its grace has not ended.`
    case 'first':
      return `Retire ${about}: deleted first, to make room for the new key.`
    case 'keep':
      return `Keep ${about} (old-key keep); its retire marker is removed.`
    case 'none':
      return `Retire ${about}: it is inactive already, and stays so (used after its grace).`
    case 'deactivate':
      return `Retire ${about}: deactivate it${grace.usedAfterGrace ? ', not delete it: it was used after its grace' : ''}.`
    case 'delete':
      return `Retire ${about}: delete it.`
  }
}

/** The log line once the key in grace has been retired. */
export function graceRetiredLine(grace: GraceKey, result: GraceRetired['result']): string {
  return `Access key ${grace.keyId} (${graceText(grace)}): ${result === 'inactive' ? 'left inactive' : result}.`
}

/** What the lookup found, for the debug log (ACTIONS_STEP_DEBUG): names, ids and states only. */
export function observedLines(observed: Observed, now: Date): string[] {
  const { user, bucket } = observed
  const lines = [`Caller: ${observed.identity.arn} (account ${observed.identity.accountId}).`]
  if (!user) lines.push('IAM user: absent.')
  else {
    lines.push(
      `IAM user: ${user.arn}, path ${user.path}, tags ${user.tags.map(t => t.key).join(', ') || 'none'}, boundary ${user.permissionsBoundaryArn ?? 'none'}.`,
      `Grants: inline ${Object.keys(user.inlinePolicies).join(', ') || 'none'}; managed ${user.managedPolicyArns.join(', ') || 'none'}.`,
      `Access keys: ${
        user.keys.map(k => `${k.id} ${k.status} ${ageInDays(k, now)} days old`).join('; ') || 'none'
      }.`
    )
  }
  lines.push(
    `Bucket ${observed.bucketName}: ${bucket.state}${bucket.state === 'owned' ? ` in ${bucket.region}` : ''}.`
  )
  if (observed.rotationLock)
    lines.push(
      `Rotation marker: ${observed.rotationLock.runId} until ${observed.rotationLock.expiresAt.toISOString()}.`
    )
  for (const d of observed.destinations)
    lines.push(
      `${describeDestination(d.destination)} holds secrets: ${d.secretNames.join(', ') || 'none'}${
        Object.keys(d.variables).length ? `; variables: ${Object.keys(d.variables).join(', ')}` : ''
      }.`
    )
  return lines
}

/** The run's last line when marker tags it set are still on the user. */
export function markersLeftLine(userName: string, tags: string[]): string | undefined {
  if (tags.length === 0) return undefined
  return `Marker tags left on IAM user ${userName}: ${tags.join(', ')}. The next run of the action handles them (it finishes or replaces the pending key, and takes over a rotation marker whose run has ended or expired).`
}

/** What a bucket repair puts back, as the plan line says it. */
function repairText(repair: BucketRepair): string {
  return [
    repair.publicAccessBlock && 'block public access',
    repair.ownership && 'enforce bucket-owner object ownership',
    repair.encryption && 'default encryption',
    repair.policy && 'TLS-only policy'
  ]
    .filter(Boolean)
    .join(', ')
}
