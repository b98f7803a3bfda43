/** A world whose token may write every kind of secret and variable, with its organization. */
import type { Permission } from './github-standin.js'
import { openWorld, type World } from './world.js'

export const ORG = 'octo-org'

export async function orgWorld(
  token: string,
  repos: string[] = [],
  more: Permission[] = []
): Promise<World> {
  const w = await openWorld()
  w.github.addToken(token, {
    kind: 'fine_grained_pat',
    permissions: [
      'secrets',
      'variables',
      'environments',
      'organization_secrets',
      'organization_variables',
      ...more
    ]
  })
  w.github.addOrganization(ORG)
  for (const repo of repos) w.github.addRepository(repo)
  return w
}

/** A repository's id, as GitHub answers GET /repos/{owner}/{repo}. */
export async function repositoryId(w: World, token: string, fullName: string): Promise<number> {
  const res = await fetch(`${w.github.url}/repos/${fullName}`, {
    headers: { authorization: `Bearer ${token}` }
  })
  return ((await res.json()) as { id: number }).id
}
