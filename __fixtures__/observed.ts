/**
 * Typed builders for what observe() returns: Observed, ObservedUser, ObservedDestination and
 * AccessKey. Defaults describe the steady state of octo-org/app in account 123456789012.
 */
import type { Config, Destination } from '../src/inputs/config.js'
import { DEFAULT_BOUNDARY_NAME, DEFAULT_USER_PATH, OWNERSHIP_TAG } from '../src/plan/containment.js'
import { bucketAccessPolicy, INLINE_POLICY_NAME, tlsOnlyBucketPolicy } from '../src/plan/policy.js'
import type {
  AccessKey,
  BucketHardening,
  Identity,
  Observed,
  ObservedBucket,
  ObservedDestination,
  ObservedUser
} from '../src/plan/observed.js'

export const ACCOUNT_ID = '123456789012'
export const PARTITION = 'aws'
export const BUCKET = 's3ca-octo-org-app-edfc67-123456789012'
export const USER_NAME = 'octo-org+app'
export const USER_PATH = DEFAULT_USER_PATH
export const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/${DEFAULT_BOUNDARY_NAME}`
/** The tag every user the action made for octo-org/app carries. */
export const OWNERSHIP = { key: OWNERSHIP_TAG, value: 'octo-org/app' }
export const NOW = new Date('2025-06-15T12:00:00Z')
export const DAY_MS = 24 * 60 * 60 * 1000

export const KEY_A = 'AKIAAAAAAAAAAAAAAAAA'
export const KEY_B = 'AKIABBBBBBBBBBBBBBBB'
export const KEY_C = 'AKIACCCCCCCCCCCCCCCC'

export function daysAgo(days: number, now: Date = NOW): Date {
  return new Date(now.getTime() - days * DAY_MS)
}

export function accessKey(
  id: string,
  status: AccessKey['status'] = 'Active',
  createdAt: Date = daysAgo(10)
): AccessKey {
  return { id, status, createdAt }
}

export function identity(overrides: Partial<Identity> = {}): Identity {
  return {
    accountId: ACCOUNT_ID,
    partition: PARTITION,
    arn: `arn:aws:iam::${ACCOUNT_ID}:role/deployer`,
    ...overrides
  }
}

/**
 * A user as the action leaves it: the action's path, its ownership tag, the default boundary, our
 * read-write inline policy, one active key, no group.
 */
export function observedUser(overrides: Partial<ObservedUser> = {}): ObservedUser {
  return {
    arn: `arn:aws:iam::${ACCOUNT_ID}:user${USER_PATH}${USER_NAME}`,
    path: USER_PATH,
    tags: [OWNERSHIP],
    permissionsBoundaryArn: BOUNDARY_ARN,
    inlinePolicies: { [INLINE_POLICY_NAME]: bucketAccessPolicy(PARTITION, BUCKET, 'read-write') },
    managedPolicyArns: [],
    keys: [accessKey(KEY_A)],
    groups: [],
    ...overrides
  }
}

/** A bucket as the action leaves it: every hardening setting on, the TLS-only policy in place. */
export function hardenedBucket(bucket = BUCKET): BucketHardening {
  return {
    publicAccessBlocked: true,
    ownershipEnforced: true,
    encrypted: true,
    policy: tlsOnlyBucketPolicy(PARTITION, bucket)
  }
}

export function ownedBucket(
  region = 'us-east-1',
  tags: { key: string; value: string }[] = [OWNERSHIP],
  hardening: BucketHardening = hardenedBucket()
): ObservedBucket {
  return { state: 'owned', region, tags, hardening }
}

export const ABSENT_BUCKET: ObservedBucket = { state: 'absent' }
export const FOREIGN_BUCKET: ObservedBucket = { state: 'foreign' }

export const REPO_DESTINATION: Destination = { kind: 'repository', owner: 'octo-org', repo: 'app' }

export const ALL_SECRET_NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_BUCKET_NAME'
]

export function observedDestination(
  overrides: Partial<ObservedDestination> = {}
): ObservedDestination {
  return {
    destination: REPO_DESTINATION,
    publicKey: { keyId: '568250167242549743', key: 'cHVibGljLWtleS1wbGFjZWhvbGRlcg==' },
    secretNames: [...ALL_SECRET_NAMES],
    variables: {},
    ...overrides
  }
}

/** Nothing exists yet: no user, a free bucket name, destinations holding no secrets. */
export function freshObserved(config: Config, overrides: Partial<Observed> = {}): Observed {
  return {
    identity: identity(),
    bucketName: BUCKET,
    bucket: ABSENT_BUCKET,
    boundary: { arn: BOUNDARY_ARN, exists: true },
    destinations: config.destinations.map(destination =>
      observedDestination({ destination, secretNames: [] })
    ),
    ...overrides
  }
}

/** A second run after a successful first one: everything in place. */
export function steadyObserved(config: Config, overrides: Partial<Observed> = {}): Observed {
  return {
    identity: identity(),
    bucketName: BUCKET,
    user: observedUser(),
    bucket: ownedBucket(config.region),
    boundary: { arn: BOUNDARY_ARN, exists: true },
    destinations: config.destinations.map(destination => observedDestination({ destination })),
    ...overrides
  }
}
