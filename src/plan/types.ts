/** The plan's shape: what a run will create, reuse, change, rotate and write (see plan.ts). */
import type { Destination, SecretNames, Tag } from '../inputs/config.js'
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

export interface DestinationWrite {
  destination: Destination
  /** Secrets to (re)write, by field. */
  secrets: SecretField[]
  /** Configuration variables to create or update (region-and-bucket-as: variables). */
  variables: { field: 'region' | 'bucket'; exists: boolean }[]
  /**
   * Organization secrets kept as they are whose visibility (or selected repositories) differs
   * from the inputs: only who may use them is changed.
   */
  access: SecretField[]
}

export interface Plan {
  userName: string
  userArn: string
  bucketName: string
  bucketArn: string
  region: string
  partition: string
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
  warnings: string[]
}
