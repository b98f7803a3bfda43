/**
 * Carries out a plan. Calls run as soon as what they depend on is done: user and bucket together;
 * grants, key and bucket hardening as soon as their parent exists; the secrets once the new key is
 * proven to work. A new key is verified (and recorded on the user as pending) before any
 * destination refers to it, and the old key is retired only after every destination holds the new
 * one.
 */
import type { Config, Destination } from './config.js'
import { ActionError, type ErrorCode } from './errors.js'
import type { AwsClients } from './aws/clients.js'
import type { NewAccessKey } from './aws/iam.js'
import { verifyKey, type VerifyResult } from './aws/verify.js'
import { describe, type Destinations } from './github/destinations.js'
import { sealer } from './github/seal.js'
import { whileRequestsFly } from './prefetch.js'
import { Slots } from './slots.js'
import type { KeyPlan } from './keys.js'
import { formatRotationLock, PENDING_KEY_TAG, ROTATION_LOCK_TAG } from './observe.js'
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
  /** Secrets written and then put back to their previous value (the access key id). */
  restored: string[]
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
  // Marker tags this run removes from the user at its end, whatever happens.
  const clear = new Set<string>()
  try {
    const userReady = timed('user', ensureUser(ctx))
    const bucketReady = timed('bucket', ensureBucket(ctx))
    const grantsReady = userReady.then(() => timed('grants', applyGrants(ctx)))
    const keyReady = userReady.then(() => timed('key', prepareKey(ctx, clear)))
    // libsodium loads while these calls are in flight, not once the key is verified.
    if (ctx.plan.writes.some(w => w.secrets.length > 0)) whileRequestsFly(sealer)
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
    if (prepared.key) {
      outcome.keyId = prepared.key.id
      outcome.verification = await timed('verify', verifyAndMark(ctx, prepared.key, clear))
    } else if (ctx.plan.key.action !== 'create') {
      outcome.keyId = ctx.plan.key.keyId
    }
    outcome.writes = await timed('secrets', writeAll(ctx, prepared.key))
    await finishWrites(ctx, prepared.key, outcome, clear)
    return outcome
  } finally {
    await clearTags(ctx, clear)
  }
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
}

/**
 * Makes room within the two-key limit, then creates the key; meanwhile a rotation marks the user
 * (the marker does not depend on the key, so it costs no round trip of its own).
 */
async function prepareKey(ctx: Context, clear: Set<string>): Promise<PreparedKey> {
  const { plan, aws } = ctx
  if (plan.key.action !== 'create') return { removed: [] }
  let marking: Promise<void> | undefined
  if (plan.user.action === 'reuse') {
    // Removed at the end even when tagging seems to fail: the answer may have been lost.
    clear.add(ROTATION_LOCK_TAG)
    const lockUntil = new Date(ctx.now().getTime() + (ctx.config.verifyTimeoutSeconds + 600) * 1000)
    marking = aws.iam.tagUser(plan.userName, [
      {
        key: ROTATION_LOCK_TAG,
        value: formatRotationLock({ runId: ctx.runId, expiresAt: lockUntil })
      }
    ])
  }
  const [marked, made] = await Promise.allSettled([marking, makeRoomAndCreate(ctx, plan.key)])
  if (marked.status === 'fulfilled' && made.status === 'fulfilled') return made.value
  if (made.status === 'rejected') throw made.reason
  await deleteNewKey(ctx, made.value.key!.id, 'the user could not be marked as rotating')
  throw (marked as PromiseRejectedResult).reason
}

async function makeRoomAndCreate(
  { plan, aws, log }: Context,
  keyPlan: Extract<KeyPlan, { action: 'create' }>
): Promise<PreparedKey> {
  const results = await Promise.allSettled(
    keyPlan.removeFirst.map(r => aws.iam.deleteAccessKey(plan.userName, r.keyId))
  )
  const removed: string[] = []
  keyPlan.removeFirst.forEach((r, i) => {
    if (results[i]?.status !== 'fulfilled') return
    removed.push(r.keyId)
    log.info(`Deleted access key ${r.keyId}: ${r.why}.`)
  })
  const failure = results.find(r => r.status === 'rejected')
  if (failure) throw failure.reason
  const key = await aws.iam.createAccessKey(plan.userName)
  log.info(`Created access key ${key.id}.`)
  return { key, removed }
}

/** Removes this run's marker tags from the user (the rotation marker also expires by itself). */
async function clearTags({ plan, aws, log }: Context, clear: Set<string>): Promise<void> {
  if (clear.size === 0) return
  const keys = [...clear]
  clear.clear()
  await aws.iam
    .untagUser(plan.userName, keys)
    .catch((e: unknown) =>
      log.warning(
        `Could not remove the tag(s) ${keys.join(', ')} from ${plan.userName} (${errorText(e)}).` +
          (keys.includes(PENDING_KEY_TAG)
            ? ' The next run takes the new key for unfinished and replaces it everywhere.'
            : ' The rotation marker expires by itself.')
      )
    )
}

/** The new key is gone again: the pending tag goes back to what it was before this run. */
async function unmarkPending(ctx: Context, clear: Set<string>): Promise<void> {
  const before = ctx.plan.key.action === 'create' ? (ctx.plan.key.resumes ?? []) : []
  if (before.length === 0) {
    clear.add(PENDING_KEY_TAG)
    return
  }
  await ctx.aws.iam
    .tagUser(ctx.plan.userName, [{ key: PENDING_KEY_TAG, value: before.join(' ') }])
    .catch((e: unknown) =>
      ctx.log.warning(`Could not put back the tag ${PENDING_KEY_TAG} (${errorText(e)}).`)
    )
}

/** Deletes a key no secret refers to; true when it is gone. */
async function deleteNewKey(ctx: Context, keyId: string, why: string): Promise<boolean> {
  try {
    await ctx.aws.iam.deleteAccessKey(ctx.plan.userName, keyId)
    ctx.log.info(`Deleted the new access key ${keyId} again: ${why}.`)
    return true
  } catch (e) {
    ctx.log.warning(
      `The new access key ${keyId} could not be deleted (${errorText(e)}); delete it in IAM: no secret refers to it.`
    )
    return false
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function grantsBucketAccess(config: Config): boolean {
  return config.policy.kind !== 'managed'
}

/**
 * Proves that the new key works and, meanwhile, records it on the user as pending (with the keys
 * of unfinished earlier runs still there). Only then may a secret refer to it: a key that never
 * works, or that cannot be recorded, is deleted again and no secret changes.
 */
async function verifyAndMark(
  ctx: Context,
  key: NewAccessKey,
  clear: Set<string>
): Promise<VerifyResult> {
  const { plan, config, aws } = ctx
  const leftovers = plan.key.action === 'create' ? (plan.key.deleteAfter ?? []) : []
  const [verified, marked] = await Promise.allSettled([
    verifyKey(
      { accessKeyId: key.id, secretAccessKey: key.secret },
      {
        region: plan.region,
        userArn: plan.userArn,
        ...(grantsBucketAccess(config) ? { bucket: plan.bucketName } : {}),
        timeoutMs: config.verifyTimeoutSeconds * 1000
      }
    ),
    aws.iam.tagUser(plan.userName, [
      { key: PENDING_KEY_TAG, value: [...leftovers.map(r => r.keyId), key.id].join(' ') }
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
  if (deleted) await unmarkPending(ctx, clear)
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
  // A few destinations at a time, in order: each one's writes then queue together in the GitHub
  // client's write pacer, so a destination's secret access key follows its key id closely even
  // when hundreds of writes are paced, instead of after every other destination's first writes.
  const destinations = new Slots(DESTINATIONS_IN_FLIGHT)
  return Promise.all(
    ctx.plan.writes.map((write, i) =>
      destinations.run(() => writeDestination(ctx, write, ctx.observed[i]!, key, seal))
    )
  )
}

/** Destinations written at once: enough to keep the client's four write slots busy. */
const DESTINATIONS_IN_FLIGHT = 4

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
  const result: WriteResult = { destination: d, written: [], failed: [], restored: [] }
  const putSecret = (field: SecretField, value = valueOf(field, plan, key)) =>
    github.putSecret(
      d,
      config.names[field],
      seal!(value, observed.publicKey.key),
      observed.publicKey.keyId,
      selectedIds
    )
  /** Runs one write and records how it went; never throws. */
  const attempt = async (name: string, run: () => Promise<void>): Promise<boolean> => {
    try {
      await run()
      result.written.push(name)
      return true
    } catch (e) {
      result.failed.push({ name, error: errorText(e) })
      return false
    }
  }
  const others = [
    ...write.secrets
      .filter(field => !KEY_FIELDS.includes(field))
      .map(field => attempt(config.names[field], () => putSecret(field))),
    ...write.variables.map(v =>
      attempt(config.names[v.field], () =>
        github.putVariable(
          d,
          config.names[v.field],
          valueOf(v.field, plan, key),
          v.exists,
          selectedIds
        )
      )
    )
  ]
  const pair = write.secrets.includes('accessKeyId')
    ? writeKeyPair(ctx, observed, key, putSecret, attempt, result)
    : undefined
  await Promise.all([pair, ...others])
  return result
}

const KEY_FIELDS: SecretField[] = ['accessKeyId', 'secretAccessKey']

/**
 * Where the destination holds a pair of the key being replaced: the id first, then the secret. If
 * the id cannot be written the secret is left alone, and if the secret cannot be written the id is
 * put back (a secret cannot be: GitHub never gives it back), so the destination keeps a working
 * pair. That costs a round trip; a destination with no such pair has nothing to keep working, so
 * both are written at once.
 */
async function writeKeyPair(
  ctx: Context,
  observed: ObservedDestination,
  key: NewAccessKey | undefined,
  putSecret: (field: SecretField, value?: string) => Promise<void>,
  attempt: (name: string, run: () => Promise<void>) => Promise<boolean>,
  result: WriteResult
): Promise<void> {
  const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names
  const writeId = () => attempt(idName, () => putSecret('accessKeyId'))
  const writeSecret = () => attempt(secretName, () => putSecret('secretAccessKey'))
  const previous = ctx.plan.key.action === 'create' ? ctx.plan.key.replaces?.keyId : undefined
  if (!previous || !observed.secretNames.includes(idName)) {
    await Promise.all([writeId(), writeSecret()])
    return
  }
  if (!(await writeId())) {
    result.failed.push({ name: secretName, error: `not written, since ${idName} failed` })
    return
  }
  if (await writeSecret()) return
  const where = describe(result.destination)
  try {
    await putSecret('accessKeyId', previous)
    result.written = result.written.filter(n => n !== idName)
    result.restored.push(idName)
    ctx.log.info(`${where}: ${idName} put back to ${previous}, since ${secretName} failed.`)
  } catch (e) {
    ctx.log.warning(
      `${where}: ${idName} holds the new key ${key?.id ?? ''} but could not be put back to ${previous} (${errorText(e)}).`
    )
  }
}

/**
 * After the writes. Every destination holds the new pair: retire the key it replaces. None holds
 * any of it: delete the new key. Some do: keep both keys active, leave the new key marked as
 * pending (the next run replaces it everywhere), and say which secret holds which key.
 */
async function finishWrites(
  ctx: Context,
  key: NewAccessKey | undefined,
  outcome: Outcome,
  clear: Set<string>
): Promise<void> {
  const { plan, config } = ctx
  const failures = outcome.writes.filter(w => w.failed.length > 0)
  if (!key || plan.key.action !== 'create') {
    if (failures.length > 0) throw partialWrite(outcome, 'Some values were not written.')
    return
  }
  const keyPlan = plan.key
  const keyNames = [config.names.accessKeyId, config.names.secretAccessKey]
  const replaces = keyPlan.replaces
  if (outcome.writes.every(w => keyNames.every(n => w.written.includes(n)))) {
    await retire(ctx, keyPlan, outcome, clear)
    if (failures.length > 0)
      throw partialWrite(
        outcome,
        'Every destination holds the new key, but some values were not written.'
      )
    return
  }
  if (!outcome.writes.some(w => keyNames.some(n => w.written.includes(n)))) {
    const deleted = await deleteNewKey(ctx, key.id, 'no secret refers to it')
    if (deleted) {
      await unmarkPending(ctx, clear)
      outcome.keyCreated = false
      if (replaces) outcome.keyId = replaces.keyId
      else delete outcome.keyId
    }
    throw partialWrite(
      outcome,
      `No secret holds the new key ${key.id}, so it was ${deleted ? 'deleted' : 'left for the next run to delete'}; the destinations still hold ${replaces ? `key ${replaces.keyId}` : 'what they held before'}.`
    )
  }
  if (replaces) {
    outcome.oldKeyResult = 'kept-active'
    outcome.oldKeyId = replaces.keyId
  }
  throw partialWrite(
    outcome,
    `Some secrets were not written; ${replaces ? `both keys (${replaces.keyId}, ${key.id}) stay active` : `key ${key.id} stays active`} and ${key.id} stays marked as pending on the user, so that the next run replaces it everywhere. ${holdings(outcome, ctx, key.id, replaces?.keyId)}`
  )
}

/**
 * Every destination holds the new key: retire the key it replaces and unfinished runs' keys, and
 * meanwhile remove the marker tags (the new key is no longer pending). A leftover key that cannot
 * be deleted is recorded as pending again afterwards, for the next run.
 */
async function retire(
  ctx: Context,
  keyPlan: Extract<KeyPlan, { action: 'create' }>,
  outcome: Outcome,
  clear: Set<string>
): Promise<void> {
  const user = ctx.plan.userName
  const leftovers = keyPlan.deleteAfter ?? []
  const replaces = keyPlan.replaces
  clear.add(PENDING_KEY_TAG)
  const [old, , ...gone] = await Promise.allSettled([
    replaces ? retireOldKey(ctx, replaces.keyId, replaces.disposal) : undefined,
    clearTags(ctx, clear),
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
      .tagUser(user, [{ key: PENDING_KEY_TAG, value: ids }])
      .catch((e: unknown) =>
        ctx.log.warning(`Could not record ${ids} as pending (${errorText(e)}).`)
      )
  }
  if (!replaces) return
  outcome.rotated = true
  outcome.oldKeyId = replaces.keyId
  if (old?.status === 'fulfilled' && old.value) outcome.oldKeyResult = old.value
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

/** Which key each key secret of each destination holds after a partial write. */
function holdings(
  outcome: Outcome,
  ctx: Context,
  newKeyId: string,
  oldKeyId: string | undefined
): string {
  const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names
  return outcome.writes
    .map((w, i) => {
      // What a secret not written holds: the replaced key where the destination held that
      // secret; otherwise whatever it held, if anything (a new user's secrets are not listed).
      const old = (name: string) =>
        oldKeyId !== undefined && ctx.observed[i]?.secretNames.includes(name) ? oldKeyId : undefined
      const idOld = old(idName)
      const secretOld = old(secretName)
      const id = w.written.includes(idName)
        ? `holds ${newKeyId}`
        : idOld
          ? `holds ${idOld}${w.restored.includes(idName) ? ' (put back)' : ''}`
          : 'was not written'
      const secret = w.written.includes(secretName)
        ? `holds the secret of ${newKeyId}`
        : secretOld
          ? `holds the secret of ${secretOld}`
          : 'was not written'
      return `${describe(w.destination)}: ${idName} ${id}, ${secretName} ${secret}.`
    })
    .join(' ')
}

/** A failure after changes were made: carries what was done, for the outputs and the summary. */
export class PartialWriteError extends ActionError {
  constructor(
    message: string,
    readonly outcome: Outcome,
    opts: { code?: ErrorCode; remedy?: string } = {}
  ) {
    super(
      opts.code ?? 'PARTIAL_WRITE',
      message,
      opts.remedy ??
        'run the step again: it writes what is missing (a fresh key where a key was left half-written) and then retires the old key.'
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
