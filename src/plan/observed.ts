/** What the action observed before deciding anything: the input of the pure planning code. */
import type { Destination, Tag } from '../inputs/config.js'
import type { RetireMarker, RotationLock } from './markers.js'
import type { TrustedRepository } from './trust.js'

export interface AccessKey {
  id: string
  status: 'Active' | 'Inactive'
  createdAt: Date
}

/** GetAccessKeyLastUsed: when, by which service and in which region a key was last used. */
export interface KeyLastUsed {
  /** Undefined when the key was never used (as far as IAM has recorded yet). */
  at?: Date
  service?: string
  region?: string
}

export interface ObservedUser {
  arn: string
  path: string
  tags: Tag[]
  permissionsBoundaryArn?: string
  /** Inline policy documents by name (parsed JSON). */
  inlinePolicies: Record<string, unknown>
  managedPolicyArns: string[]
  keys: AccessKey[]
  /** The IAM groups the user is a member of (a group grants rights the action cannot see). */
  groups: string[]
}

/** An IAM role of the name the action would use (role mode). */
export interface ObservedRole {
  arn: string
  path: string
  tags: Tag[]
  permissionsBoundaryArn?: string
  /** The trust policy (parsed JSON). */
  trustPolicy: unknown
  inlinePolicies: Record<string, unknown>
  managedPolicyArns: string[]
}

/** Role mode: the account's OIDC provider for GitHub's issuer, and the repositories trusted. */
export interface ObservedOidc {
  issuer: string
  providerArn: string
  providerExists: boolean
  repositories: TrustedRepository[]
}

/** How a bucket of the account is configured, as far as the action hardens buckets. */
export interface BucketHardening {
  /** All four Block Public Access settings on. */
  publicAccessBlocked: boolean
  /** Object ownership "bucket owner enforced" (ACLs disabled). */
  ownershipEnforced: boolean
  /** A default encryption rule. */
  encrypted: boolean
  /** The bucket policy (parsed), if it has one. */
  policy?: unknown
}

export type ObservedBucket =
  | { state: 'absent' }
  | {
      state: 'owned'
      region: string
      tags: Tag[]
      hardening: BucketHardening
      /**
       * Whether it holds no object, no old version and no delete marker: read only for a removal
       * with remove-bucket (undefined: not read).
       */
      empty?: boolean
    }
  | { state: 'foreign' }

export interface PublicKey {
  keyId: string
  key: string
}

export interface ObservedDestination {
  destination: Destination
  publicKey: PublicKey
  /** Names of the secrets the destination holds now (values are never readable). */
  secretNames: string[]
  /**
   * When each secret held was last written (GitHub's updated_at), where the list was read: a
   * write whose answer was lost took effect if this has moved since.
   */
  secretsUpdatedAt?: Record<string, string>
  /** Configuration variables by name, when region and bucket are stored as variables. */
  variables: Record<string, string>
  /** Organization secrets visible to all or private repositories: how many repositories. */
  readers?: number
  /**
   * Organization destinations: who may use each of the action's secrets held there (the
   * repository ids only where the visibility is selected and the inputs want selected too).
   */
  secretAccess?: Record<string, SecretAccess>
  /**
   * Organization destinations: who may use each of the action's variables held there (as for
   * secretAccess), when the variables were read.
   */
  variableAccess?: Record<string, SecretAccess>
  /** Organization destinations with visibility selected: the ids of the repositories named. */
  wantedRepositoryIds?: number[]
}

export interface SecretAccess {
  visibility: string
  repositoryIds?: number[]
}

export interface Identity {
  accountId: string
  partition: string
  arn: string
}

export type { RotationLock } from './markers.js'

/** Whether the run that set another run's rotation marker is still going, as GitHub says. */
export type LockRunState =
  { state: 'completed' } | { state: 'running' } | { state: 'unknown'; why: string }

export interface Observed {
  identity: Identity
  bucketName: string
  user?: ObservedUser
  /** Role mode only. */
  role?: ObservedRole
  /** Role mode only. */
  oidc?: ObservedOidc
  bucket: ObservedBucket
  destinations: ObservedDestination[]
  /** The permissions boundary the config asks for, resolved, and whether the policy exists. */
  boundary?: { arn: string; exists: boolean }
  rotationLock?: RotationLock
  /** Asked of GitHub when another run's marker names its run and has not expired. */
  rotationLockRun?: LockRunState
  /** New keys of runs that stopped while writing them (user tag `s3-credentials-action:pending`). */
  pendingKeyIds?: string[]
  /** The key an earlier rotation left active for its grace (user tag `s3-credentials-action:retire`). */
  retireMarker?: RetireMarker
  /** The last use of the key the retire marker names, when it is a key of the user. */
  retireKeyLastUsed?: KeyLastUsed
}
