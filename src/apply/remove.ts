/**
 * Carries out a removal plan. The destinations' secrets and variables go first, all of them
 * before IAM is touched: a destination that refuses leaves the user and its keys as they were, so
 * that no destination that could not be cleaned is left holding a key that is gone (its secrets
 * would keep a dead key, and the next run would find no user to tie them to). Then, beside each
 * other, the user (its keys, inline policies and managed policies, then the user itself: IAM
 * refuses DeleteUser while any is left) and the bucket when the plan deletes it. Everything that
 * is already gone counts as removed, so a run stopped midway is finished by running it again.
 */
import type { AwsClients } from '../aws/clients.js'
import { ActionError, errorText } from '../errors.js'
import type { Destinations } from '../github/destinations.js'
import type { RemovalPlan } from '../plan/removal.js'
import { bucketNotEmptyLine, removalLeftText } from '../render/describe.js'
import {
  RemovalIncompleteError,
  timed,
  type DestinationRemovalResult,
  type Log,
  type RemovalOutcome
} from './outcome.js'

export interface RemovalContext {
  plan: RemovalPlan
  aws: AwsClients
  github: Destinations
  /** The account, for S3's ExpectedBucketOwner. */
  accountId: string
  log: Log
}

export async function remove(ctx: RemovalContext): Promise<RemovalOutcome> {
  const outcome: RemovalOutcome = {
    destinations: [],
    keysDeleted: [],
    policiesRemoved: [],
    userDeleted: false,
    timingsMs: {}
  }
  const time = <T>(phase: string, work: () => Promise<T>) => timed(outcome.timingsMs, phase, work)
  outcome.destinations = await time('secrets', () =>
    Promise.all(ctx.plan.destinations.map(d => removeFromDestination(ctx, d)))
  )
  if (outcome.destinations.some(d => d.failed.length > 0))
    throw new RemovalIncompleteError(removalLeftText(ctx.plan, outcome, 'destinations'), outcome)
  const [user, role, bucket] = await Promise.allSettled([
    time('user', () => removeUser(ctx, outcome)),
    time('role', () => removeRole(ctx, outcome)),
    time('bucket', () => removeBucket(ctx, outcome))
  ])
  const failure = [user, role, bucket].find(r => r.status === 'rejected')
  if (failure) {
    const e = failure.reason as unknown
    const code = e instanceof ActionError ? e.code : undefined
    throw new RemovalIncompleteError(
      `${e instanceof ActionError ? e.message : errorText(e)} ${removalLeftText(ctx.plan, outcome, 'aws')}`,
      outcome,
      code === 'USER_NOT_DELETABLE' || code === 'AWS_PERMISSION' || code === 'AWS_CREDENTIALS'
        ? { code, remedy: (e as ActionError).remedy, cause: e }
        : { cause: e }
    )
  }
  return outcome
}

async function removeFromDestination(
  { github }: RemovalContext,
  d: RemovalPlan['destinations'][number]
): Promise<DestinationRemovalResult> {
  const result: DestinationRemovalResult = { destination: d.destination, removed: [], failed: [] }
  const one = async (name: string, label: string, call: () => Promise<void>) => {
    try {
      await call()
      result.removed.push(label)
    } catch (e) {
      result.failed.push({ name: label, error: errorText(e) })
    }
  }
  await Promise.all([
    ...d.secrets.map(name => one(name, name, () => github.deleteSecret(d.destination, name))),
    ...d.variables.map(name =>
      one(name, `${name} (variable)`, () => github.deleteVariable(d.destination, name))
    )
  ])
  return result
}

/** The keys and grants first, beside each other; the user once none is left. */
async function removeUser({ plan, aws }: RemovalContext, outcome: RemovalOutcome): Promise<void> {
  const user = plan.user
  if (!user) return
  const name = plan.userName
  const results = await Promise.allSettled([
    ...user.keys.map(async id => {
      await aws.iam.deleteAccessKey(name, id)
      outcome.keysDeleted.push(id)
    }),
    ...user.inlinePolicies.map(async policy => {
      await aws.iam.deleteInlinePolicy(name, policy)
      outcome.policiesRemoved.push(policy)
    }),
    ...user.managedPolicies.map(async arn => {
      await aws.iam.detachPolicy(name, arn)
      outcome.policiesRemoved.push(arn)
    })
  ])
  const failed = results.find(r => r.status === 'rejected')
  if (failed) throw failed.reason
  await aws.iam.deleteUser(name)
  outcome.userDeleted = true
}

/** The action's role: its policies first, then the role (roles.ts). */
async function removeRole({ plan, aws }: RemovalContext, outcome: RemovalOutcome): Promise<void> {
  const role = plan.role
  if (!role) return
  await aws.roles.deleteRole(role.roleName, role.inlinePolicies, role.managedPolicies)
  outcome.roleDeleted = true
}

async function removeBucket(
  { plan, aws, accountId, log }: RemovalContext,
  outcome: RemovalOutcome
): Promise<void> {
  if (plan.bucket.action !== 'delete') return
  outcome.bucket = await aws.s3.deleteBucket(plan.bucketName, accountId)
  if (outcome.bucket === 'not-empty') log.warning(bucketNotEmptyLine(plan.bucketName))
}
