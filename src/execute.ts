/**
 * Carries out a plan. Calls run as soon as what they depend on is done: user and bucket together;
 * grants, key and bucket hardening as soon as their parent exists; the secrets once the new key is
 * proven to work. A new key is verified before any destination refers to it, and the old key is
 * retired only after every destination holds the new one.
 */
import type { Config, Destination } from './config.js'
import { ActionError } from './errors.js'
import type { AwsClients } from './aws/clients.js'
import type { NewAccessKey } from './aws/iam.js'
import { verifyKey, type VerifyResult } from './aws/verify.js'
import { describe, type Destinations } from './github/destinations.js'
import { sealer } from './github/seal.js'
import { formatRotationLock, ROTATION_LOCK_TAG } from './observe.js'
import type { DestinationWrite, Plan, SecretField } from './plan.js'
import type { ObservedDestination } from './state.js'

export interface Log {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface WriteResult {
  destination: Destination
  written: string[]
  failed: { name: string; error: string }[]
}

export interface Outcome {
  keyId?: string
  keyCreated: boolean
  rotated: boolean
  oldKeyId?: string
  oldKeyResult?: 'deleted' | 'deactivated' | 'kept' | 'kept-active'
  removedKeys: string[]
  writes: WriteResult[]
  verification?: VerifyResult
  timingsMs: Record<string, number>
}

export interface Context {
  config: Config
  plan: Plan
  aws: AwsClients
  github: Destinations
  observed: ObservedDestination[]
  selectedRepositoryIds: Record<string, number[]>
  runId: string
  now: () => Date
  log: Log
}

export async function execute(ctx: Context): Promise<Outcome> {
  const timings: Record<string, number> = {}
  const timed = async <T>(name: string, work: Promise<T>): Promise<T> => {
    const start = Date.now()
    try {
      return await work
    } finally {
      timings[name] = Date.now() - start
    }
  }
  const userReady = timed('user', ensureUser(ctx))
  const bucketReady = timed('bucket', ensureBucket(ctx))
  const grantsReady = userReady.then(() => timed('grants', applyGrants(ctx)))
  const keyReady = userReady.then(() => timed('key', prepareKey(ctx)))
  const [, , , prepared] = await settleAll(
    [userReady, bucketReady, grantsReady, keyReady],
    ctx,
    keyReady
  )
  const outcome: Outcome = {
    keyCreated: prepared.key !== undefined,
    rotated: false,
    removedKeys: prepared.removed,
    writes: [],
    timingsMs: timings
  }
  try {
    if (prepared.key) {
      outcome.keyId = prepared.key.id
      outcome.verification = await timed('verify', verifyOrRollBack(ctx, prepared.key))
    } else if (ctx.plan.key.action !== 'create') {
      outcome.keyId = ctx.plan.key.keyId
    }
    outcome.writes = await timed('secrets', writeAll(ctx, prepared.key))
    await finishWrites(ctx, prepared.key, outcome)
  } finally {
    if (prepared.locked) await unlock(ctx)
  }
  return outcome
}

/**
 * Waits for every phase. If one fails after a new key was made, the key is deleted again so that
 * no key is left that nothing refers to.
 */
async function settleAll<T extends unknown[]>(
  phases: { [K in keyof T]: Promise<T[K]> },
  ctx: Context,
  keyReady: Promise<PreparedKey>
): Promise<T> {
  const results = await Promise.allSettled(phases)
  const failure = results.find(r => r.status === 'rejected')
  if (!failure) return results.map(r => (r as PromiseFulfilledResult<unknown>).value) as T
  const key = await keyReady.catch(() => undefined)
  if (key?.key) await deleteNewKey(ctx, key.key.id, 'another step failed')
  if (key?.locked) await unlock(ctx)
  throw failure.reason
}

async function ensureUser({ plan, aws }: Context): Promise<void> {
  const user = plan.user
  if (user.action === 'create') {
    await aws.iam.createUser({
      userName: plan.userName,
      path: user.path,
      tags: user.tags,
      ...(user.permissionsBoundary ? { permissionsBoundary: user.permissionsBoundary } : {})
    })
    return
  }
  await Promise.all([
    user.tagsToAdd.length > 0 ? aws.iam.tagUser(plan.userName, user.tagsToAdd) : undefined,
    user.setPermissionsBoundary
      ? aws.iam.setPermissionsBoundary(plan.userName, user.setPermissionsBoundary)
      : undefined
  ])
}

async function ensureBucket({ plan, aws }: Context): Promise<void> {
  const bucket = plan.bucket
  if (bucket.action === 'create') {
    await aws.s3.createBucket(plan.bucketName, plan.region)
    await aws.s3.harden(plan.bucketName, plan.partition, bucket.tags)
  } else if (bucket.tagsToSet) {
    await aws.s3.setTags(plan.bucketName, bucket.tagsToSet)
  }
}

async function applyGrants({ plan, aws }: Context): Promise<void> {
  const g = plan.grants
  const user = plan.userName
  await Promise.all([
    g.putInline ? aws.iam.putInlinePolicy(user, g.putInline.name, g.putInline.document) : undefined,
    ...g.deleteInline.map(name => aws.iam.deleteInlinePolicy(user, name)),
    ...g.attach.map(arn => aws.iam.attachPolicy(user, arn)),
    ...g.detach.map(arn => aws.iam.detachPolicy(user, arn))
  ])
}

interface PreparedKey {
  key?: NewAccessKey
  removed: string[]
  locked: boolean
}

/** Marks the rotation, makes room within the two-key limit, then creates the key. */
async function prepareKey(ctx: Context): Promise<PreparedKey> {
  const { plan, aws } = ctx
  const keyPlan = plan.key
  if (keyPlan.action !== 'create') return { removed: [], locked: false }
  const locked = plan.user.action === 'reuse'
  const lockUntil = new Date(ctx.now().getTime() + (ctx.config.verifyTimeoutSeconds + 600) * 1000)
  await Promise.all([
    locked
      ? aws.iam.tagUser(plan.userName, [
          {
            key: ROTATION_LOCK_TAG,
            value: formatRotationLock({ runId: ctx.runId, expiresAt: lockUntil })
          }
        ])
      : undefined,
    ...keyPlan.removeFirst.map(r => aws.iam.deleteAccessKey(plan.userName, r.keyId))
  ])
  for (const r of keyPlan.removeFirst) ctx.log.info(`Deleted access key ${r.keyId}: ${r.why}.`)
  try {
    const key = await aws.iam.createAccessKey(plan.userName)
    ctx.log.info(`Created access key ${key.id}.`)
    return { key, removed: keyPlan.removeFirst.map(r => r.keyId), locked }
  } catch (e) {
    if (locked) await unlock(ctx)
    throw e
  }
}

async function unlock({ plan, aws, log }: Context): Promise<void> {
  await aws.iam
    .untagUser(plan.userName, [ROTATION_LOCK_TAG])
    .catch((e: unknown) =>
      log.warning(
        `Could not remove the rotation marker tag from ${plan.userName}: ${String(e)}; it expires by itself.`
      )
    )
}

async function deleteNewKey(ctx: Context, keyId: string, why: string): Promise<void> {
  try {
    await ctx.aws.iam.deleteAccessKey(ctx.plan.userName, keyId)
    ctx.log.info(`Deleted the new access key ${keyId} again: ${why}.`)
  } catch (e) {
    ctx.log.warning(
      `The new access key ${keyId} could not be deleted (${e instanceof Error ? e.message : String(e)}); delete it in IAM: no secret refers to it.`
    )
  }
}

function grantsBucketAccess(config: Config): boolean {
  return config.policy.kind !== 'managed'
}

async function verifyOrRollBack(ctx: Context, key: NewAccessKey): Promise<VerifyResult> {
  const { plan, config } = ctx
  const result = await verifyKey(
    { accessKeyId: key.id, secretAccessKey: key.secret },
    {
      region: plan.region,
      userArn: plan.userArn,
      ...(grantsBucketAccess(config) ? { bucket: plan.bucketName } : {}),
      timeoutMs: config.verifyTimeoutSeconds * 1000
    }
  )
  if (result.ok) {
    ctx.log.info(`The new key works (after ${result.attempts} attempt(s), ${result.waitedMs} ms).`)
    return result
  }
  await deleteNewKey(ctx, key.id, 'it never worked')
  throw new ActionError(
    'KEY_NOT_VERIFIED',
    `The new access key did not work within ${config.verifyTimeoutSeconds}s (last error: ${result.lastError}); it was deleted and no secret was changed.`,
    'run again; if it persists, raise verify-timeout-seconds or check SCPs and the permissions boundary that may deny the user.'
  )
}

function valueOf(field: SecretField, plan: Plan, key: NewAccessKey | undefined): string {
  switch (field) {
    case 'accessKeyId':
      return key?.id ?? ''
    case 'secretAccessKey':
      return key?.secret ?? ''
    case 'region':
      return plan.region
    case 'bucket':
      return plan.bucketName
  }
}

/** Seals and writes every planned secret and variable of every destination, all at once. */
async function writeAll(ctx: Context, key: NewAccessKey | undefined): Promise<WriteResult[]> {
  const seal = ctx.plan.writes.some(w => w.secrets.length > 0) ? await sealer() : undefined
  return Promise.all(
    ctx.plan.writes.map((write, i) => writeDestination(ctx, write, ctx.observed[i]!, key, seal))
  )
}

async function writeDestination(
  ctx: Context,
  write: DestinationWrite,
  observed: ObservedDestination,
  key: NewAccessKey | undefined,
  seal: ((value: string, publicKey: string) => string) | undefined
): Promise<WriteResult> {
  const { plan, config, github } = ctx
  const d = write.destination
  const selectedIds = d.kind === 'organization' ? ctx.selectedRepositoryIds[d.org] : undefined
  const jobs: { name: string; run: () => Promise<void> }[] = [
    ...write.secrets.map(field => ({
      name: config.names[field],
      run: () =>
        github.putSecret(
          d,
          config.names[field],
          seal!(valueOf(field, plan, key), observed.publicKey.key),
          observed.publicKey.keyId,
          selectedIds
        )
    })),
    ...write.variables.map(v => ({
      name: config.names[v.field],
      run: () =>
        github.putVariable(
          d,
          config.names[v.field],
          valueOf(v.field, plan, key),
          v.exists,
          selectedIds
        )
    }))
  ]
  const settled = await Promise.allSettled(jobs.map(j => j.run()))
  const result: WriteResult = { destination: d, written: [], failed: [] }
  settled.forEach((s, i) => {
    const name = jobs[i]!.name
    if (s.status === 'fulfilled') result.written.push(name)
    else
      result.failed.push({
        name,
        error: s.reason instanceof Error ? s.reason.message : String(s.reason)
      })
  })
  return result
}

/**
 * After the writes: retire the old key when every destination holds the new one; otherwise keep
 * every key that some destination may still refer to, and say which holds which.
 */
async function finishWrites(
  ctx: Context,
  key: NewAccessKey | undefined,
  outcome: Outcome
): Promise<void> {
  const { plan, config } = ctx
  const failures = outcome.writes.filter(w => w.failed.length > 0)
  const keyNames = [config.names.accessKeyId, config.names.secretAccessKey]
  const replaces = plan.key.action === 'create' ? plan.key.replaces : undefined
  if (key && failures.length > 0) {
    const anyHoldsNew = outcome.writes.some(w => w.written.some(n => keyNames.includes(n)))
    if (!anyHoldsNew) {
      await deleteNewKey(ctx, key.id, 'no destination received it')
      outcome.keyCreated = false
      outcome.keyId = replaces?.keyId
      throw partialWrite(
        outcome,
        `No destination received the new key, so it was deleted; the destinations still hold ${replaces ? `key ${replaces.keyId}` : 'what they held before'}.`
      )
    }
    if (replaces) outcome.oldKeyResult = 'kept-active'
    outcome.oldKeyId = replaces?.keyId
    throw partialWrite(
      outcome,
      `Some secrets were not written; both keys stay active. ${holdings(outcome, keyNames, key.id, replaces?.keyId)}`
    )
  }
  if (key && replaces) {
    outcome.rotated = true
    outcome.oldKeyId = replaces.keyId
    outcome.oldKeyResult = await retireOldKey(ctx, replaces.keyId, replaces.disposal)
  }
  if (failures.length > 0) throw partialWrite(outcome, 'Some values were not written.')
}

async function retireOldKey(
  ctx: Context,
  keyId: string,
  disposal: 'delete' | 'deactivate' | 'keep'
): Promise<'deleted' | 'deactivated' | 'kept'> {
  const user = ctx.plan.userName
  if (disposal === 'delete') await ctx.aws.iam.deleteAccessKey(user, keyId)
  if (disposal === 'deactivate') await ctx.aws.iam.deactivateAccessKey(user, keyId)
  const result =
    disposal === 'delete' ? 'deleted' : disposal === 'deactivate' ? 'deactivated' : 'kept'
  ctx.log.info(`Old access key ${keyId}: ${result}.`)
  return result
}

function holdings(
  outcome: Outcome,
  keyNames: string[],
  newKeyId: string,
  oldKeyId: string | undefined
): string {
  return outcome.writes
    .map(w => {
      const parts = keyNames.map(n =>
        w.written.includes(n)
          ? `${n} holds ${newKeyId}`
          : `${n} holds ${oldKeyId ?? 'its previous value'}`
      )
      return `${describe(w.destination)}: ${parts.join(', ')}.`
    })
    .join(' ')
}

export class PartialWriteError extends ActionError {
  constructor(
    message: string,
    readonly outcome: Outcome
  ) {
    super(
      'PARTIAL_WRITE',
      message,
      'run the step again: it writes only what is missing and then retires the old key.'
    )
    this.name = 'PartialWriteError'
  }
}

function partialWrite(outcome: Outcome, summary: string): PartialWriteError {
  const failed = outcome.writes
    .filter(w => w.failed.length > 0)
    .map(
      w =>
        `${describe(w.destination)}: ${w.failed.map(f => f.name).join(', ')} failed (${w.failed[0]!.error})`
    )
    .join('; ')
  return new PartialWriteError(`${summary} Failed: ${failed}.`, outcome)
}
