/**
 * What carrying out a plan did, and the failure that reports it: shared by the apply steps
 * (execute.ts, key-lifecycle.ts, write-secrets.ts), the outputs and the job summary.
 */
import type { AwsClients } from '../aws/clients.js'
import type { VerifyResult } from '../aws/verify.js'
import type { Config, Destination } from '../inputs/config.js'
import { ActionError, type ErrorCode } from '../errors.js'
import type { Destinations } from '../github/destinations.js'
import type { Plan } from '../plan/plan.js'
import type { ObservedDestination } from '../plan/observed.js'

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
  /**
   * Failed secrets GitHub never answered for and whose effect could not be read back: they may
   * hold the new value or the one before (also listed in `failed`).
   */
  uncertain: string[]
}

export interface Outcome {
  keyId?: string
  /** When the new key was made (CreateAccessKey), when this run made one that stays. */
  keyCreatedAt?: Date
  keyCreated: boolean
  rotated: boolean
  oldKeyId?: string
  /** in-grace: left active until oldKeyRetireAfter (old-key-grace-hours), recorded on the user. */
  oldKeyResult?: 'deleted' | 'deactivated' | 'kept' | 'kept-active' | 'in-grace'
  oldKeyRetireAfter?: Date
  /** The key an earlier rotation left in its grace, retired (or found in use) by this run. */
  graceRetired?: GraceRetired
  removedKeys: string[]
  writes: WriteResult[]
  /** Secrets deleted (role mode: the key pair's, once every destination holds the role). */
  deleted?: string[]
  /** A switch back from credentials role: the role deleted. */
  removedRole?: string
  verification?: VerifyResult
  timingsMs: Record<string, number>
}

export interface GraceRetired {
  keyId: string
  result: 'deleted' | 'deactivated' | 'kept' | 'inactive' | 'failed'
}

export interface Context {
  config: Config
  plan: Plan
  aws: AwsClients
  github: Destinations
  observed: ObservedDestination[]
  selectedRepositoryIds: Record<string, number[]>
  /** The user's access keys at the look-up: any other key found later was made by this run. */
  userKeyIds: string[]
  runId: string
  now: () => Date
  log: Log
  /** Filled with the marker tags this run could not remove, for the run's last lines. */
  markersLeft: string[]
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

export interface DestinationRemovalResult {
  destination: Destination
  /** Secret and variable names removed (variables as `NAME (variable)`). */
  removed: string[]
  failed: { name: string; error: string }[]
}

/** What a removal did. */
export interface RemovalOutcome {
  destinations: DestinationRemovalResult[]
  keysDeleted: string[]
  policiesRemoved: string[]
  userDeleted: boolean
  /** The action's role (credentials role), deleted. */
  roleDeleted?: boolean
  /** What became of a bucket the plan deletes. */
  bucket?: 'deleted' | 'not-empty'
  timingsMs: Record<string, number>
}

/** A removal that stopped midway: carries what was done, for the outputs and the summary. */
export class RemovalIncompleteError extends ActionError {
  constructor(
    message: string,
    readonly outcome: RemovalOutcome,
    opts: { code?: ErrorCode; remedy?: string; cause?: unknown } = {}
  ) {
    super(
      opts.code ?? 'REMOVAL_INCOMPLETE',
      message,
      opts.remedy ?? 'run the step again with remove: true: it removes only what is left.',
      opts.cause === undefined ? {} : { cause: opts.cause }
    )
    this.name = 'RemovalIncompleteError'
  }
}

export { errorText } from '../errors.js'

/** Runs `work` and records how long it took under `phase`. */
export async function timed<T>(
  timings: Record<string, number>,
  phase: string,
  work: Promise<T> | (() => Promise<T>)
): Promise<T> {
  const start = Date.now()
  try {
    return await (typeof work === 'function' ? work() : work)
  } finally {
    timings[phase] = Date.now() - start
  }
}
