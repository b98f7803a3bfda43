/**
 * GitHub's limits on how many secrets and variables one destination holds
 * (https://docs.github.com/actions/reference/secrets-reference#limits-for-secrets,
 * https://docs.github.com/actions/learn-github-actions/variables#limits-for-configuration-variables): checked
 * against the plan's creates before anything changes, so that a run never makes a key it cannot
 * store, and pure, so that the dry run shows the same verdict.
 */
import type { Destination, SecretNames, SecretStore } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import type { ObservedDestination } from './observed.js'
import type { DestinationWrite } from './types.js'

type Level = 'repository' | 'environment' | 'organization'

/** Actions secrets a repository, an environment and an organization may hold. */
export const SECRET_LIMITS: Record<Level, number> = {
  repository: 100,
  environment: 100,
  organization: 1000
}
/** Configuration variables a repository, an environment and an organization may hold. */
export const VARIABLE_LIMITS: Record<Level, number> = {
  repository: 500,
  environment: 100,
  organization: 1000
}

function levelOf(d: Destination): Level {
  if (d.kind === 'organization') return 'organization'
  return d.environment ? 'environment' : 'repository'
}

function named(d: Destination): string {
  if (d.kind === 'organization') return `organization ${d.org}`
  const repo = `${d.owner}/${d.repo}`
  return d.environment ? `environment ${d.environment} of ${repo}` : `repository ${repo}`
}

/** What one destination would hold beyond a limit, as a sentence; undefined when it fits. */
function overLimit(
  d: Destination,
  kind: 'secrets' | 'variables',
  held: number,
  added: number,
  limit: number
): string | undefined {
  if (added === 0 || held + added <= limit) return undefined
  return `${named(d)} holds ${held} ${kind}; this run would add ${added} (limit ${limit})`
}

/**
 * The destinations a plan's creates would take beyond GitHub's limits. Only the actions store's
 * limits are documented: Dependabot and Codespaces secrets are not counted.
 */
export function limitProblems(
  writes: DestinationWrite[],
  observed: ObservedDestination[],
  names: SecretNames,
  store: SecretStore
): string[] {
  return writes.flatMap((w, i) => {
    const o = observed[i]!
    const level = levelOf(w.destination)
    const secretsAdded = w.secrets.filter(f => !o.secretNames.includes(names[f])).length
    const variablesAdded = w.variables.filter(v => !v.exists).length
    const secrets =
      store === 'actions'
        ? overLimit(
            w.destination,
            'secrets',
            o.secretNames.length,
            secretsAdded,
            SECRET_LIMITS[level]
          )
        : undefined
    const variables = overLimit(
      w.destination,
      'variables',
      Object.keys(o.variables).length,
      variablesAdded,
      VARIABLE_LIMITS[level]
    )
    return [secrets, variables].filter((p): p is string => p !== undefined)
  })
}

/** Throws GITHUB_LIMIT when a destination would hold more than GitHub allows. */
export function checkDestinationLimits(
  writes: DestinationWrite[],
  observed: ObservedDestination[],
  names: SecretNames,
  store: SecretStore
): void {
  const problems = limitProblems(writes, observed, names, store)
  if (problems.length === 0) return
  throw new ActionError(
    'GITHUB_LIMIT',
    `GitHub would refuse the new secrets or variables: ${problems.join('; ')}; nothing was changed.`,
    'delete secrets or variables these destinations no longer use (Settings, Secrets and variables), or write to another destination (an organization holds up to 1,000), and run again.'
  )
}
