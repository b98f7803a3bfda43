/**
 * The new key's life: made (with room made within IAM's two-key limit, and the user marked as
 * rotating meanwhile), verified and recorded as pending before any secret refers to it, deleted
 * again if nothing will, and the key it replaces retired once every destination holds it.
 */
import type { Config } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import type { NewAccessKey } from '../aws/iam.js'
import { actionUserAgent } from '../aws/clients.js'
import { verifyKey, type VerifyResult } from '../aws/verify.js'
import type { KeyPlan } from '../plan/keys.js'
import {
  formatKeyOrigin,
  formatPendingKeys,
  formatRetireMarker,
  keyOriginTagKey,
  formatRotationLock,
  PENDING_KEY_TAG,
  RETIRE_TAG,
  ROTATION_LOCK_TAG,
  rotationLockUntil
} from '../plan/markers.js'
import { ALLOWED_AWS_MANAGED_POLICIES, awsManagedPolicyName } from '../plan/containment.js'
import { graceRetiredLine } from '../render/describe.js'
import {
  errorText,
  PartialWriteError,
  type Context,
  type GraceRetired,
  type Outcome
} from './outcome.js'
import type { ApplyContext } from './run-markers.js'

const HOUR_MS = 60 * 60 * 1000

export interface PreparedKey {
  key?: NewAccessKey
  removed: string[]
  graceRetired?: GraceRetired
}

/**
 * The key an earlier rotation left in its grace, now past it: retired per `old-key` (deactivated
 * rather than deleted when it was used after its grace), and its marker removed. A failure is a
 * warning: the marker stays and the next run tries again.
 */
export async function retireGraceKey(ctx: ApplyContext): Promise<GraceRetired | undefined> {
  const grace = ctx.plan.oldKeyGrace
  if (!grace || grace.action === 'wait' || grace.action === 'first') return undefined
  const { iam } = ctx.aws
  const user = ctx.plan.userName
  let result: GraceRetired['result']
  try {
    if (grace.action === 'delete') {
      result = await iam.deleteAccessKey(user, grace.keyId).then(
        () => 'deleted' as const,
        async (e: unknown) => {
          await iam.deactivateAccessKey(user, grace.keyId)
          ctx.log.warning(
            `Access key ${grace.keyId} could not be deleted (${errorText(e)}); it was deactivated instead, and the next rotation deletes it.`
          )
          return 'deactivated' as const
        }
      )
    } else if (grace.action === 'deactivate') {
      await iam.deactivateAccessKey(user, grace.keyId)
      result = 'deactivated'
    } else result = grace.action === 'keep' ? 'kept' : 'inactive'
  } catch (e) {
    ctx.log.warning(
      `Access key ${grace.keyId} is past its grace but could not be retired (${errorText(e)}); the next run tries again.`
    )
    return { keyId: grace.keyId, result: 'failed' }
  }
  ctx.markers.removeLater(RETIRE_TAG)
  if (result === 'deleted') ctx.markers.removeLater(keyOriginTagKey(grace.keyId))
  ctx.log.info(graceRetiredLine(grace, result))
  return { keyId: grace.keyId, result }
}

/**
 * Makes room within the two-key limit, then creates the key; meanwhile a rotation marks the user
 * (the marker does not depend on the key, so it costs no round trip of its own).
 */
export async function prepareKey(ctx: ApplyContext): Promise<PreparedKey> {
  const { plan, aws } = ctx
  if (plan.key.action !== 'create') {
    const graceRetired = await retireGraceKey(ctx)
    return { removed: [], ...(graceRetired ? { graceRetired } : {}) }
  }
  let marking: Promise<void> | undefined
  if (plan.user.action === 'reuse') {
    // Removed at the end even when tagging seems to fail: the answer may have been lost.
    ctx.markers.removeLater(ROTATION_LOCK_TAG)
    const lockUntil = rotationLockUntil(ctx.now(), ctx.config.verifyTimeoutSeconds)
    marking = aws.iam.tagUser(plan.userName, [
      formatRotationLock({
        runId: ctx.runId,
        expiresAt: lockUntil,
        ...(ctx.config.run.repository ? { repository: ctx.config.run.repository } : {})
      })
    ])
  }
  const [marked, made] = await Promise.allSettled([marking, makeRoomAndCreate(ctx, plan.key)])
  if (marked.status === 'fulfilled' && made.status === 'fulfilled') return made.value
  if (made.status === 'rejected') throw made.reason
  await deleteNewKey(ctx, made.value.key!.id, 'the user could not be marked as rotating')
  throw (marked as PromiseRejectedResult).reason
}

async function makeRoomAndCreate(
  ctx: ApplyContext,
  keyPlan: Extract<KeyPlan, { action: 'create' }>
): Promise<PreparedKey> {
  const { plan, aws, log } = ctx
  const results = await Promise.allSettled(
    keyPlan.removeFirst.map(r => aws.iam.deleteAccessKey(plan.userName, r.keyId))
  )
  const removed: string[] = []
  keyPlan.removeFirst.forEach((r, i) => {
    if (results[i]?.status !== 'fulfilled') return
    removed.push(r.keyId)
    ctx.markers.removeLater(keyOriginTagKey(r.keyId))
    if (r.keyId === plan.oldKeyGrace?.keyId) ctx.markers.removeLater(RETIRE_TAG)
    log.info(`Deleted access key ${r.keyId}: ${r.why}.`)
  })
  const failure = results.find(r => r.status === 'rejected')
  if (failure) throw failure.reason
  const key = await createKey(ctx, removed.length > 0)
  log.info(`Created access key ${key.id}.`)
  return { key, removed }
}

/**
 * CreateAccessKey, which the SDK tries again when an answer is lost: the lost attempt may have
 * made a key whose secret never arrived, which nothing can ever use. Such a stray (a key of the
 * user that was not there at the look-up and is not the one returned) is deleted: after a retry,
 * and after a failure (where it may be what filled the two-key limit; then the key is created
 * once more).
 */
async function createKey(ctx: Context, afterDeletion = false): Promise<NewAccessKey> {
  const user = ctx.plan.userName
  let key: NewAccessKey
  try {
    key = await ctx.aws.iam.createAccessKey(user, afterDeletion)
  } catch (e) {
    if ((await deleteStrayKeys(ctx, undefined)) === 0) throw e
    key = await ctx.aws.iam.createAccessKey(user, afterDeletion)
  }
  if (key.attempts > 1) await deleteStrayKeys(ctx, key.id)
  return key
}

/** Deletes the user's keys made by this run's lost attempts; how many it deleted. */
async function deleteStrayKeys({ plan, aws, log, userKeyIds }: Context, made: string | undefined) {
  const keys = await aws.iam.listAccessKeys(plan.userName).catch((e: unknown) => {
    log.warning(`Could not list the keys of ${plan.userName} to find strays (${errorText(e)}).`)
    return []
  })
  const strays = keys.filter(k => k.id !== made && !userKeyIds.includes(k.id))
  const deleted = await Promise.all(
    strays.map(async ({ id }) => {
      try {
        await aws.iam.deleteAccessKey(plan.userName, id)
        log.warning(
          `Deleted access key ${id}: an attempt at CreateAccessKey whose answer was lost made it, so its secret never arrived.`
        )
        return true
      } catch (e) {
        log.warning(
          `Access key ${id} was made by an attempt at CreateAccessKey whose answer was lost and could not be deleted (${errorText(e)}); nothing can use it: delete it in IAM.`
        )
        return false
      }
    })
  )
  return deleted.filter(Boolean).length
}

/** The new key is gone again: the pending tag goes back to what it was before this run. */
export async function unmarkPending(ctx: ApplyContext): Promise<void> {
  const before = ctx.plan.key.action === 'create' ? (ctx.plan.key.resumes ?? []) : []
  if (before.length === 0) {
    ctx.markers.removeLater(PENDING_KEY_TAG)
    return
  }
  await ctx.aws.iam
    .tagUser(ctx.plan.userName, [formatPendingKeys(before)])
    .catch((e: unknown) =>
      ctx.log.warning(`Could not put back the tag ${PENDING_KEY_TAG} (${errorText(e)}).`)
    )
}

/** Deletes a key no secret refers to; true when it is gone. */
export async function deleteNewKey(
  ctx: ApplyContext,
  keyId: string,
  why: string
): Promise<boolean> {
  try {
    await ctx.aws.iam.deleteAccessKey(ctx.plan.userName, keyId)
    ctx.markers.removeLater(keyOriginTagKey(keyId))
    ctx.log.info(`Deleted the new access key ${keyId} again: ${why}.`)
    return true
  } catch (e) {
    ctx.log.warning(
      `The new access key ${keyId} could not be deleted (${errorText(e)}); delete it in IAM: no secret refers to it.`
    )
    return false
  }
}

/**
 * What the stored credentials promise in S3, as verification checks it: listing the bucket, which
 * every policy the action writes grants, and so do the two AWS-managed S3 policies; of a
 * customer-managed policy nothing is known, so only that S3 knows the key (STS may accept a key
 * before S3 does).
 */
function promisedS3Access(config: Config): 'list' | 'known' {
  const policy = config.policy
  if (policy.kind !== 'managed') return 'list'
  const awsManaged = awsManagedPolicyName(policy.arn)
  return awsManaged && ALLOWED_AWS_MANAGED_POLICIES.includes(awsManaged) ? 'list' : 'known'
}

/**
 * Proves that the new key works and, meanwhile, records it on the user as pending (with the keys
 * of unfinished earlier runs still there). Only then may a secret refer to it: a key that never
 * works, or that cannot be recorded, is deleted again and no secret changes.
 */
export async function verifyAndMark(ctx: ApplyContext, key: NewAccessKey): Promise<VerifyResult> {
  const { plan, config, aws } = ctx
  const leftovers = plan.key.action === 'create' ? (plan.key.deleteAfter ?? []) : []
  const [verified, marked] = await Promise.allSettled([
    verifyKey(
      { accessKeyId: key.id, secretAccessKey: key.secret },
      {
        region: plan.region,
        userArn: plan.userArn,
        bucket: plan.bucketName,
        s3Access: promisedS3Access(config),
        timeoutMs: config.verifyTimeoutSeconds * 1000,
        userAgent: actionUserAgent(config.run)
      }
    ),
    // The run that made the key is recorded beside it, in the same request.
    aws.iam.tagUser(plan.userName, [
      formatPendingKeys([...leftovers.map(r => r.keyId), key.id]),
      formatKeyOrigin(key.id, {
        runId: ctx.runId,
        ...(config.run.repository ? { repository: config.run.repository } : {}),
        createdAt: key.createdAt
      })
    ])
  ])
  if (verified.status === 'fulfilled' && verified.value.ok && marked.status === 'fulfilled') {
    const { attempts, waitedMs } = verified.value
    ctx.log.info(`The new key works (after ${attempts} attempt(s), ${waitedMs} ms).`)
    return verified.value
  }
  const why =
    verified.status === 'fulfilled' && !verified.value.ok
      ? 'it never worked'
      : 'it could not be recorded as pending'
  const deleted = await deleteNewKey(ctx, key.id, why)
  if (deleted) await unmarkPending(ctx)
  const fate = deleted ? 'it was deleted' : 'it could not be deleted (see the warning above)'
  if (verified.status === 'rejected') throw verified.reason
  if (!verified.value.ok)
    throw new ActionError(
      'KEY_NOT_VERIFIED',
      `The new access key did not work within ${config.verifyTimeoutSeconds}s (last error: ${verified.value.lastError}); ${fate} and no secret was changed.`,
      'run again; if it persists, raise verify-timeout-seconds or check SCPs and the permissions boundary that may deny the user.'
    )
  const cause = (marked as PromiseRejectedResult).reason
  const base =
    cause instanceof ActionError
      ? cause
      : new ActionError('AWS_CALL_FAILED', errorText(cause), 'run the step again.')
  throw new ActionError(
    base.code,
    `${base.message} The new key could not be recorded as pending on the user, so ${fate} and no secret was changed.`,
    base.remedy,
    { cause }
  )
}

/**
 * Every destination holds the new key: retire the key it replaces and unfinished runs' keys, and
 * meanwhile remove the marker tags (the new key is no longer pending). A leftover key that cannot
 * be deleted is recorded as pending again afterwards, for the next run.
 */
export async function retire(
  ctx: ApplyContext,
  keyPlan: Extract<KeyPlan, { action: 'create' }>,
  outcome: Outcome
): Promise<void> {
  const user = ctx.plan.userName
  const leftovers = keyPlan.deleteAfter ?? []
  const replaces = keyPlan.replaces
  ctx.markers.removeLater(PENDING_KEY_TAG)
  // The records of the keys deleted in this wave go with them.
  for (const r of leftovers) ctx.markers.removeLater(keyOriginTagKey(r.keyId))
  if (replaces && !replaces.graceHours && replaces.disposal === 'delete')
    ctx.markers.removeLater(keyOriginTagKey(replaces.keyId))
  // A new retire marker replaces whatever the tag held: it must not be removed beside it.
  if (replaces?.graceHours) ctx.markers.keep(RETIRE_TAG)
  const [old, , ...gone] = await Promise.allSettled([
    replaces ? handOver(ctx, replaces) : undefined,
    ctx.markers.removeAll(),
    ...leftovers.map(r => ctx.aws.iam.deleteAccessKey(user, r.keyId))
  ])
  const kept = leftovers.filter((r, i) => {
    const deleted = gone[i]?.status === 'fulfilled'
    if (deleted) ctx.log.info(`Deleted access key ${r.keyId}: ${r.why}.`)
    return !deleted
  })
  if (kept.length > 0) {
    const ids = kept.map(r => r.keyId).join(' ')
    ctx.log.warning(`Access key ${ids} could not be deleted; the next run deletes it.`)
    await ctx.aws.iam
      .tagUser(user, [formatPendingKeys(kept.map(r => r.keyId))])
      .catch((e: unknown) =>
        ctx.log.warning(`Could not record ${ids} as pending (${errorText(e)}).`)
      )
  }
  if (!replaces) return
  outcome.rotated = true
  outcome.oldKeyId = replaces.keyId
  if (old?.status === 'fulfilled' && old.value) {
    if (old.value instanceof Date) {
      outcome.oldKeyResult = 'in-grace'
      outcome.oldKeyRetireAfter = old.value
    } else outcome.oldKeyResult = old.value
  }
  if (old?.status !== 'rejected') return
  outcome.oldKeyResult = 'kept-active'
  throw new PartialWriteError(
    `Every destination holds the new key ${outcome.keyId ?? ''}, but the old key ${replaces.keyId} could not be ${replaces.disposal === 'delete' ? 'deleted or deactivated' : 'deactivated'} (${errorText(old.reason)}): it is still active, and no secret refers to it.`,
    outcome,
    {
      code: 'AWS_CALL_FAILED',
      remedy: `${replaces.disposal === 'delete' ? 'delete' : 'deactivate'} access key ${replaces.keyId} of ${user} in IAM (or run again with rotate and current-access-key-id, which removes it).`
    }
  )
}

type Replaces = NonNullable<Extract<KeyPlan, { action: 'create' }>['replaces']>

/**
 * The replaced key once every destination holds the new one: with a grace, left active and
 * recorded on the user (retire marker) for the first run after the grace; a marker that cannot be
 * set leaves nothing to retire it later, so the key is then retired at once. Without a grace,
 * retired at once. Returns when the key may be retired, or what was done.
 */
async function handOver(
  ctx: ApplyContext,
  replaces: Replaces
): Promise<Date | 'deleted' | 'deactivated' | 'kept'> {
  const hours = replaces.graceHours
  if (!hours) return retireOldKey(ctx, replaces.keyId, replaces.disposal)
  const replacedAt = ctx.now()
  const retireAfter = new Date(replacedAt.getTime() + hours * HOUR_MS)
  try {
    await ctx.aws.iam.tagUser(ctx.plan.userName, [
      formatRetireMarker({ keyId: replaces.keyId, replacedAt, retireAfter })
    ])
  } catch (e) {
    ctx.log.warning(
      `The old key ${replaces.keyId} could not be recorded for retirement after its grace (${errorText(e)}), so it is retired at once.`
    )
    return retireOldKey(ctx, replaces.keyId, replaces.disposal)
  }
  ctx.log.info(
    `Old access key ${replaces.keyId} stays active until ${retireAfter.toISOString()} (old-key-grace-hours ${hours}); the first run after that retires it (old-key ${replaces.disposal}).`
  )
  return retireAfter
}

/**
 * Retires the replaced key per `old-key`. A key that cannot be deleted is deactivated instead, so
 * that it never stays usable; the next rotation deletes inactive keys first.
 */
async function retireOldKey(
  ctx: Context,
  keyId: string,
  disposal: 'delete' | 'deactivate' | 'keep'
): Promise<'deleted' | 'deactivated' | 'kept'> {
  const user = ctx.plan.userName
  let result: 'deleted' | 'deactivated' | 'kept' = 'kept'
  if (disposal === 'delete') {
    try {
      await ctx.aws.iam.deleteAccessKey(user, keyId)
      result = 'deleted'
    } catch (e) {
      await ctx.aws.iam.deactivateAccessKey(user, keyId)
      ctx.log.warning(
        `Old access key ${keyId} could not be deleted (${errorText(e)}); it was deactivated instead, and the next rotation deletes it.`
      )
      return 'deactivated'
    }
  }
  if (disposal === 'deactivate') {
    await ctx.aws.iam.deactivateAccessKey(user, keyId)
    result = 'deactivated'
  }
  ctx.log.info(`Old access key ${keyId}: ${result}.`)
  return result
}
