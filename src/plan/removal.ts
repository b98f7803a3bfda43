/**
 * The removal plan (input `remove`): what the action made for this repository, to take down. A
 * different plan over the same observation: the secrets and variables the action writes, where a
 * destination holds them; the user with its keys and grants; the bucket only when asked, the
 * action's and empty. Nothing is removed unless the user (if any) is the action's for this
 * repository: another user of that name refuses the run before any change, secrets included,
 * because the secrets beside a user that is not the action's may be someone else's.
 */
import type { Config, Destination } from '../inputs/config.js'
import { bucketArn } from './policy.js'
import { checkOwnership, OWNERSHIP_TAG, roleOwnershipProblem } from './containment.js'
import { tagValue } from './markers.js'
import type { Observed, ObservedDestination } from './observed.js'
import { checkLockHeld, checkUserPath, userArn } from './plan.js'

export interface DestinationRemoval {
  destination: Destination
  /** Secret names the action writes that the destination holds. */
  secrets: string[]
  /** Variable names the action writes that the destination holds (region-and-bucket-as: variables). */
  variables: string[]
}

/** The user and what IAM requires gone before DeleteUser. */
export interface UserRemoval {
  keys: string[]
  inlinePolicies: string[]
  managedPolicies: string[]
}

/** Why a bucket stays: not asked (remove-bucket false), or asked but not safe to delete. */
export type BucketKept = 'not-asked' | 'not-empty' | 'not-ours' | 'foreign' | 'other-region'

export type BucketRemoval =
  | { action: 'delete' }
  | { action: 'keep'; why: BucketKept; owner?: string; region?: string }
  | { action: 'absent' }

export interface RemovalPlan {
  kind: 'removal'
  userName: string
  userArn: string
  bucketName: string
  bucketArn: string
  destinations: DestinationRemoval[]
  /** Undefined when there is no user (already removed, or never made). */
  user?: UserRemoval
  /**
   * The action's role for this repository (credentials role), with its policies; a role of the
   * name that is not the action's is left alone, and so are the values that may name it.
   */
  role?: { roleName: string; roleArn: string; inlinePolicies: string[]; managedPolicies: string[] }
  bucket: BucketRemoval
  /** About a rotation marker that is ignored (see checkLockHeld). */
  lockWarnings: string[]
}

export function buildRemovalPlan(
  config: Config,
  observed: Observed,
  now: Date,
  runId?: string
): RemovalPlan {
  const { owner, repo } = config.homeRepository
  const { identity, user, bucketName } = observed
  if (user) {
    checkOwnership(user, config.userName, `${owner}/${repo}`)
    checkUserPath(config, user)
  }
  const ownRole =
    observed.role && !roleOwnershipProblem(observed.role, `${owner}/${repo}`, config.userPath)
      ? observed.role
      : undefined
  const role = ownRole && {
    roleName: config.roleName,
    roleArn: ownRole.arn,
    inlinePolicies: Object.keys(ownRole.inlinePolicies),
    managedPolicies: ownRole.managedPolicyArns
  }
  return {
    kind: 'removal',
    userName: config.userName,
    userArn:
      user?.arn ??
      userArn(identity.partition, identity.accountId, config.userPath, config.userName),
    bucketName,
    bucketArn: bucketArn(identity.partition, bucketName),
    destinations: observed.destinations.map(d => destinationRemoval(config, d, role !== undefined)),
    ...(role ? { role } : {}),
    ...(user
      ? {
          user: {
            keys: user.keys.map(k => k.id),
            inlinePolicies: Object.keys(user.inlinePolicies),
            managedPolicies: user.managedPolicyArns
          }
        }
      : {}),
    bucket: bucketRemoval(config, observed),
    lockWarnings: checkLockHeld(config, observed, now, runId)
  }
}

/** Only the names the action writes, and only where they exist. */
function destinationRemoval(
  config: Config,
  o: ObservedDestination,
  ownRole: boolean
): DestinationRemoval {
  const n = config.names
  const asVariables = config.regionAndBucketAs === 'variables'
  // The role's ARN, where the action's role exists: as a secret or a variable, wherever it is.
  const roleArn = ownRole ? [n.roleArn] : []
  const secretNames = asVariables
    ? [n.accessKeyId, n.secretAccessKey, ...roleArn]
    : [n.accessKeyId, n.secretAccessKey, n.region, n.bucket, ...roleArn]
  const variableNames = asVariables ? [n.region, n.bucket, ...roleArn] : roleArn
  return {
    destination: o.destination,
    secrets: secretNames.filter(name => o.secretNames.includes(name)),
    variables: variableNames.filter(name => name in o.variables)
  }
}

function bucketRemoval(config: Config, observed: Observed): BucketRemoval {
  const bucket = observed.bucket
  if (bucket.state === 'absent') return { action: 'absent' }
  if (!config.removeBucket)
    return bucket.state === 'owned' ? { action: 'keep', why: 'not-asked' } : { action: 'absent' }
  if (bucket.state === 'foreign') return { action: 'keep', why: 'foreign' }
  const home = `${config.homeRepository.owner}/${config.homeRepository.repo}`
  const owner = tagValue(bucket.tags, OWNERSHIP_TAG)
  if (owner?.toLowerCase() !== home.toLowerCase())
    return { action: 'keep', why: 'not-ours', ...(owner ? { owner } : {}) }
  if (bucket.region !== config.region)
    return { action: 'keep', why: 'other-region', region: bucket.region }
  if (bucket.empty !== true) return { action: 'keep', why: 'not-empty' }
  return { action: 'delete' }
}

/** Whether the plan removes anything at all (a re-run after a complete removal: nothing). */
export function removesSomething(plan: RemovalPlan): boolean {
  return (
    plan.user !== undefined ||
    plan.role !== undefined ||
    plan.bucket.action === 'delete' ||
    plan.destinations.some(d => d.secrets.length + d.variables.length > 0)
  )
}

/** Tells a removal plan from a setup plan (main.ts carries either). */
export function isRemovalPlan(plan: object): plan is RemovalPlan {
  return 'kind' in plan && plan.kind === 'removal'
}
