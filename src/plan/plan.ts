/**
 * The plan: what the run will create, reuse, change, rotate, write and delete, and why. Computed by
 * pure code from the config and what was observed; the executor, the dry run and the summary all
 * read the same object.
 */
import type { Config, Tag } from '../inputs/config.js'
import { checkWriteBudget } from './budget.js'
import { checkDestinationLimits } from './limits.js'
import {
  boundaryArn,
  checkOwnAccountPolicy,
  checkOwnership,
  OWNERSHIP_TAG,
  ownershipTag,
  roleOwnershipProblem
} from './containment.js'
import { ActionError } from '../errors.js'
import {
  isEarlierAttempt,
  keyOrigins,
  lockRunUrl,
  MAX_ROTATION_LOCK_MS,
  PENDING_KEY_TAG,
  RETIRE_TAG,
  ROTATION_LOCK_TAG,
  staleKeyOriginTags,
  tagValue
} from './markers.js'
import {
  crediblePendingKeys,
  decideKey,
  graceKey,
  oldKeyGrace,
  type KeyFacts,
  type KeyPlan,
  type OldKeyGrace
} from './keys.js'
import {
  bucketArn,
  grantsFor,
  INLINE_POLICY_NAME,
  sameDocument,
  tlsOnlyBucketPolicy,
  type PolicyDocument
} from './policy.js'
import type {
  BucketHardening,
  Observed,
  ObservedDestination,
  ObservedUser,
  SecretAccess
} from './observed.js'
import type {
  BucketPlan,
  BucketRepair,
  Deletion,
  DestinationWrite,
  GrantChanges,
  Plan,
  SecretField,
  UserPlan
} from './types.js'

export type * from './types.js'

export function userArn(partition: string, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:user${path}${name}`
}

/** `runId` is this run's (`run-<id>-<attempt>`): an earlier attempt's rotation marker is stale. */
export function buildPlan(config: Config, observed: Observed, now: Date, runId?: string): Plan {
  const { identity, bucketName } = observed
  checkContainment(config, observed)
  checkBucket(config, observed)
  checkUserPath(config, observed.user)
  const holdsKey = (d: Observed['destinations'][number]) =>
    [config.names.accessKeyId, config.names.secretAccessKey].every(n => d.secretNames.includes(n))
  const destinationsHoldKey = observed.destinations.every(holdsKey)
  const keyFacts: KeyFacts = {
    userExists: observed.user !== undefined,
    keys: observed.user?.keys ?? [],
    destinationsHoldKey,
    someDestinationsHoldKey: observed.destinations.some(holdsKey),
    ...(config.currentAccessKeyId ? { currentAccessKeyId: config.currentAccessKeyId } : {}),
    rotate: config.rotate,
    ...(config.maxKeyAgeDays !== undefined ? { maxKeyAgeDays: config.maxKeyAgeDays } : {}),
    oldKey: config.oldKey,
    now,
    ...(observed.pendingKeyIds ? { pendingKeyIds: observed.pendingKeyIds } : {}),
    graceHours: config.oldKeyGraceHours,
    ...(observed.retireMarker ? { retireMarker: observed.retireMarker } : {}),
    ...(observed.retireKeyLastUsed ? { retireKeyLastUsed: observed.retireKeyLastUsed } : {}),
    ...pairVisibilityChange(config, observed.destinations)
  }
  const key = decideKey(keyFacts)
  const grace = oldKeyGrace(keyFacts, key)
  const ignoredRetire = observed.user ? graceKey(keyFacts).ignored : undefined
  const pending = crediblePendingKeys(keyFacts)
  const pendingWarnings = observed.user
    ? pending.ignored.map(
        k =>
          `The tag ${PENDING_KEY_TAG} names ${k.keyId}, ${k.why}: it is not treated as an unfinished run's key. Remove the tag if no run of the action set it.`
      )
    : []
  const lockWarnings = checkRotationLock(config, observed, key, now, runId)
  const exposureWarnings = observed.destinations.flatMap(exposureWarning)
  const switchFromRole = planSwitchFromRole(config, observed)
  const writes = observed.destinations.map(d =>
    withRoleDeletions(planWrites(config, d, key, bucketName), d, config, switchFromRole)
  )
  const budgetWarnings = checkWriteBudget(writes, config.maxWrites)
  checkDestinationLimits(writes, observed.destinations, config.names, config.secretStore)
  return {
    userName: config.userName,
    userArn:
      observed.user?.arn ??
      userArn(identity.partition, identity.accountId, config.userPath, config.userName),
    bucketName,
    bucketArn: bucketArn(identity.partition, bucketName),
    region: config.region,
    partition: identity.partition,
    accountId: identity.accountId,
    user: planUser(config, observed),
    bucket: planBucket(config, observed),
    grants: planGrants(config, observed, observed.user),
    key,
    writes,
    ...(grace ? { oldKeyGrace: grace } : {}),
    ...keyInUse(observed, key),
    staleMarkers: [
      ...staleMarkers(observed, key, pending.ids, now, runId),
      ...(ignoredRetire ? [RETIRE_TAG] : []),
      ...(observed.user
        ? staleKeyOriginTags(
            observed.user.tags,
            observed.user.keys.map(k => k.id)
          )
        : [])
    ],
    ...(switchFromRole ? { switchFromRole } : {}),
    warnings: [
      ...config.warnings,
      ...pendingWarnings,
      ...(ignoredRetire
        ? [
            `The tag ${RETIRE_TAG} names ${ignoredRetire.keyId}, ${ignoredRetire.why}: it is not retired because of it, and the tag is removed. Remove the tag if no run of the action set it.`
          ]
        : []),
      ...(grace ? graceWarnings(grace) : []),
      ...exposureWarnings,
      ...lockWarnings,
      ...keyWarnings(key),
      ...budgetWarnings
    ]
  }
}

export /**
 * A switch back from credentials role: the action's role for this repository exists (a role that
 * is not its own is left alone, and so are the values that may refer to it).
 */
function planSwitchFromRole(config: Config, observed: Observed): Plan['switchFromRole'] {
  const role = observed.role
  const { owner, repo } = config.homeRepository
  if (!role || roleOwnershipProblem(role, `${owner}/${repo}`, config.userPath)) return undefined
  return {
    roleName: config.roleName,
    roleArn: role.arn,
    deleteRole: config.oldKey === 'delete',
    inlinePolicies: Object.keys(role.inlinePolicies),
    managedPolicyArns: role.managedPolicyArns
  }
}

/** The role's ARN goes from every destination that holds it, as a secret or a variable. */
function withRoleDeletions(
  write: DestinationWrite,
  observed: ObservedDestination,
  config: Config,
  switchFromRole: Plan['switchFromRole']
): DestinationWrite {
  if (!switchFromRole) return write
  const name = config.names.roleArn
  const deletions: Deletion[] = [
    ...(observed.secretNames.includes(name)
      ? [{ field: 'roleArn' as const, kind: 'secret' as const }]
      : []),
    ...(name in observed.variables
      ? [{ field: 'roleArn' as const, kind: 'variable' as const }]
      : [])
  ]
  return deletions.length > 0 ? { ...write, deletions } : write
}

export function checkBucket(config: Config, observed: Observed): void {
  const { bucket, bucketName } = observed
  if (bucket.state === 'foreign')
    throw new ActionError(
      'BUCKET_FOREIGN',
      `Bucket '${bucketName}' exists but belongs to another AWS account (or this role may not see it); nothing was changed.`,
      'choose another bucket-name (bucket names are global across all AWS accounts).'
    )
  if (bucket.state === 'owned' && bucket.region !== config.region)
    throw new ActionError(
      'BUCKET_REGION_MISMATCH',
      `Bucket '${bucketName}' is in ${bucket.region}, not in aws-region ${config.region}; nothing was changed.`,
      `set aws-region: ${bucket.region}, or choose another bucket-name.`
    )
}

/** Returns the warnings about a marker it ignores; throws while another run holds it. */
/**
 * Markers left by runs that could not remove them, which this run removes: a pending marker none
 * of whose ids counts, and a rotation marker no run holds (expired, stale, an earlier attempt's,
 * or its run has ended). A run that makes a key sets and removes both itself.
 */
function staleMarkers(
  observed: Observed,
  key: KeyPlan,
  credible: string[],
  now: Date,
  runId?: string
): string[] {
  if (!observed.user || key.action === 'create') return []
  const stale: string[] = []
  if ((observed.pendingKeyIds?.length ?? 0) > 0 && credible.length === 0)
    stale.push(PENDING_KEY_TAG)
  const lock = observed.rotationLock
  if (
    lock &&
    (lock.expiresAt <= now ||
      lock.expiresAt.getTime() > now.getTime() + MAX_ROTATION_LOCK_MS ||
      (runId !== undefined && isEarlierAttempt(lock.runId, runId)) ||
      observed.rotationLockRun?.state === 'completed')
  )
    stale.push(ROTATION_LOCK_TAG)
  return stale
}

/** Organization secrets that more than the named repositories may read: how many can. */
function exposureWarning(o: ObservedDestination): string[] {
  const d = o.destination
  if (d.kind !== 'organization' || d.visibility === 'selected') return []
  const which = d.visibility === 'private' ? 'private and internal ' : ''
  const count = o.readers === undefined ? '' : ` (${o.readers} repositories)`
  return [
    `visibility '${d.visibility}': every ${which}repository of '${d.org}'${count} can read the AWS key; prefer visibility selected with selected-repositories.`
  ]
}

function checkRotationLock(
  config: Config,
  observed: Observed,
  key: KeyPlan,
  now: Date,
  runId?: string
): string[] {
  return key.action === 'create' ? checkLockHeld(config, observed, now, runId) : []
}

/**
 * Another run's live rotation marker refuses a run that changes the keys (throws); the warnings
 * about a marker that is ignored (stale, or its run has ended) otherwise.
 */
export function checkLockHeld(
  config: Config,
  observed: Observed,
  now: Date,
  runId?: string
): string[] {
  const lock = observed.rotationLock
  if (!observed.user || !lock || lock.expiresAt <= now) return []
  // Anyone who may tag the user can write the marker: an expiry no run could have set is stale.
  if (lock.expiresAt.getTime() > now.getTime() + MAX_ROTATION_LOCK_MS)
    return [
      `The tag ${ROTATION_LOCK_TAG} on the user says a run holds it until ${lock.expiresAt.toISOString()}, later than any run can (${MAX_ROTATION_LOCK_MS / 60_000} minutes): it is ignored as stale.`
    ]
  if (runId && isEarlierAttempt(lock.runId, runId)) return []
  const url = lockRunUrl(config.run.serverUrl, lock)
  const run = observed.rotationLockRun
  const which = `${lock.runId}${url ? `, ${url}` : ''}`
  if (run?.state === 'completed')
    return [
      `The tag ${ROTATION_LOCK_TAG} was set by run ${which}, which has ended: this run takes the rotation over.`
    ]
  throw new ActionError(
    'ROTATION_IN_PROGRESS',
    `Another run (${which}) is changing the keys of this user until ${lock.expiresAt.toISOString()}; nothing was changed.`,
    run?.state === 'unknown'
      ? `let that run finish and run again; ${run.why}, so the action could not check whether it has ended: give the token "Actions: read" to let it check.`
      : 'let that run finish and run again (the README workflow uses a concurrency group so runs queue instead).'
  )
}

export function checkUserPath(config: Config, user: ObservedUser | undefined): void {
  if (user && user.path !== config.userPath)
    throw new ActionError(
      'USER_PATH_MISMATCH',
      `IAM user '${config.userName}' exists with path ${user.path}, not user-path ${config.userPath}; nothing was changed.`,
      `set user-path: ${user.path}, or choose another user-name.`
    )
}

export function missingTags(wanted: Tag[], present: Tag[]): Tag[] {
  return wanted.filter(t => !present.some(p => p.key === t.key && p.value === t.value))
}

/**
 * Before anything changes: the policy and the boundary are the caller's own, the boundary exists,
 * and an existing user is the action's for this repository (containment.ts).
 */
function checkContainment(config: Config, observed: Observed): void {
  checkPolicies(config, observed)
  const { owner, repo } = config.homeRepository
  if (observed.user) checkOwnership(observed.user, config.userName, `${owner}/${repo}`)
}

/** The policy and the boundary are the caller's own, and the boundary exists. */
export function checkPolicies(config: Config, observed: Observed): void {
  if (config.policy.kind === 'managed')
    checkOwnAccountPolicy('policy', config.policy.arn, observed.identity)
  const boundary = wantedBoundary(config, observed)
  if (boundary) {
    checkOwnAccountPolicy('permissions-boundary', boundary, observed.identity)
    if (observed.boundary?.arn === boundary && !observed.boundary.exists)
      throw new ActionError(
        'BOUNDARY_MISSING',
        `The permissions boundary ${boundary} does not exist; nothing was changed.`,
        'deploy bootstrap/role.yml (it creates the boundary policy), name an existing policy in permissions-boundary, or set permissions-boundary: none.'
      )
  }
}

/** The boundary's ARN in the caller's account (a name given is of that account). */
export function wantedBoundary(config: Config, observed: Observed): string | undefined {
  return config.permissionsBoundary === undefined
    ? undefined
    : boundaryArn(config.permissionsBoundary, observed.identity)
}

function planUser(config: Config, observed: Observed): UserPlan {
  const { user } = observed
  const boundary = wantedBoundary(config, observed)
  const { owner, repo } = config.homeRepository
  if (!user)
    return {
      action: 'create',
      path: config.userPath,
      tags: [...config.tags, ownershipTag(owner, repo)],
      ...(boundary ? { permissionsBoundary: boundary } : {})
    }
  const boundaryChanges = boundary !== undefined && boundary !== user.permissionsBoundaryArn
  return {
    action: 'reuse',
    tagsToAdd: missingTags(config.tags, user.tags),
    ...(boundaryChanges ? { setPermissionsBoundary: boundary } : {})
  }
}

export function planBucket(config: Config, observed: Observed): BucketPlan {
  const { owner, repo } = config.homeRepository
  const bucket = observed.bucket
  if (bucket.state !== 'owned')
    return { action: 'create', tags: [...config.tags, ownershipTag(owner, repo)] }
  const present = bucket.tags
  // PutBucketTagging replaces the whole set: keep the tags others put there.
  const tagsToSet =
    missingTags(config.tags, present).length === 0
      ? undefined
      : [...present.filter(p => !config.tags.some(t => t.key === p.key)), ...config.tags]
  // Only a bucket the action made for this repository is brought back to its hardening.
  const ours = tagValue(present, OWNERSHIP_TAG)?.toLowerCase() === `${owner}/${repo}`.toLowerCase()
  const repair = ours
    ? bucketRepair(
        bucket.hardening,
        tlsOnlyBucketPolicy(observed.identity.partition, observed.bucketName)
      )
    : undefined
  return {
    action: 'reuse',
    ...(tagsToSet ? { tagsToSet } : {}),
    ...(repair ? { repair } : {})
  }
}

/** What the bucket lacks of the hardening the action gave it; undefined when nothing. */
export function bucketRepair(
  h: BucketHardening,
  tlsOnly: PolicyDocument
): BucketRepair | undefined {
  const ours = tlsOnly.Statement[0]!
  const current = (h.policy as { Statement?: unknown } | undefined)?.Statement
  const statements = Array.isArray(current) ? (current as { Sid?: unknown }[]) : []
  const hasTlsOnly = statements.some(st => sameDocument(st, ours))
  const repair: BucketRepair = {
    ...(h.publicAccessBlocked ? {} : { publicAccessBlock: true as const }),
    ...(h.ownershipEnforced ? {} : { ownership: true as const }),
    ...(h.encrypted ? {} : { encryption: true as const }),
    ...(hasTlsOnly
      ? {}
      : {
          policy: {
            ...tlsOnly,
            // The bucket's other statements stay; a changed statement of ours is replaced.
            Statement: [...statements.filter(st => st.Sid !== ours.Sid), ours]
          } as PolicyDocument
        })
  }
  return Object.keys(repair).length > 0 ? repair : undefined
}

/**
 * The user is dedicated to this action, so any grant the chosen policy does not include is
 * removed: switching `policy` leaves no leftover permission behind.
 */
export function planGrants(
  config: Config,
  observed: Observed,
  /** The user or the role whose grants these are; undefined when it does not exist yet. */
  principal: Pick<ObservedUser, 'inlinePolicies' | 'managedPolicyArns'> | undefined
): GrantChanges {
  const wanted = grantsFor(config.policy, observed.identity.partition, observed.bucketName)
  const inline = principal?.inlinePolicies ?? {}
  const attached = principal?.managedPolicyArns ?? []
  const ours = inline[INLINE_POLICY_NAME]
  const putInline =
    wanted.inline && !(ours !== undefined && sameDocument(ours, wanted.inline))
      ? { name: INLINE_POLICY_NAME, document: wanted.inline }
      : undefined
  return {
    ...(putInline ? { putInline } : {}),
    deleteInline: Object.keys(inline).filter(n => !(wanted.inline && n === INLINE_POLICY_NAME)),
    attach: wanted.managedArns.filter(a => !attached.includes(a)),
    detach: attached.filter(a => !wanted.managedArns.includes(a))
  }
}

function planWrites(
  config: Config,
  observed: ObservedDestination,
  key: KeyPlan,
  bucketName: string
): DestinationWrite {
  const names = config.names
  const values = { region: config.region, bucket: bucketName }
  const secrets: SecretField[] = key.action === 'create' ? ['accessKeyId', 'secretAccessKey'] : []
  const variables: DestinationWrite['variables'] = []
  for (const field of ['region', 'bucket'] as const) {
    if (config.regionAndBucketAs === 'variables') {
      const current = observed.variables[names[field]]
      // A variable's value is known: who may use it changes with it, in one PATCH.
      const access = accessChange(
        observed.destination,
        observed.variableAccess?.[names[field]],
        observed
      )
      if (current !== values[field] || access !== 'none')
        variables.push({ field, exists: current !== undefined })
      continue
    }
    // Secrets cannot be read back. A fresh start (a new user, or a user whose key no destination
    // holds) rewrites them: they may be left from another account or bucket. A key that replaces
    // one the destinations hold (rotation, a destination added, an unfinished run) leaves region
    // and bucket as they are where they exist: they did not change.
    const fresh = key.action === 'create' && !key.replaces && !key.resumes?.length
    if (!observed.secretNames.includes(names[field]) || fresh) secrets.push(field)
  }
  const secretFields: SecretField[] =
    config.regionAndBucketAs === 'variables'
      ? ['accessKeyId', 'secretAccessKey']
      : ['accessKeyId', 'secretAccessKey', 'region', 'bucket']
  const kept = secretFields.filter(field => !secrets.includes(field))
  // A visibility that changes is written with the value (region and bucket are known; the key
  // pair's visibility makes a new key, see pairVisibilityChange); repositories alone are set
  // through their own route.
  const change = (field: SecretField) =>
    accessChange(observed.destination, observed.secretAccess?.[names[field]], observed)
  secrets.push(...kept.filter(f => !KEY_PAIR.includes(f) && change(f) === 'visibility'))
  const access = kept.filter(f => change(f) === 'repositories')
  return { destination: observed.destination, secrets, variables, access }
}

const KEY_PAIR: SecretField[] = ['accessKeyId', 'secretAccessKey']

/**
 * How who may use an organization secret or variable differs from the inputs: its visibility, or
 * (visibility selected on both sides) only its repositories.
 */
export function accessChange(
  d: ObservedDestination['destination'],
  current: SecretAccess | undefined,
  observed: Pick<ObservedDestination, 'wantedRepositoryIds'>
): 'none' | 'visibility' | 'repositories' {
  if (d.kind !== 'organization' || !current) return 'none'
  if (current.visibility !== d.visibility) return 'visibility'
  if (d.visibility !== 'selected') return 'none'
  const wanted = [...(observed.wantedRepositoryIds ?? [])].sort((a, b) => a - b)
  const held = [...(current.repositoryIds ?? [])].sort((a, b) => a - b)
  return wanted.length !== held.length || wanted.some((id, i) => id !== held[i])
    ? 'repositories'
    : 'none'
}

/**
 * An organization that holds the key pair with another visibility: GitHub takes a visibility only
 * with the secret's value, and the secret access key is never read back, so the pair is written
 * anew with a new key (a rotation).
 */
function pairVisibilityChange(
  config: Config,
  destinations: ObservedDestination[]
): Pick<KeyFacts, 'accessChange'> {
  const { accessKeyId, secretAccessKey } = config.names
  for (const o of destinations) {
    const d = o.destination
    const held = o.secretAccess?.[accessKeyId] ?? o.secretAccess?.[secretAccessKey]
    if (d.kind !== 'organization' || !held) continue
    const changes = [accessKeyId, secretAccessKey].some(
      name => accessChange(d, o.secretAccess?.[name], o) === 'visibility'
    )
    if (changes)
      return {
        accessChange: `the visibility of the key pair in organization ${d.org} changes from ${held.visibility} to ${d.visibility}: GitHub sets a visibility only with the value, and the secret access key cannot be read back`
      }
  }
  return {}
}

/**
 * The key the destinations hold before this run (the one kept, or the one a new key replaces):
 * when it was made and, where its record is on the user, by which run.
 */
function keyInUse(observed: Observed, key: KeyPlan): Pick<Plan, 'keyInUse'> {
  const id = key.action === 'create' ? key.replaces?.keyId : key.keyId
  const found = observed.user?.keys.find(k => k.id === id)
  if (!found) return {}
  const origin = keyOrigins(observed.user?.tags ?? [])[found.id]
  return {
    keyInUse: { keyId: found.id, createdAt: found.createdAt, ...(origin ? { origin } : {}) }
  }
}

/** A key in use after its grace, or a grace cut short: a person should know. */
function graceWarnings(grace: OldKeyGrace): string[] {
  const replaced = `replaced by a rotation at ${grace.replacedAt.toISOString()}`
  const warnings: string[] = []
  if (grace.usedAfterGrace && grace.lastUsed?.at)
    warnings.push(
      `Access key ${grace.keyId}, ${replaced}, was used at ${grace.lastUsed.at.toISOString()} (${grace.lastUsed.service ?? 'unknown service'}, ${grace.lastUsed.region ?? 'unknown region'}), after its grace ended at ${grace.retireAfter.toISOString()}: something still holds the old pair.${
        grace.action === 'first'
          ? ' It is deleted to make room for the new key.'
          : grace.action === 'keep'
            ? ''
            : ' It is deactivated, not deleted: find what uses it, then delete it in IAM (or reactivate it).'
      }`
    )
  if (grace.action === 'first' && !grace.pastGrace)
    warnings.push(
      `Access key ${grace.keyId}, ${replaced}, is deleted before its grace ends (${grace.retireAfter.toISOString()}) to make room for the new key: a job that read it before that rotation may fail.`
    )
  return warnings
}

function keyWarnings(key: KeyPlan): string[] {
  if (key.action === 'create' && key.removeFirst.length > 0)
    return key.removeFirst.map(r => `Access key ${r.keyId} will be deleted first: ${r.why}.`)
  return []
}
