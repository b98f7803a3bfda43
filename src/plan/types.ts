/** The plan's shape: what a run will create, reuse, change, rotate and write (see plan.ts). */
import type { Destination, OldKeyDisposal, SecretNames, Tag } from '../inputs/config.js'
import type { TrustPolicy } from './trust.js'
import type { KeyPlan, OldKeyGrace } from './keys.js'
import type { KeyOrigin } from './markers.js'
import type { PolicyDocument } from './policy.js'

export type UserPlan =
  | { action: 'create'; path: string; tags: Tag[]; permissionsBoundary?: string }
  | { action: 'reuse'; tagsToAdd: Tag[]; setPermissionsBoundary?: string }

/** What a bucket the action made lacks of its hardening, to be put back. */
export interface BucketRepair {
  publicAccessBlock?: true
  ownership?: true
  encryption?: true
  /** The bucket policy with the TLS-only statement (the others kept). */
  policy?: PolicyDocument
}

export type BucketPlan =
  { action: 'create'; tags: Tag[] } | { action: 'reuse'; tagsToSet?: Tag[]; repair?: BucketRepair }

export interface GrantChanges {
  putInline?: { name: string; document: PolicyDocument }
  deleteInline: string[]
  attach: string[]
  detach: string[]
}

export type SecretField = keyof SecretNames

export interface Deletion {
  field: SecretField
  kind: 'secret' | 'variable'
}

export interface DestinationWrite {
  destination: Destination
  /** Secrets to (re)write, by field. */
  secrets: SecretField[]
  /** Configuration variables to create or update (region-and-bucket-as: variables). */
  variables: { field: SecretField; exists: boolean }[]
  /**
   * Secrets or variables to delete once every destination holds what replaces them (a switch of
   * credentials: the key pair's secrets for a role, the role's ARN for a key).
   */
  deletions?: Deletion[]
  /**
   * Organization secrets kept as they are whose visibility stays selected but whose repositories
   * differ from the inputs: only the repositories are set (a visibility that changes is written
   * with the value, in `secrets`).
   */
  access: SecretField[]
}

export type RoleAction =
  | {
      action: 'create'
      path: string
      tags: Tag[]
      permissionsBoundary?: string
      trustPolicy: TrustPolicy
    }
  | {
      action: 'reuse'
      tagsToAdd: Tag[]
      setPermissionsBoundary?: string
      /** The trust policy, when the role's differs from what `trust` names. */
      trustPolicy?: TrustPolicy
    }

/** Role mode (credentials: role): a role trusted through GitHub's OIDC, and no key. */
export interface RolePlan {
  kind: 'role'
  roleName: string
  roleArn: string
  bucketName: string
  bucketArn: string
  region: string
  partition: string
  /** The account the bucket must belong to (ExpectedBucketOwner). */
  accountId: string
  role: RoleAction
  /** The OIDC subjects the trust policy names (for the plan and the summary). */
  subjects: string[]
  bucket: BucketPlan
  grants: GrantChanges
  writes: DestinationWrite[]
  /**
   * A switch from access-key: the user's keys, handled per `old-key` once every destination holds
   * the role and none holds the key any more.
   */
  retireKeys?: { userName: string; keyIds: string[]; disposal: OldKeyDisposal }
  warnings: string[]
}

export interface Plan {
  kind?: 'access-key'
  userName: string
  userArn: string
  bucketName: string
  bucketArn: string
  region: string
  partition: string
  /** The account the bucket must belong to (ExpectedBucketOwner). */
  accountId: string
  user: UserPlan
  bucket: BucketPlan
  grants: GrantChanges
  key: KeyPlan
  /**
   * The key the destinations hold before this run (kept, or replaced by a new one): when it was
   * made and, when its origin tag is on the user, by which run.
   */
  keyInUse?: { keyId: string; createdAt: Date; origin?: KeyOrigin }
  /** The key an earlier rotation left in its grace, and what this run does with it. */
  oldKeyGrace?: OldKeyGrace
  writes: DestinationWrite[]
  /** Marker tags no run holds any more (left by runs that could not remove them): removed. */
  staleMarkers: string[]
  /**
   * A switch back from credentials role: once every destination holds the key, the role's ARN
   * goes from them, and the role itself with old-key delete.
   */
  switchFromRole?: {
    roleName: string
    roleArn: string
    deleteRole: boolean
    /** What is deleted or detached before the role can be. */
    inlinePolicies: string[]
    managedPolicyArns: string[]
  }
  warnings: string[]
}
