/** Looks before acting: everything the plan needs, read concurrently, nothing changed. */
import { type Config, deriveBucketName } from './inputs/config.js'
import type { AwsClients } from './aws/clients.js'
import { callerIdentity } from './aws/sts.js'
import type { Destinations } from './github/destinations.js'
import {
  pendingKeys,
  retireMarker,
  rotationLock,
  workflowRunNumber,
  type RotationLock
} from './plan/markers.js'
import { boundaryArn, checkExpectedAccount } from './plan/containment.js'
import { regionPartition } from './inputs/rules.js'
import { INLINE_POLICY_NAME } from './plan/policy.js'
import type { LockRunState, Observed, ObservedBucket, ObservedOidc } from './plan/observed.js'
import { oidcIssuer, oidcProviderArn } from './plan/trust.js'

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
  const findUser = aws.iam.findUser(config.userName, INLINE_POLICY_NAME)
  const identityReady = callerIdentity(aws.sts, config.region)
  // The account names the derived bucket, owns the bucket looked up (ExpectedBucketOwner) and the
  // boundary: given as aws-account-id, they are looked up at once, beside STS, which must agree
  // (checked below, before any plan); otherwise as soon as STS has answered.
  const expected = config.awsAccountId
    ? { accountId: config.awsAccountId, partition: regionPartition(config.region) }
    : undefined
  const accountReady = expected ? Promise.resolve(expected) : identityReady
  const identityChecked = identityReady.then(identity => {
    checkExpectedAccount(expected, identity)
    return identity
  })
  // What was looked up in the expected account counts (and fails) only once STS agrees with it:
  // in another account, the mismatch is the error to report, not the bucket it cannot read.
  const onceAgreed = <T>(lookUp: Promise<T>): Promise<T> => {
    lookUp.catch(() => undefined)
    return identityChecked.then(() => lookUp)
  }
  // A named bucket that does not exist yet (the usual first run) is known to be free after one
  // round trip, alongside STS, without it.
  const named = config.bucketName
  const free = named === undefined ? Promise.resolve(false) : aws.s3.isFree(named)
  const bucketReady = accountReady.then(async identity => {
    const name =
      named ??
      deriveBucketName(config.homeRepository.owner, config.homeRepository.repo, identity.accountId)
    const bucket: ObservedBucket = (await free)
      ? { state: 'absent' }
      : await aws.s3.findBucket(name, identity.accountId)
    // Whether it is empty matters only to a removal that may delete it.
    if (bucket.state === 'owned' && config.remove && config.removeBucket)
      bucket.empty = await aws.s3.isEmpty(name, identity.accountId)
    return { name, bucket }
  })
  // The boundary's existence is checked beside the bucket, once the account is known.
  const boundaryReady = accountReady.then(async identity => {
    if (config.permissionsBoundary === undefined || config.remove) return undefined
    const arn = boundaryArn(config.permissionsBoundary, identity)
    return { arn, exists: await aws.iam.policyExists(arn) }
  })
  const roleMode = config.credentials === 'role'
  // With access-key, a role is looked for (one read beside the user's) for a switch back from
  // role: only where one exists are its grants and the destinations' variables read (the role
  // itself is not read again).
  const roleRead = roleMode ? undefined : aws.roles.readRole(config.roleName)
  const roleFound = roleRead ? roleRead.then(r => r !== undefined) : Promise.resolve(true)
  const roleReady = roleRead
    ? roleRead.then(read => (read ? aws.roles.findRole(config.roleName, read) : undefined))
    : aws.roles.findRole(config.roleName)
  // A removal needs no trust: the provider and the subjects are not read.
  const oidcReady =
    roleMode && !config.remove
      ? identityReady.then(identity => observeOidc(config, aws, github, identity))
      : Promise.resolve(undefined)
  // The key an earlier rotation left in its grace: its last use decides how it is retired.
  const retireReady = findUser.then(async u => {
    const marker = u ? retireMarker(u.tags) : undefined
    if (!u || !marker || !u.keys.some(k => k.id === marker.keyId)) return { marker }
    return { marker, lastUsed: await aws.iam.keyLastUsed(config.userName, marker.keyId) }
  })
  const [
    identity,
    user,
    destinations,
    selected,
    { name: bucketName, bucket },
    boundary,
    readers,
    role,
    oidc,
    retire
  ] = await Promise.all([
    identityChecked,
    findUser,
    // Every destination's secret list is read beside its public key, whatever IAM says: GitHub's
    // limits are checked against it before anything is made (a first run included), a write whose
    // answer was lost is judged by its updated_at, and a removal or a switch of credentials needs it.
    Promise.all(
      config.destinations.map(d =>
        github.observe(d, {
          variables: withVariables ? Promise.resolve(true) : roleFound,
          access: Object.values(config.names)
        })
      )
    ),
    // Who may read an organization's secrets matters to writing them, not to removing them.
    config.remove ? ({} as Record<string, number[]>) : selectedRepositoryIds(config, github),
    onceAgreed(bucketReady),
    onceAgreed(boundaryReady),
    config.remove ? ({} as Record<string, number | undefined>) : readerCounts(config, github),
    roleReady,
    oidcReady,
    retireReady
  ])
  const lock = user ? rotationLock(user.tags) : undefined
  const lockRun = lock ? await lockRunState(lock, config, github) : undefined
  const pendingKeyIds = user ? pendingKeys(user.tags) : []
  return {
    observed: {
      identity,
      bucketName,
      ...(user ? { user } : {}),
      ...(role ? { role } : {}),
      ...(oidc ? { oidc } : {}),
      bucket,
      ...(boundary ? { boundary } : {}),
      destinations: destinations.map(o => {
        if (o.destination.kind !== 'organization') return o
        const count = readers[o.destination.org]
        return o.destination.visibility === 'selected'
          ? { ...o, wantedRepositoryIds: selected[o.destination.org] ?? [] }
          : count === undefined
            ? o
            : { ...o, readers: count }
      }),
      ...(lock ? { rotationLock: lock } : {}),
      ...(lockRun ? { rotationLockRun: lockRun } : {}),
      ...(pendingKeyIds.length > 0 ? { pendingKeyIds } : {}),
      ...(retire.marker ? { retireMarker: retire.marker } : {}),
      ...(retire.lastUsed ? { retireKeyLastUsed: retire.lastUsed } : {})
    },
    selectedRepositoryIds: selected
  }
}

/**
 * Another run's marker that has not expired and names its run: GitHub says whether that run is
 * still going (a round trip only then; a run that has ended holds nothing).
 */
async function lockRunState(
  lock: RotationLock,
  config: Config,
  github: Destinations
): Promise<LockRunState | undefined> {
  const run = workflowRunNumber(lock.runId)
  if (run === undefined || !lock.repository || lock.runId === config.run.id) return undefined
  if (lock.expiresAt.getTime() <= Date.now()) return undefined
  return github.workflowRun(lock.repository, run)
}

/** Organizations whose secrets all or private repositories may read: how many repositories. */
async function readerCounts(
  config: Config,
  github: Destinations
): Promise<Record<string, number | undefined>> {
  const entries = await Promise.all(
    config.destinations.flatMap(d =>
      d.kind === 'organization' && d.visibility !== 'selected'
        ? [github.readerCount(d.org, d.visibility).then(n => [d.org, n] as const)]
        : []
    )
  )
  return Object.fromEntries(entries)
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

/**
 * Role mode: whether the account has the provider for the issuer of the GitHub the action runs
 * against, and how GitHub spells, numbers and names the subjects of every repository trusted.
 */
async function observeOidc(
  config: Config,
  aws: AwsClients,
  github: Destinations,
  identity: { partition: string; accountId: string }
): Promise<ObservedOidc> {
  const issuer = oidcIssuer(config.run.serverUrl)
  const providerArn = oidcProviderArn(identity.partition, identity.accountId, issuer)
  const [providerExists, repositories] = await Promise.all([
    aws.roles.providerExists(providerArn),
    Promise.all(
      trustedRepositories(config).map(([owner, repo]) => github.trustedRepository(owner, repo))
    )
  ])
  return { issuer, providerArn, providerExists, repositories }
}

/** The repositories whose workflows the role trusts: every repository the values go to. */
function trustedRepositories(config: Config): [string, string][] {
  const all = config.destinations.flatMap((d): [string, string][] =>
    d.kind === 'repository'
      ? [[d.owner, d.repo]]
      : d.selectedRepositories.map((r): [string, string] => [d.org, r])
  )
  return all.filter(
    ([o, r], i) =>
      all.findIndex(
        ([o2, r2]) => o2.toLowerCase() === o.toLowerCase() && r2.toLowerCase() === r.toLowerCase()
      ) === i
  )
}
