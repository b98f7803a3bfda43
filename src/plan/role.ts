/**
 * Role mode's plan (credentials: role): a role per repository that the destination repositories'
 * workflows assume through GitHub's OIDC, the same bucket and grants as the key's user, the role's
 * ARN, region and bucket written where the key was, and then, on a switch from access-key, the key
 * secrets deleted and the user's keys retired. Pure, like plan.ts.
 */
import type { Config } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import { checkOwnership, checkRoleOwnership, ownershipTag } from './containment.js'
import { isEarlierAttempt, MAX_ROTATION_LOCK_MS } from './markers.js'
import type { Observed, ObservedDestination, ObservedOidc } from './observed.js'
import { checkDestinationLimits } from './limits.js'
import {
  accessChange,
  checkBucket,
  checkPolicies,
  missingTags,
  planBucket,
  planGrants,
  wantedBoundary
} from './plan.js'
import { bucketArn, sameDocument } from './policy.js'
import {
  GITHUB_COM_ISSUER,
  issuerHost,
  subjectsFor,
  trustPolicy,
  type TrustPolicy
} from './trust.js'
import type { DestinationWrite, RoleAction, RolePlan, SecretField } from './types.js'

export function roleArn(partition: string, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`
}

export function buildRolePlan(
  config: Config,
  observed: Observed,
  now: Date,
  runId?: string
): RolePlan {
  const { identity, bucketName } = observed
  const oidc = requireProvider(observed.oidc)
  checkPolicies(config, observed)
  checkBucket(config, observed)
  const home = `${config.homeRepository.owner}/${config.homeRepository.repo}`
  if (observed.role) checkRoleOwnership(observed.role, config.roleName, home, config.userPath)
  if (observed.user) checkOwnership(observed.user, config.userName, home)
  const subjects = subjectsFor(config.trust, oidc.repositories)
  const trust = trustPolicy(oidc.providerArn, oidc.issuer, subjects)
  const arn =
    observed.role?.arn ??
    roleArn(identity.partition, identity.accountId, config.userPath, config.roleName)
  // Key secrets are deleted only where they are the action's: its user exists (and is checked).
  const switching = observed.user !== undefined
  const writes = observed.destinations.map(d =>
    planRoleWrites(config, d, arn, bucketName, !observed.role, switching)
  )
  checkDestinationLimits(writes, observed.destinations, config.names, config.secretStore)
  const retireKeys = planRetirement(config, observed, now, runId)
  return {
    kind: 'role',
    roleName: config.roleName,
    roleArn: arn,
    bucketName,
    bucketArn: bucketArn(identity.partition, bucketName),
    region: config.region,
    partition: identity.partition,
    accountId: identity.accountId,
    role: planRole(config, observed, trust),
    subjects: [...subjects.exact, ...subjects.patterns],
    bucket: planBucket(config, observed),
    grants: planGrants(config, observed, observed.role),
    writes,
    ...(retireKeys ? { retireKeys } : {}),
    warnings: [...config.warnings]
  }
}

function requireProvider(oidc: ObservedOidc | undefined): ObservedOidc {
  if (!oidc || !oidc.providerExists) {
    // The template's default is github.com's issuer; any other has to be given to it.
    const parameter =
      oidc && oidc.issuer !== GITHUB_COM_ISSUER
        ? ` with GitHubOidcIssuerHost=${issuerHost(oidc.issuer)}`
        : ''
    throw new ActionError(
      'OIDC_PROVIDER_MISSING',
      `The account has no OIDC provider for ${oidc?.issuer ?? "GitHub's issuer"} (${oidc?.providerArn ?? 'none found'}), so no workflow could assume a role; nothing was changed.`,
      `deploy bootstrap/role.yml${parameter} (it creates the provider), or create the provider with the audience sts.amazonaws.com.`
    )
  }
  return oidc
}

function planRole(config: Config, observed: Observed, trust: TrustPolicy): RoleAction {
  const boundary = wantedBoundary(config, observed)
  const { owner, repo } = config.homeRepository
  const role = observed.role
  if (!role)
    return {
      action: 'create',
      path: config.userPath,
      tags: [...config.tags, ownershipTag(owner, repo)],
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      trustPolicy: trust
    }
  return {
    action: 'reuse',
    tagsToAdd: missingTags(config.tags, role.tags),
    ...(boundary !== undefined && boundary !== role.permissionsBoundaryArn
      ? { setPermissionsBoundary: boundary }
      : {}),
    ...(sameDocument(role.trustPolicy, trust) ? {} : { trustPolicy: trust })
  }
}

/**
 * The role's ARN, the region and the bucket, as variables (the default: nothing here is secret) or
 * secrets; the key pair's secrets deleted where a destination holds them (a switch from
 * access-key), once every destination holds the role.
 */
function planRoleWrites(
  config: Config,
  observed: ObservedDestination,
  arn: string,
  bucketName: string,
  newRole: boolean,
  switching: boolean
): DestinationWrite {
  const names = config.names
  const values: Partial<Record<SecretField, string>> = {
    roleArn: arn,
    region: config.region,
    bucket: bucketName
  }
  const fields: SecretField[] = ['roleArn', 'region', 'bucket']
  const variables: DestinationWrite['variables'] = []
  const secrets: SecretField[] = []
  // Every value is known: who may use one (an organization's) changes with it, in one write.
  const accessDiffers = (access: ObservedDestination['secretAccess'], name: string) =>
    accessChange(observed.destination, access?.[name], observed) !== 'none'
  for (const field of fields) {
    if (config.regionAndBucketAs === 'variables') {
      const current = observed.variables[names[field]]
      if (current !== values[field] || accessDiffers(observed.variableAccess, names[field]))
        variables.push({ field, exists: current !== undefined })
    } else if (
      newRole ||
      !observed.secretNames.includes(names[field]) ||
      accessDiffers(observed.secretAccess, names[field])
    ) {
      // A secret cannot be read back: written with a new role, where it is missing, or where who
      // may use it changes.
      secrets.push(field)
    }
  }
  const deletions = (['accessKeyId', 'secretAccessKey'] as const)
    .filter(f => switching && observed.secretNames.includes(names[f]))
    .map(field => ({ field, kind: 'secret' as const }))
  return {
    destination: observed.destination,
    secrets,
    variables,
    access: [],
    ...(deletions.length > 0 ? { deletions: [...deletions] } : {})
  }
}

/**
 * A switch from access-key: the user's keys go per `old-key` once nothing refers to them. While
 * another run holds the user's rotation marker, nothing of the user is touched.
 */
function planRetirement(
  config: Config,
  observed: Observed,
  now: Date,
  runId?: string
): RolePlan['retireKeys'] {
  const user = observed.user
  if (!user || config.oldKey === 'keep') return undefined
  const keyIds = user.keys
    .filter(k => config.oldKey === 'delete' || k.status === 'Active')
    .map(k => k.id)
  if (keyIds.length === 0) return undefined
  const lock = observed.rotationLock
  const held =
    lock &&
    lock.expiresAt > now &&
    lock.expiresAt.getTime() <= now.getTime() + MAX_ROTATION_LOCK_MS &&
    !(runId !== undefined && isEarlierAttempt(lock.runId, runId)) &&
    observed.rotationLockRun?.state !== 'completed'
  if (held)
    throw new ActionError(
      'ROTATION_IN_PROGRESS',
      `Another run (${lock.runId}) is changing the keys of user '${config.userName}' until ${lock.expiresAt.toISOString()}; nothing was changed.`,
      'let that run finish and run again (the README workflow uses a concurrency group so runs queue instead).'
    )
  return { userName: config.userName, keyIds, disposal: config.oldKey }
}
