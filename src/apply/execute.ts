/**
 * Carries out a plan. Calls run as soon as what they depend on is done: user and bucket together;
 * grants, key and bucket hardening as soon as their parent exists; the secrets once the new key is
 * proven to work. A new key is verified (and recorded on the user as pending) before any
 * destination refers to it, and the old key is retired only after every destination holds the new
 * one. The key's steps are in key-lifecycle.ts, the writes in write-secrets.ts.
 */
import { tagsAndBoundary } from './principal.js'
import type { NewAccessKey } from '../aws/iam.js'
import { describe } from '../github/destinations.js'
import {
  deleteNewKey,
  prepareKey,
  retire,
  unmarkPending,
  verifyAndMark,
  type PreparedKey
} from './key-lifecycle.js'
import { PartialWriteError, timed, type Context, type Outcome } from './outcome.js'
import { RunMarkers, type ApplyContext } from './run-markers.js'
import { keyWriteJob, writeAll } from './write-secrets.js'
import { finishSwitchFromRole } from './role-mode.js'
import { configureBucket, ensureBucket } from './bucket.js'

export async function execute(context: Context): Promise<Outcome> {
  const ctx: ApplyContext = {
    ...context,
    markers: new RunMarkers(
      context.aws.iam,
      context.plan.userName,
      context.log,
      context.markersLeft
    )
  }
  const timings: Record<string, number> = {}
  const time = <T>(phase: string, work: Promise<T>) => timed(timings, phase, work)
  for (const tag of ctx.plan.staleMarkers) ctx.markers.removeLater(tag)
  try {
    const userReady = time('user', ensureUser(ctx))
    const bucketReady = time('bucket', ensureBucket(ctx))
    // S3 applies one configuration change at a time: the bucket's hardening goes on beside the
    // key's verification (which needs the bucket only to exist); the secrets wait for both.
    const hardened = bucketReady.then(() => time('hardening', configureBucket(ctx)))
    hardened.catch(() => undefined) // awaited below, where a failure is reported
    const grantsReady = userReady.then(() => time('grants', applyGrants(ctx)))
    const keyReady = userReady.then(() => time('key', prepareKey(ctx)))
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
      timingsMs: timings,
      ...(prepared.graceRetired ? { graceRetired: prepared.graceRetired } : {})
    }
    if (prepared.key) {
      outcome.keyId = prepared.key.id
      outcome.keyCreatedAt = prepared.key.createdAt
      const [verification] = await settleAll(
        [time('verify', verifyAndMark(ctx, prepared.key)), hardened],
        ctx,
        keyReady
      )
      outcome.verification = verification
    } else {
      if (ctx.plan.key.action !== 'create') outcome.keyId = ctx.plan.key.keyId
      await hardened
    }
    outcome.writes = await time('secrets', writeAll(ctx, keyWriteJob(ctx.plan, prepared.key)))
    await finishWrites(ctx, prepared.key, outcome)
    await finishSwitchFromRole(ctx, outcome)
    return outcome
  } finally {
    await ctx.markers.removeAll()
  }
}

/**
 * Waits for every phase. If one fails after a new key was made, the key is deleted again so that
 * no key is left that nothing refers to.
 */
async function settleAll<T extends unknown[]>(
  phases: { [K in keyof T]: Promise<T[K]> },
  ctx: ApplyContext,
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
  const { user, userName } = plan
  if (user.action === 'create') {
    const { path, tags, permissionsBoundary } = user
    await aws.iam.createUser({ userName, path, tags, permissionsBoundary })
    return
  }
  await Promise.all(
    tagsAndBoundary(
      user,
      tags => aws.iam.tagUser(userName, tags),
      arn => aws.iam.setPermissionsBoundary(userName, arn)
    )
  )
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

/**
 * After the writes. Every destination holds the new pair: retire the key it replaces. None holds
 * any of it: delete the new key. Some do: keep both keys active, leave the new key marked as
 * pending (the next run replaces it everywhere), and say which secret holds which key.
 */
async function finishWrites(
  ctx: ApplyContext,
  key: NewAccessKey | undefined,
  outcome: Outcome
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
    await retire(ctx, keyPlan, outcome)
    if (failures.length > 0)
      throw partialWrite(
        outcome,
        'Every destination holds the new key, but some values were not written.'
      )
    return
  }
  // A secret GitHub did not confirm either way may refer to the new key: it stays.
  const mayReferToKey = (w: Outcome['writes'][number]) =>
    keyNames.some(n => w.written.includes(n) || w.uncertain.includes(n))
  if (!outcome.writes.some(mayReferToKey)) {
    const deleted = await deleteNewKey(ctx, key.id, 'no secret refers to it')
    if (deleted) {
      await unmarkPending(ctx)
      outcome.keyCreated = false
      delete outcome.keyCreatedAt
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
      const either = (now: string, before: string) =>
        `may hold ${now} or ${before} (GitHub did not confirm the write)`
      const id = w.written.includes(idName)
        ? `holds ${newKeyId}`
        : w.uncertain.includes(idName)
          ? either(newKeyId, idOld ?? 'nothing')
          : idOld
            ? `holds ${idOld}${w.restored.includes(idName) ? ' (put back)' : ''}`
            : 'was not written'
      const secret = w.written.includes(secretName)
        ? `holds the secret of ${newKeyId}`
        : w.uncertain.includes(secretName)
          ? either(
              `the secret of ${newKeyId}`,
              secretOld ? `the secret of ${secretOld}` : 'nothing'
            )
          : secretOld
            ? `holds the secret of ${secretOld}`
            : 'was not written'
      return `${describe(w.destination)}: ${idName} ${id}, ${secretName} ${secret}.`
    })
    .join(' ')
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
