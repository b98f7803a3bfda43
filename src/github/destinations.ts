/**
 * Where secrets and variables go: a repository, one of its environments, or an organization, in
 * the actions, dependabot or codespaces store. One small surface over GitHub's REST routes.
 */
import type { TrustedRepository } from '../plan/trust.js'
import type { Destination, SecretStore } from '../inputs/config.js'
import type {
  LockRunState,
  ObservedDestination,
  PublicKey,
  SecretAccess
} from '../plan/observed.js'
import type { GitHubClient } from './client.js'
import { ActionError, errorText } from '../errors.js'
import { toGitHubError } from './errors.js'

export function describe(d: Destination): string {
  if (d.kind === 'organization') return `organization ${d.org}`
  return d.environment
    ? `${d.owner}/${d.repo} (environment ${d.environment})`
    : `${d.owner}/${d.repo}`
}

function secretsBase(d: Destination, store: SecretStore): string {
  if (d.kind === 'organization') return `/orgs/${enc(d.org)}/${store}/secrets`
  if (d.environment)
    return `/repos/${enc(d.owner)}/${enc(d.repo)}/environments/${enc(d.environment)}/secrets`
  return `/repos/${enc(d.owner)}/${enc(d.repo)}/${store}/secrets`
}

function variablesBase(d: Destination): string {
  if (d.kind === 'organization') return `/orgs/${enc(d.org)}/actions/variables`
  if (d.environment)
    return `/repos/${enc(d.owner)}/${enc(d.repo)}/environments/${enc(d.environment)}/variables`
  return `/repos/${enc(d.owner)}/${enc(d.repo)}/actions/variables`
}

/** Who may use an organization's secret or variable: its visibility and, if selected, the ids. */
function accessBody(d: Destination, selectedIds: number[] | undefined): Record<string, unknown> {
  if (d.kind !== 'organization') return {}
  return d.visibility === 'selected'
    ? { visibility: d.visibility, selected_repository_ids: selectedIds ?? [] }
    : { visibility: d.visibility }
}

const enc = encodeURIComponent
const PAGE = 100

export class Destinations {
  constructor(
    private readonly octokit: Pick<GitHubClient, 'request'>,
    private readonly store: SecretStore
  ) {}

  /**
   * The public key (read once per destination and run: it proves the token reaches the secrets,
   * and every secret of the run is sealed with it), the secrets held (GitHub's limits are checked
   * against them, and a write whose answer was lost is judged by their updated_at) and the
   * variables (only when asked for). For an organization, also who may use the secrets and
   * variables named in `access` that it holds.
   */
  async observe(
    d: Destination,
    want: { variables: Promise<boolean>; access: string[] }
  ): Promise<ObservedDestination> {
    const [publicKey, listed, variableList] = await Promise.all([
      this.publicKey(d),
      this.secretList(d),
      want.variables.then(needed => (needed ? this.variableList(d) : []))
    ])
    const secretNames = listed.map(s => s.name)
    const variables = Object.fromEntries(variableList.map(v => [v.name, v.value]))
    const secretsUpdatedAt = Object.fromEntries(listed.map(s => [s.name, s.updated_at]))
    if (d.kind !== 'organization')
      return { destination: d, publicKey, secretNames, variables, secretsUpdatedAt }
    const [secretAccess, variableAccess] = await Promise.all([
      this.accessOf(d, listed, want.access, 'secrets'),
      this.accessOf(d, variableList, want.access, 'variables')
    ])
    return {
      destination: d,
      publicKey,
      secretNames,
      variables,
      secretsUpdatedAt,
      secretAccess,
      ...(variableList.length > 0 ? { variableAccess } : {})
    }
  }

  /** Who may use the organization secrets or variables named in `names` that it holds. */
  private async accessOf(
    d: Destination,
    listed: { name: string; visibility?: string }[],
    names: string[],
    kind: 'secrets' | 'variables'
  ): Promise<Record<string, SecretAccess>> {
    const ours = listed.filter(s => names.includes(s.name) && s.visibility !== undefined)
    const access = await Promise.all(
      ours.map(async (s): Promise<[string, SecretAccess]> => {
        const visibility = s.visibility ?? ''
        // The repositories matter only where both sides say selected.
        if (visibility !== 'selected' || d.kind !== 'organization' || d.visibility !== 'selected')
          return [s.name, { visibility }]
        return [s.name, { visibility, repositoryIds: await this.repositoryIdsOf(d, s.name, kind) }]
      })
    )
    return Object.fromEntries(access)
  }

  private async call<T>(
    what: string,
    d: Destination,
    request: () => Promise<{ data: T }>
  ): Promise<T> {
    try {
      return (await request()).data
    } catch (e) {
      throw toGitHubError(what, describe(d), e)
    }
  }

  async publicKey(d: Destination): Promise<PublicKey> {
    const data = await this.call('read the secrets public key', d, () =>
      this.octokit.request(`GET ${secretsBase(d, this.store)}/public-key`)
    )
    const { key_id, key } = data as { key_id: string; key: string }
    return { keyId: key_id, key }
  }

  /** The secrets held, with their visibility where they belong to an organization. */
  secretList(d: Destination): Promise<{ name: string; updated_at: string; visibility?: string }[]> {
    return this.listAll('list secrets', d, secretsBase(d, this.store), 'secrets')
  }

  /** When a secret was last written (GitHub's updated_at); undefined when it does not exist. */
  async secretUpdatedAt(d: Destination, name: string): Promise<string | undefined> {
    try {
      const data = await this.call(`read secret ${name}`, d, () =>
        this.octokit.request(`GET ${secretsBase(d, this.store)}/${enc(name)}`)
      )
      return (data as { updated_at: string }).updated_at
    } catch (e) {
      if (e instanceof ActionError && e.code === 'GITHUB_NOT_FOUND') return undefined
      throw e
    }
  }

  /** The repositories an organization secret or variable with visibility selected is shared with. */
  private async repositoryIdsOf(
    d: Destination,
    name: string,
    kind: 'secrets' | 'variables'
  ): Promise<number[]> {
    const base = kind === 'secrets' ? secretsBase(d, this.store) : variablesBase(d)
    const repositories = await this.listAll<{ id: number }>(
      `list the repositories of ${kind === 'secrets' ? 'secret' : 'variable'} ${name}`,
      d,
      `${base}/${enc(name)}/repositories`,
      'repositories'
    )
    return repositories.map(r => r.id)
  }

  /** The variables held, with their visibility where they belong to an organization. */
  private variableList(
    d: Destination
  ): Promise<{ name: string; value: string; visibility?: string }[]> {
    // GitHub lists at most 30 variables a page.
    return this.listAll('list variables', d, variablesBase(d), 'variables', 30)
  }

  /** Every item of a paginated list: pages of `{ total_count, [field]: items }`. */
  private async listAll<T>(
    what: string,
    d: Destination,
    route: string,
    field: string,
    perPage = PAGE
  ): Promise<T[]> {
    const items: T[] = []
    for (let page = 1; ; page++) {
      const data = (await this.call(what, d, () =>
        this.octokit.request(`GET ${route}`, { per_page: perPage, page })
      )) as { total_count: number } & Record<string, unknown>
      const found = (data[field] ?? []) as T[]
      items.push(...found)
      if (found.length < perPage || items.length >= data.total_count) return items
    }
  }

  /** Writes one sealed secret. Organization secrets carry their visibility. */
  async putSecret(
    d: Destination,
    name: string,
    encryptedValue: string,
    keyId: string,
    selectedIds?: number[]
  ): Promise<void> {
    const body = { encrypted_value: encryptedValue, key_id: keyId, ...accessBody(d, selectedIds) }
    await this.call(`write secret ${name}`, d, () =>
      this.octokit.request(`PUT ${secretsBase(d, this.store)}/${enc(name)}`, body)
    )
  }

  /**
   * Sets the repositories that may use an organization secret whose visibility stays selected
   * ("Set selected repositories for an organization secret"): its value is left as it is. A
   * visibility that changes is written with the value instead (putSecret).
   */
  async putSecretRepositories(d: Destination, name: string, selectedIds: number[]): Promise<void> {
    if (d.kind !== 'organization') return
    await this.call(`change the repositories that may use secret ${name}`, d, () =>
      this.octokit.request(`PUT ${secretsBase(d, this.store)}/${enc(name)}/repositories`, {
        selected_repository_ids: selectedIds
      })
    )
  }

  async putVariable(
    d: Destination,
    name: string,
    value: string,
    exists: boolean,
    selectedIds?: number[]
  ): Promise<void> {
    const body = { name, value, ...accessBody(d, selectedIds) }
    const update = () => this.octokit.request(`PATCH ${variablesBase(d)}/${enc(name)}`, body)
    await this.call(`write variable ${name}`, d, async () => {
      if (exists) return update()
      try {
        return await this.octokit.request(`POST ${variablesBase(d)}`, body)
      } catch (e) {
        // 409: it exists after all, created since the look-up or by an earlier attempt of this
        // request whose answer was lost (the retry then finds it): update it instead.
        if ((e as { status?: number }).status === 409) return update()
        throw e
      }
    })
  }

  /** Deletes one secret; a secret already gone counts as deleted. */
  async deleteSecret(d: Destination, name: string): Promise<void> {
    await this.removal(`delete secret ${name}`, d, () =>
      this.octokit.request(`DELETE ${secretsBase(d, this.store)}/${enc(name)}`)
    )
  }

  /** Deletes one variable; a variable already gone counts as deleted. */
  async deleteVariable(d: Destination, name: string): Promise<void> {
    await this.removal(`delete variable ${name}`, d, () =>
      this.octokit.request(`DELETE ${variablesBase(d)}/${enc(name)}`)
    )
  }

  /**
   * A DELETE whose 404 means it is gone (deleted since the look-up, or by an earlier attempt of
   * this request whose answer was lost): only the destination's own absence was checked before.
   */
  private async removal(what: string, d: Destination, request: () => Promise<unknown>) {
    try {
      await request()
    } catch (e) {
      if ((e as { status?: number }).status === 404) return
      throw toGitHubError(what, describe(d), e)
    }
  }

  /**
   * Whether workflow run `runId` of `repository` is still going (GET .../actions/runs/{run_id},
   * which needs "Actions: read"). Never fails the run: an answer it cannot read is `unknown`.
   */
  async workflowRun(repository: string, runId: number): Promise<LockRunState> {
    const [owner = '', repo = ''] = repository.split('/')
    try {
      const { data } = await this.octokit.request(
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
        {
          owner,
          repo,
          run_id: runId
        }
      )
      return data.status === 'completed' ? { state: 'completed' } : { state: 'running' }
    } catch (e) {
      const status = (e as { status?: unknown }).status
      return {
        state: 'unknown',
        why:
          status === 403 || status === 404
            ? `the token cannot read that run (GitHub answered ${status}; it needs "Actions: read" on ${repository})`
            : `GitHub did not say whether that run has ended (${errorText(e)})`
      }
    }
  }

  /**
   * How many repositories of `org` a visibility lets read its secrets (GET /orgs/{org}: all, or
   * its private and internal ones), when GitHub says; never fails the run.
   */
  async readerCount(org: string, visibility: 'all' | 'private'): Promise<number | undefined> {
    try {
      const { data } = await this.octokit.request('GET /orgs/{org}', { org })
      const privateRepos = data.total_private_repos
      if (privateRepos === undefined) return undefined
      return visibility === 'all' ? data.public_repos + privateRepos : privateRepos
    } catch {
      return undefined
    }
  }

  /** Ids of repositories in an organization, for visibility: selected. */
  async repositoryIds(org: string, names: string[]): Promise<number[]> {
    const d: Destination = {
      kind: 'organization',
      org,
      visibility: 'selected',
      selectedRepositories: names
    }
    return Promise.all(
      names.map(async repo => {
        const data = (await this.call(`look up repository ${repo}`, d, () =>
          this.octokit.request('GET /repos/{owner}/{repo}', { owner: org, repo })
        )) as { id: number }
        return data.id
      })
    )
  }

  /**
   * Role mode: how GitHub spells a trusted repository, its ids, default branch and OIDC subject
   * format, read at once.
   */
  async trustedRepository(owner: string, repo: string): Promise<TrustedRepository> {
    const d: Destination = { kind: 'repository', owner, repo }
    const [info, subject] = await Promise.all([
      this.call(`look up repository ${owner}/${repo}`, d, () =>
        this.octokit.request('GET /repos/{owner}/{repo}', { owner, repo })
      ),
      this.call(`read the OIDC subject format of ${owner}/${repo}`, d, () =>
        this.octokit.request('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', {
          owner,
          repo
        })
      )
    ])
    const s = subject as {
      use_default: boolean
      include_claim_keys?: string[]
      use_immutable_subject?: boolean
      sub_claim_prefix?: string
    }
    return {
      fullName: info.full_name,
      id: Number(info.id),
      ownerId: Number(info.owner.id),
      defaultBranch: info.default_branch,
      subject: {
        useDefault: s.use_default,
        ...(s.include_claim_keys ? { includeClaimKeys: s.include_claim_keys } : {}),
        ...(s.use_immutable_subject !== undefined
          ? { useImmutableSubject: s.use_immutable_subject }
          : {}),
        ...(s.sub_claim_prefix ? { subClaimPrefix: s.sub_claim_prefix } : {})
      }
    }
  }
}
