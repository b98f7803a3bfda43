/**
 * Containment: what the action may manage, and the names its bootstrap role (bootstrap/role.yml)
 * is scoped to. A user is the action's only when it carries the ownership tag naming the home
 * repository, lives on the action's path, and is in no IAM group; buckets it derives carry a
 * prefix of its own. Tags are data others may write, so the ownership tag is compared exactly.
 */
import { ActionError, InputError } from '../errors.js'
import { RESERVED_TAG_PREFIX, tagValue, type Tag } from './markers.js'

// Structural, not the observed types: the inputs read the names above, and observed.ts reads the
// inputs' types (no import cycle).
interface Account {
  accountId: string
  partition: string
}
interface UserFacts {
  tags: Tag[]
  groups: string[]
}

/** Names the home repository (`owner/repo`) on every user the action creates. */
export const OWNERSHIP_TAG = `${RESERVED_TAG_PREFIX}repository`
/** The IAM path of the users the action creates (the role may act on no other). */
export const DEFAULT_USER_PATH = '/s3-credentials-action/'
/** The customer-managed policy the bootstrap creates as every user's permissions boundary. */
export const DEFAULT_BOUNDARY_NAME = 's3-credentials-action-boundary'
/** Derived bucket names start with it, so that the role's S3 scope names only such buckets. */
export const BUCKET_PREFIX = 's3ca-'
/** The AWS-managed policies `policy` may name (anything broader could reach beyond S3). */
export const ALLOWED_AWS_MANAGED_POLICIES = ['AmazonS3FullAccess', 'AmazonS3ReadOnlyAccess']

/** The name of an AWS-managed policy's ARN (`arn:aws:iam::aws:policy/...`); undefined for others. */
export function awsManagedPolicyName(arn: string): string | undefined {
  return /^arn:[a-z-]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1]
}

export function ownershipTag(owner: string, repo: string): Tag {
  return { key: OWNERSHIP_TAG, value: `${owner}/${repo}` }
}

/**
 * aws-account-id names the account the credentials must belong to: STS's answer must agree (the
 * account and the partition its region implies, with which the bucket and the boundary were
 * looked up before STS answered).
 */
export function checkExpectedAccount(expected: Account | undefined, actual: Account): void {
  if (!expected) return
  if (expected.accountId !== actual.accountId)
    throw new ActionError(
      'ACCOUNT_MISMATCH',
      `The credentials belong to AWS account ${actual.accountId}, not to ${expected.accountId} (aws-account-id). Nothing was changed.`,
      'configure credentials of the account aws-account-id names before this step, or correct aws-account-id.'
    )
  if (expected.partition !== actual.partition)
    throw new ActionError(
      'ACCOUNT_MISMATCH',
      `The credentials are of the ${actual.partition} partition, and aws-region names a region of ${expected.partition}. Nothing was changed.`,
      `set aws-region to a region of ${actual.partition}, or configure credentials of ${expected.partition}.`
    )
}

/** The boundary input (a policy name or ARN) as the ARN in the caller's account. */
export function boundaryArn(given: string, identity: Account): string {
  return given.startsWith('arn:')
    ? given
    : `arn:${identity.partition}:iam::${identity.accountId}:policy/${given}`
}

/**
 * A customer-managed policy ARN must be of the caller's account and partition: another account's
 * policy is not the caller's to vouch for. Checked once STS has said which account this is.
 */
export function checkOwnAccountPolicy(
  input: 'policy' | 'permissions-boundary',
  arn: string,
  identity: Account
): void {
  const match = /^arn:([a-z-]+):iam::(\d{12}|aws):policy\//.exec(arn)
  if (!match) return
  const [, partition, account] = match
  if (partition !== identity.partition)
    throw new InputError(
      input,
      `the policy ${arn} is in partition ${partition}, not ${identity.partition} where the action runs`
    )
  if (account !== 'aws' && account !== identity.accountId)
    throw new InputError(
      input,
      `the policy ${arn} belongs to account ${account}, not the caller's account ${identity.accountId}`
    )
}

/** Refuses, before any change, a user that is not the action's to manage for this repository. */
export function checkOwnership(user: UserFacts, userName: string, home: string): void {
  if (user.groups.length > 0)
    throw new ActionError(
      'USER_IN_GROUP',
      `IAM user '${userName}' is a member of the group(s) ${user.groups.join(', ')}, which grant rights the action can neither see nor limit; nothing was changed.`,
      'choose another user-name (the action creates a user of its own), or remove the user from its groups first.'
    )
  const owner = tagValue(user.tags, OWNERSHIP_TAG)
  if (owner === undefined || owner.toLowerCase() !== home.toLowerCase())
    throw new ActionError(
      'USER_NOT_MANAGED',
      `IAM user '${userName}' exists but ${owner === undefined ? `has no tag ${OWNERSHIP_TAG}` : `its tag ${OWNERSHIP_TAG} names ${owner}`}, so it is not the action's user for ${home}; nothing was changed.`,
      `choose another user-name, or adopt the user on purpose: remove what it should not have (keys, policies, groups), then tag it ${OWNERSHIP_TAG}=${home} (see the README).`
    )
}

/**
 * Refuses, before any change, a role that is not the action's for this repository: the same
 * ownership tag and path as its users (a role has no groups).
 */
export function checkRoleOwnership(
  role: { tags: Tag[]; path: string },
  roleName: string,
  home: string,
  path: string
): void {
  const why = roleOwnershipProblem(role, home, path)
  if (why)
    throw new ActionError(
      'ROLE_NOT_MANAGED',
      `IAM role '${roleName}' exists but ${why}, so it is not the action's role for ${home}; nothing was changed.`,
      `choose another role-name, or adopt the role on purpose: give it the path ${path}, remove what it should not have, then tag it ${OWNERSHIP_TAG}=${home} (see the README).`
    )
}

/** Why a role is not the action's for `home` (undefined: it is). */
export function roleOwnershipProblem(
  role: { tags: Tag[]; path: string },
  home: string,
  path: string
): string | undefined {
  const owner = tagValue(role.tags, OWNERSHIP_TAG)
  return owner === undefined
    ? `has no tag ${OWNERSHIP_TAG}`
    : owner.toLowerCase() !== home.toLowerCase()
      ? `its tag ${OWNERSHIP_TAG} names ${owner}`
      : role.path !== path
        ? `its path is ${role.path}, not user-path ${path}`
        : undefined
}
