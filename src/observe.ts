/** Looks before acting: everything the plan needs, read concurrently, nothing changed. */
import { type Config, deriveBucketName } from './config.js'
import type { AwsClients } from './aws/clients.js'
import { callerIdentity } from './aws/sts.js'
import type { Destinations } from './github/destinations.js'
import { RESERVED_TAG_PREFIX } from './rules.js'
import type { Observed, ObservedUser, RotationLock } from './state.js'

export const ROTATION_LOCK_TAG = `${RESERVED_TAG_PREFIX}rotation`

export interface Observation {
  observed: Observed
  /** Repository ids per organization, for organization secrets with visibility: selected. */
  selectedRepositoryIds: Record<string, number[]>
}

export async function observe(
  config: Config,
  aws: AwsClients,
  github: Destinations
): Promise<Observation> {
  const withVariables = config.regionAndBucketAs === 'variables'
  const [identity, user, destinations, selected] = await Promise.all([
    callerIdentity(aws.sts),
    aws.iam.findUser(config.userName),
    Promise.all(config.destinations.map(d => github.observe(d, withVariables))),
    selectedRepositoryIds(config, github)
  ])
  const bucketName =
    config.bucketName ??
    deriveBucketName(config.homeRepository.owner, config.homeRepository.repo, identity.accountId)
  const bucket = await aws.s3.findBucket(bucketName, identity.accountId, config.tags.length > 0)
  const lock = user ? rotationLock(user) : undefined
  return {
    observed: {
      identity,
      bucketName,
      ...(user ? { user } : {}),
      bucket,
      destinations,
      ...(lock ? { rotationLock: lock } : {})
    },
    selectedRepositoryIds: selected
  }
}

async function selectedRepositoryIds(
  config: Config,
  github: Destinations
): Promise<Record<string, number[]>> {
  const entries = await Promise.all(
    config.destinations.flatMap(d =>
      d.kind === 'organization' && d.visibility === 'selected'
        ? [github.repositoryIds(d.org, d.selectedRepositories).then(ids => [d.org, ids] as const)]
        : []
    )
  )
  return Object.fromEntries(entries)
}

/** The marker tag's value is `<run id> <expiry ISO time>` (IAM tag values allow no '|'). */
export function rotationLock(user: ObservedUser): RotationLock | undefined {
  const tag = user.tags.find(t => t.key === ROTATION_LOCK_TAG)
  if (!tag) return undefined
  const [runId = '', expires = ''] = tag.value.split(' ')
  const expiresAt = new Date(expires)
  return Number.isNaN(expiresAt.getTime()) ? undefined : { runId, expiresAt }
}

export function formatRotationLock(lock: RotationLock): string {
  return `${lock.runId} ${lock.expiresAt.toISOString()}`
}
