/**
 * Carries out a role plan. The role (with its trust and grants) and the bucket come first; then
 * every destination gets the role's ARN, the region and the bucket; only once every destination
 * holds them are the key's secrets deleted, and only once none holds the key any more are the
 * user's keys retired. A fault at any step leaves the destinations with the working key or the
 * working role, and a re-run finishes the switch.
 */
import { tagsAndBoundary } from './principal.js'
import { describe } from '../github/destinations.js'
import type { DestinationWrite, RolePlan } from '../plan/plan.js'
import { configureBucket, ensureBucket } from './bucket.js'
import { errorText, PartialWriteError, timed, type Context, type Outcome } from './outcome.js'
import { writeAll } from './write-secrets.js'

export interface RoleContext extends Omit<Context, 'plan' | 'userKeyIds' | 'markersLeft'> {
  plan: RolePlan
}

export async function executeRole(ctx: RoleContext): Promise<Outcome> {
  const timings: Record<string, number> = {}
  const time = <T>(phase: string, work: Promise<T>) => timed(timings, phase, work)
  const roleReady = time('role', ensureRole(ctx))
  const bucketReady = time('bucket', ensureBucket(ctx))
  const phases = [
    roleReady,
    bucketReady,
    bucketReady.then(() => time('hardening', configureBucket(ctx))),
    roleReady.then(() => time('grants', applyRoleGrants(ctx)))
  ]
  const failure = (await Promise.allSettled(phases)).find(r => r.status === 'rejected')
  if (failure) throw failure.reason
  const outcome: Outcome = {
    keyCreated: false,
    rotated: false,
    removedKeys: [],
    writes: [],
    timingsMs: timings
  }
  const { plan } = ctx
  outcome.writes = await time(
    'secrets',
    writeAll(ctx, {
      writes: plan.writes,
      values: {
        roleArn: plan.roleArn,
        region: plan.region,
        bucket: plan.bucketName,
        accessKeyId: '',
        secretAccessKey: ''
      }
    })
  )
  const failed = outcome.writes.filter(w => w.failed.length > 0)
  if (failed.length > 0)
    throw new PartialWriteError(
      `Some values were not written (${failures(failed)}); nothing of the access key was touched, so the destinations that held it still do.`,
      outcome,
      { remedy: 'run the step again: it writes what is missing, then finishes the switch.' }
    )
  await time('key secrets', deleteKeySecrets(ctx, outcome))
  await time('keys', retireKeys(ctx, outcome))
  return outcome
}

async function ensureRole({ plan, aws }: RoleContext): Promise<void> {
  const { role, roleName } = plan
  if (role.action === 'create') {
    const { path, trustPolicy, tags, permissionsBoundary } = role
    return aws.roles.createRole({ roleName, path, trustPolicy, tags, permissionsBoundary })
  }
  await Promise.all([
    ...tagsAndBoundary(
      role,
      tags => aws.roles.tagRole(roleName, tags),
      arn => aws.roles.setPermissionsBoundary(roleName, arn)
    ),
    role.trustPolicy ? aws.roles.setTrustPolicy(roleName, role.trustPolicy) : undefined
  ])
}

async function applyRoleGrants({ plan, aws }: RoleContext): Promise<void> {
  const g = plan.grants
  const role = plan.roleName
  await Promise.all([
    g.putInline
      ? aws.roles.putInlinePolicy(role, g.putInline.name, g.putInline.document)
      : undefined,
    ...g.deleteInline.map(name => aws.roles.deleteInlinePolicy(role, name)),
    ...g.attach.map(arn => aws.roles.attachPolicy(role, arn)),
    ...g.detach.map(arn => aws.roles.detachPolicy(role, arn))
  ])
}

/**
 * Every destination holds the new credentials: the old ones' values go (a secret or a variable
 * each), everywhere at once. Returns what could not be deleted.
 */
async function deleteValues(
  ctx: Pick<RoleContext, 'config' | 'github'>,
  writes: DestinationWrite[],
  outcome: Outcome
): Promise<string[]> {
  const left: string[] = []
  outcome.deleted ??= []
  await Promise.all(
    writes.flatMap(w =>
      (w.deletions ?? []).map(async ({ field, kind }) => {
        const name = ctx.config.names[field]
        try {
          await (kind === 'secret'
            ? ctx.github.deleteSecret(w.destination, name)
            : ctx.github.deleteVariable(w.destination, name))
          outcome.deleted!.push(`${describe(w.destination)}: ${name}`)
        } catch (e) {
          left.push(`${describe(w.destination)}: ${name} (${errorText(e)})`)
        }
      })
    )
  )
  return left
}

/** Every destination holds the role: the key pair's secrets go. */
async function deleteKeySecrets(ctx: RoleContext, outcome: Outcome): Promise<void> {
  const left = await deleteValues(ctx, ctx.plan.writes, outcome)
  const keys = ctx.plan.retireKeys
  if (left.length > 0)
    throw new PartialWriteError(
      `Every destination holds the role ${ctx.plan.roleArn}, but some key secrets could not be deleted: ${left.join('; ')}. ${keys ? `The user's keys are left active: ${keys.keyIds.join(', ')}, so that a pair still stored keeps working; the next run deletes the secrets left, then retires the keys.` : ''}`,
      outcome,
      { remedy: 'run the step again: it deletes the secrets left, then retires the keys.' }
    )
}

/**
 * A switch back to access-key, once every destination holds the key: the role's ARN goes from
 * them, then (old-key delete) the role, its policies first.
 */
export async function finishSwitchFromRole(ctx: Context, outcome: Outcome): Promise<void> {
  const from = ctx.plan.switchFromRole
  if (!from) return
  const left = await deleteValues(ctx, ctx.plan.writes, outcome)
  if (left.length > 0)
    throw new PartialWriteError(
      `Every destination holds the access key, but the role's ARN could not be deleted everywhere: ${left.join('; ')}. The role ${from.roleArn} is kept, so that what still names it keeps working.`,
      outcome,
      { remedy: 'run the step again: it deletes what is left, then the role.' }
    )
  if (!from.deleteRole) return
  try {
    await ctx.aws.roles.deleteRole(from.roleName, from.inlinePolicies, from.managedPolicyArns)
    outcome.removedRole = from.roleArn
  } catch (e) {
    throw new PartialWriteError(
      `Every destination holds the access key and none names the role any more, but the role ${from.roleArn} could not be deleted (${errorText(e)}): nothing the action wrote refers to it.`,
      outcome,
      { code: 'AWS_CALL_FAILED', remedy: 'run the step again, or delete the role in IAM.' }
    )
  }
}

/** No destination holds the key any more: the user's keys go per `old-key`. */
async function retireKeys(ctx: RoleContext, outcome: Outcome): Promise<void> {
  const retire = ctx.plan.retireKeys
  if (!retire) return
  const { userName, keyIds, disposal } = retire
  const results = await Promise.allSettled(
    keyIds.map(id =>
      disposal === 'delete'
        ? ctx.aws.iam.deleteAccessKey(userName, id)
        : ctx.aws.iam.deactivateAccessKey(userName, id)
    )
  )
  outcome.removedKeys = keyIds.filter((_, i) => results[i]!.status === 'fulfilled')
  outcome.oldKeyResult = disposal === 'delete' ? 'deleted' : 'deactivated'
  const kept = keyIds.filter((_, i) => results[i]!.status === 'rejected')
  if (kept.length > 0)
    throw new PartialWriteError(
      `Every destination holds the role and no key secret is left, but access key ${kept.join(', ')} of ${userName} could not be ${disposal === 'delete' ? 'deleted' : 'deactivated'}: it is still active, and nothing the action wrote refers to it.`,
      outcome,
      {
        code: 'AWS_CALL_FAILED',
        remedy: `run the step again, or ${disposal === 'delete' ? 'delete' : 'deactivate'} the key in IAM.`
      }
    )
}

function failures(writes: Outcome['writes']): string {
  return writes
    .map(
      w =>
        `${describe(w.destination)}: ${w.failed.map(f => f.name).join(', ')} failed (${w.failed[0]!.error})`
    )
    .join('; ')
}
