/** Plain-language lines for a plan and an outcome: the log, the dry run and the summary share them. */
import type { Config } from '../inputs/config.js'
import type { GraceRetired, Outcome, RemovalOutcome } from '../apply/outcome.js'
import { OWNERSHIP_TAG } from '../plan/containment.js'
import { removesSomething, type RemovalPlan } from '../plan/removal.js'
import { describe as describeDestination } from '../github/destinations.js'
import { ageInDays, type GraceKey, type OldKeyGrace } from '../plan/keys.js'
import type { KeyOrigin } from '../plan/markers.js'
import type { KeyLastUsed } from '../plan/observed.js'
import type { BucketRepair, GrantChanges, Plan } from '../plan/plan.js'
import type { Observed } from '../plan/observed.js'

export function planLines(plan: Plan, config: Config): string[] {
  const lines: string[] = []
  lines.push(
    plan.user.action === 'create'
      ? `Create IAM user ${plan.userName} (path ${plan.user.path}${plan.user.permissionsBoundary ? `, boundary ${plan.user.permissionsBoundary}` : ''}).`
      : `Reuse IAM user ${plan.userName}${plan.user.tagsToAdd.length ? `; add tags ${plan.user.tagsToAdd.map(t => t.key).join(', ')}` : ''}${plan.user.setPermissionsBoundary ? `; set boundary ${plan.user.setPermissionsBoundary}` : ''}.`
  )
  lines.push(bucketLine(plan), ...grantLines(plan.grants, config))
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
      ...w.access.map(f => `${config.names[f]} (its selected repositories only)`)
    ]
    lines.push(
      names.length
        ? `Write to ${describeDestination(w.destination)}: ${names.join(', ')}.`
        : `Leave ${describeDestination(w.destination)} as it is: it holds what it needs.`
    )
  }
  lines.push(...switchBackLines(plan, config))
  return lines
}

export function bucketLine(plan: Pick<Plan, 'bucket' | 'bucketName' | 'region'>): string {
  return plan.bucket.action === 'create'
    ? `Create bucket ${plan.bucketName} in ${plan.region}: block public access, enforce bucket-owner object ownership, default encryption, TLS-only policy${plan.bucket.tags.length ? ', tags' : ''}.`
    : `Reuse bucket ${plan.bucketName} in ${plan.region}${plan.bucket.repair ? `; repair: ${repairText(plan.bucket.repair)}` : ''}${plan.bucket.tagsToSet ? '; update its tags' : ''}.`
}

/** What the user's (or the role's) grants become. */
export function grantLines(g: GrantChanges, config: Config): string[] {
  const lines: string[] = []
  if (g.putInline)
    lines.push(`Grant ${describePolicy(config)} (inline policy ${g.putInline.name}).`)
  for (const arn of g.attach) lines.push(`Attach managed policy ${arn}.`)
  for (const name of g.deleteInline)
    lines.push(`Remove inline policy ${name} (not part of policy '${policyName(config)}').`)
  for (const arn of g.detach)
    lines.push(`Detach managed policy ${arn} (not part of policy '${policyName(config)}').`)
  if (!g.putInline && g.attach.length + g.deleteInline.length + g.detach.length === 0)
    lines.push(`Keep the grants: ${describePolicy(config)} is in place.`)
  return lines
}

/** A switch back from credentials role: what goes once every destination holds the key. */
function switchBackLines(plan: Plan, config: Config): string[] {
  const from = plan.switchFromRole
  if (!from) return []
  const lines = plan.writes
    .filter(w => w.deletions?.length)
    .map(
      w =>
        `Then delete ${config.names.roleArn} from ${describeDestination(w.destination)}: the key replaces the role.`
    )
  lines.push(
    from.deleteRole
      ? `Then delete the role ${from.roleArn} (old-key delete).`
      : `Keep the role ${from.roleArn} (old-key ${config.oldKey}).`
  )
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

/**
 * What a plan would change, one short item each, in the plan's order: the line a failed drift
 * check prints. Empty exactly when planChanges (plan/drift.ts) is false.
 */
export function driftItems(plan: Plan): string[] {
  const items: string[] = []
  const { user, bucket, grants, key } = plan
  if (user.action === 'create') items.push(`IAM user ${plan.userName} missing`)
  else {
    if (user.tagsToAdd.length)
      items.push(`user tags missing (${user.tagsToAdd.map(t => t.key).join(', ')})`)
    if (user.setPermissionsBoundary) items.push('permissions boundary of the user')
  }
  if (bucket.action === 'create') items.push(`bucket ${plan.bucketName} missing`)
  else {
    if (bucket.repair) items.push(`bucket hardening (${repairText(bucket.repair)})`)
    if (bucket.tagsToSet) items.push('bucket tags')
  }
  if (grants.putInline) items.push(`inline policy ${grants.putInline.name} missing or changed`)
  for (const arn of grants.attach) items.push(`grant ${lastSegment(arn)} not attached`)
  for (const name of grants.deleteInline) items.push(`inline policy ${name} on the user`)
  for (const arn of grants.detach) items.push(`grant ${lastSegment(arn)} attached to the user`)
  if (key.action === 'create') items.push(`access key: ${key.reason}`)
  if (plan.staleMarkers.length) items.push(`stale marker tags ${plan.staleMarkers.join(', ')}`)
  // A new key is written everywhere: its writes are no drift of their own.
  for (const w of key.action === 'create' ? [] : plan.writes) {
    const count = w.secrets.length + w.variables.length + w.access.length
    if (count > 0)
      items.push(
        `${describeDestination(w.destination)}: ${count} secret(s) or variable(s) to write`
      )
  }
  return items
}

/** A policy by its name (AmazonS3FullAccess), not its whole ARN. */
function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1)
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

/** The removal plan, line by line: the dry run, the log and the summary share it. */
export function removalLines(plan: RemovalPlan): string[] {
  if (!removesSomething(plan))
    return [
      `Nothing to remove: no IAM user ${plan.userName}, and none of the action's secrets or variables at ${plan.destinations.map(d => describeDestination(d.destination)).join(', ')}.${plan.bucket.action === 'keep' ? ` ${keptBucketLine(plan)}` : ''}`
    ]
  const lines = plan.destinations.map(d => {
    const names = [...d.secrets, ...d.variables.map(v => `${v} (variable)`)]
    return names.length
      ? `Delete from ${describeDestination(d.destination)}: ${names.join(', ')}.`
      : `Nothing of the action's at ${describeDestination(d.destination)}.`
  })
  const user = plan.user
  if (user) {
    if (user.keys.length) lines.push(`Delete access keys ${user.keys.join(', ')}.`)
    if (user.inlinePolicies.length)
      lines.push(`Delete inline policies ${user.inlinePolicies.join(', ')}.`)
    if (user.managedPolicies.length)
      lines.push(`Detach managed policies ${user.managedPolicies.join(', ')}.`)
    lines.push(
      `Delete IAM user ${plan.userName} with its tags (the permissions boundary policy is shared and stays).`
    )
  } else lines.push(`No IAM user ${plan.userName}: nothing to remove in IAM.`)
  if (plan.role)
    lines.push(
      `Delete IAM role ${plan.role.roleArn} with its policies (${[...plan.role.inlinePolicies, ...plan.role.managedPolicies].join(', ') || 'none'}).`
    )
  if (plan.bucket.action === 'delete')
    lines.push(`Delete bucket ${plan.bucketName}: it is the action's and holds nothing.`)
  else if (plan.bucket.action === 'keep') lines.push(keptBucketLine(plan))
  return lines
}

function keptBucketLine(plan: RemovalPlan): string {
  const b = plan.bucket
  const why =
    b.action !== 'keep'
      ? ''
      : {
          'not-asked': 'remove-bucket is not true',
          'not-empty':
            'it holds objects (current, old versions or delete markers); the action never deletes objects',
          'not-ours': `it does not carry the tag ${OWNERSHIP_TAG} naming this repository${b.owner ? ` (it names ${b.owner})` : ''}`,
          foreign: 'it belongs to another AWS account (or this role may not see it)',
          'other-region': `it is in ${b.region ?? 'another region'}, not in aws-region`
        }[b.why]
  return `Keep bucket ${plan.bucketName}: ${why}.`
}

/** Warnings of a removal: a bucket remove-bucket asked for that stays, an ignored rotation marker. */
export function removalWarnings(plan: RemovalPlan): string[] {
  const kept = plan.bucket.action === 'keep' && plan.bucket.why !== 'not-asked'
  return [...plan.lockWarnings, ...(kept ? [keptBucketLine(plan)] : [])]
}

/** A bucket S3 would not delete after all: something was put there since the look-up. */
export function bucketNotEmptyLine(bucketName: string): string {
  return `Keep bucket ${bucketName}: S3 says it is not empty (an object was put there since the look-up); the action never deletes objects.`
}

/** What a removal that stopped midway left, and that a re-run finishes it. */
export function removalLeftText(
  plan: RemovalPlan,
  outcome: RemovalOutcome,
  stage: 'destinations' | 'aws'
): string {
  const failed = outcome.destinations
    .filter(d => d.failed.length > 0)
    .map(
      d =>
        `${describeDestination(d.destination)}: ${d.failed.map(f => f.name).join(', ')} (${d.failed[0]!.error})`
    )
  if (stage === 'destinations')
    return `Could not remove ${failed.join('; ')}. ${removedText(outcome)}The IAM user ${plan.userName}, its keys and the bucket are left as they were, so that no secret is left referring to a deleted key; run again with remove: true to finish.`
  const user = plan.user
  const left = [
    ...(user?.keys ?? []).filter(k => !outcome.keysDeleted.includes(k)).map(k => `access key ${k}`),
    ...[...(user?.inlinePolicies ?? []), ...(user?.managedPolicies ?? [])]
      .filter(p => !outcome.policiesRemoved.includes(p))
      .map(p => `policy ${p}`),
    ...(user && !outcome.userDeleted ? [`IAM user ${plan.userName}`] : []),
    ...(plan.bucket.action === 'delete' && !outcome.bucket ? [`bucket ${plan.bucketName}`] : [])
  ]
  return `${removedText(outcome)}Left: ${left.join(', ') || 'nothing'}; no secret or variable of the action refers to them any more. Run again with remove: true to finish.`
}

function removedText(outcome: RemovalOutcome): string {
  const removed = outcome.destinations.filter(d => d.removed.length > 0)
  return removed.length
    ? `Removed from ${removed.map(d => `${describeDestination(d.destination)} (${d.removed.join(', ')})`).join(', ')}. `
    : ''
}

/** The removal's summary line. */
export function removalHeadline(
  plan: RemovalPlan,
  outcome: RemovalOutcome | undefined,
  dryRun: boolean
): string {
  if (!removesSomething(plan))
    return dryRun
      ? 'Dry run: nothing to remove.'
      : 'Nothing to remove: everything was already gone.'
  if (dryRun)
    return 'Dry run: nothing was removed. A run without dry-run would remove what is listed below.'
  const count = (outcome?.destinations ?? []).reduce((n, d) => n + d.removed.length, 0)
  const parts = [
    `${count} of the action's secrets and variables`,
    ...(outcome?.keysDeleted.length ? [`access keys ${outcome.keysDeleted.join(', ')}`] : []),
    ...(outcome?.userDeleted ? [`IAM user ${plan.userName}`] : []),
    ...(outcome?.bucket === 'deleted' ? [`bucket ${plan.bucketName}`] : [])
  ]
  return `Removed ${parts.join(', ')}.`
}
