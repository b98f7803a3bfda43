// The operations the stand-in implements, keyed by the operationId of GitHub's OpenAPI description:
// which entity each one addresses, which permissions it needs, and what it does.
import {
  MAX_VALUE_BYTES,
  SECRET_STORES,
  githubTimestamp,
  nameProblem,
  normalizeName,
  ownerId,
  type Environment,
  type Organization,
  type Repository,
  type SecretStore,
  type SecretStoreKind,
  type StoredSecret,
  type StoredVariable,
  type VariableMap,
  type Visibility
} from './state.js'

export type Permission =
  | 'secrets'
  | 'environments'
  | 'organization_secrets'
  | 'dependabot_secrets'
  | 'codespaces_secrets'
  | 'variables'
  | 'organization_variables'
  | 'metadata'
  | 'actions'

/**
 * GitHub's own names where the stand-in's short ones differ: what x-accepted-github-permissions
 * carries ("Permissions required for fine-grained personal access tokens": repository
 * "Variables" is actions_variables, organization "Variables" organization_actions_variables).
 */
const GITHUB_NAMES: Partial<Record<Permission, string>> = {
  variables: 'actions_variables',
  organization_variables: 'organization_actions_variables'
}

export function githubPermissionName(permission: Permission): string {
  return GITHUB_NAMES[permission] ?? permission
}

export interface Access {
  permission: Permission
  level: 'read' | 'write'
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface Target {
  repo?: Repository
  org?: Organization
  environment?: Environment
}

export interface OperationContext {
  target: Target
  params: Record<string, string>
  query: URLSearchParams
  body: Record<string, unknown>
  docUrl: string
  baseUrl: string // the stand-in's root, for *_url fields
  pageUrl: URL // the request's own URL, for pagination links
  perPage: { fallback: number; max: number }
}

export interface Operation {
  target: 'repo' | 'org' | 'environment' | 'none'
  accepted: Access[][] // alternatives: every access of one alternative is needed
  nameParam?: { param: string; kind: 'Secret' | 'Variable' }
  handle(ctx: OperationContext): Reply
}

type Level = 'repo' | 'org' | 'environment'

const read = (...permissions: Permission[]): Access[][] =>
  permissions.map(permission => [{ permission, level: 'read' }])
const write = (...permissions: Permission[]): Access[][] =>
  permissions.map(permission => [{ permission, level: 'write' }])

const SECRET_PERMISSION: Record<SecretStoreKind, Record<'repo' | 'org', Permission>> = {
  actions: { repo: 'secrets', org: 'organization_secrets' },
  dependabot: { repo: 'dependabot_secrets', org: 'dependabot_secrets' },
  codespaces: { repo: 'codespaces_secrets', org: 'codespaces_secrets' }
}

let registry: Map<string, Operation> | undefined

export function operations(): Map<string, Operation> {
  registry ??= buildRegistry()
  return registry
}

function buildRegistry(): Map<string, Operation> {
  const ops = new Map<string, Operation>()
  ops.set('repos/get', { target: 'repo', accepted: read('metadata'), handle: repositoryView })
  ops.set('orgs/get', { target: 'org', accepted: read('metadata'), handle: organizationView })
  ops.set('actions/get-custom-oidc-sub-claim-for-repo', {
    target: 'repo',
    accepted: read('actions'),
    handle: ({ target }) => ({ status: 200, body: { ...(target.repo as Repository).oidcSubject } })
  })
  ops.set('actions/get-workflow-run', {
    target: 'repo',
    accepted: read('actions'),
    handle: workflowRunView
  })
  for (const store of SECRET_STORES) {
    const levels: Level[] = store === 'actions' ? ['repo', 'org', 'environment'] : ['repo', 'org']
    for (const level of levels) addSecretOperations(ops, store, level)
  }
  for (const level of ['repo', 'org', 'environment'] as const) addVariableOperations(ops, level)
  return ops
}

// ---------------------------------------------------------------------------------------------
// metadata

function repositoryView({ target, baseUrl }: OperationContext): Reply {
  const repo = target.repo as Repository
  return {
    status: 200,
    body: {
      id: repo.id,
      node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
      name: repo.name,
      full_name: repo.fullName,
      private: true,
      visibility: 'private',
      owner: { login: repo.owner, id: ownerId(repo.owner), type: 'Organization' },
      default_branch: 'main',
      url: `${baseUrl}/repos/${repo.fullName}`,
      html_url: `https://github.com/${repo.fullName}`
    }
  }
}

function workflowRunView({ target, params, baseUrl, docUrl }: OperationContext): Reply {
  const repo = target.repo as Repository
  const run = repo.runs.get(Number(params.run_id))
  if (!run) return { status: 404, body: { message: 'Not Found', documentation_url: docUrl } }
  return {
    status: 200,
    body: {
      id: run.id,
      run_attempt: run.attempt,
      status: run.status,
      conclusion: run.conclusion,
      url: `${baseUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
      html_url: `https://github.com/${repo.fullName}/actions/runs/${run.id}`
    }
  }
}

function organizationView({ target, baseUrl }: OperationContext): Reply {
  const org = target.org as Organization
  return {
    status: 200,
    body: {
      login: org.login,
      id: org.id,
      type: 'Organization',
      url: `${baseUrl}/orgs/${org.login}`,
      // What GitHub shows an organization member: counts of its repositories by visibility.
      public_repos: 0,
      total_private_repos: org.repositoryCount(),
      owned_private_repos: org.repositoryCount()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// secrets

function addSecretOperations(ops: Map<string, Operation>, store: SecretStoreKind, level: Level) {
  const reads = secretAccess(store, level, 'read')
  const writes = secretAccess(store, level, 'write')
  const base = { target: level, nameParam: { param: 'secret_name', kind: 'Secret' } } as const
  const storeOf = (ctx: OperationContext) => secretStoreOf(ctx.target, store, level)
  const org = level === 'org'
  ops.set(`${store}/get-${level}-public-key`, {
    target: level,
    accepted: reads,
    handle: ctx => ({ status: 200, body: storeOf(ctx).publicKey() })
  })
  ops.set(`${store}/list-${level}-secrets`, {
    target: level,
    accepted: reads,
    handle: ctx => listSecrets(ctx, storeOf(ctx), org, store)
  })
  ops.set(`${store}/get-${level}-secret`, {
    ...base,
    accepted: reads,
    handle: ctx => getSecret(ctx, storeOf(ctx), org, store)
  })
  ops.set(`${store}/create-or-update-${level}-secret`, {
    ...base,
    accepted: writes,
    handle: ctx =>
      refuseOrgSecretWithoutValue(ctx, org) ??
      refuseBeyondSecretLimit(ctx, storeOf(ctx), store, level) ??
      putSecret(ctx, storeOf(ctx), org)
  })
  if (org) {
    ops.set(`${store}/list-selected-repos-for-org-secret`, {
      ...base,
      accepted: reads,
      handle: ctx => listSelectedRepositories(ctx, storeOf(ctx).secrets.get(nameOf(ctx)))
    })
    ops.set(`${store}/set-selected-repos-for-org-secret`, {
      ...base,
      accepted: writes,
      handle: ctx => setSelectedRepositories(ctx, storeOf(ctx).secrets.get(nameOf(ctx)))
    })
  }
  ops.set(`${store}/delete-${level}-secret`, {
    ...base,
    accepted: writes,
    handle: ctx => deleteEntry(ctx, storeOf(ctx).secrets, ctx.params.secret_name)
  })
}

// GitHub lists the environment secret routes under the repository permission "Environments"
// alone ("Permissions required for fine-grained personal access tokens" and "... for GitHub
// Apps"): "Secrets" does not reach them.
function secretAccess(store: SecretStoreKind, level: Level, access: 'read' | 'write') {
  if (level === 'environment')
    return access === 'read' ? read('environments') : write('environments')
  const permission = SECRET_PERMISSION[store][level]
  return access === 'read' ? read(permission) : write(permission)
}

function secretStoreOf(target: Target, store: SecretStoreKind, level: Level): SecretStore {
  if (level === 'environment') return (target.environment as Environment).secrets
  return (level === 'org' ? (target.org as Organization) : (target.repo as Repository)).stores[
    store
  ]
}

function listSecrets(
  ctx: OperationContext,
  store: SecretStore,
  org: boolean,
  kind: SecretStoreKind
): Reply {
  const names = [...store.secrets.keys()].sort()
  const page = paginate(ctx, names)
  const secrets = page.items.map(name =>
    secretView(ctx, name, store.secrets.get(name) as StoredSecret, org, kind)
  )
  return { status: 200, body: { total_count: names.length, secrets }, headers: page.headers }
}

function getSecret(
  ctx: OperationContext,
  store: SecretStore,
  org: boolean,
  kind: SecretStoreKind
): Reply {
  const name = normalizeName(ctx.params.secret_name ?? '')
  const secret = store.secrets.get(name)
  if (!secret) return notFound(ctx.docUrl)
  return { status: 200, body: secretView(ctx, name, secret, org, kind) }
}

function secretView(
  ctx: OperationContext,
  name: string,
  secret: StoredSecret,
  org: boolean,
  kind: SecretStoreKind
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    name,
    created_at: secret.created_at,
    updated_at: secret.updated_at
  }
  if (!org) return view
  view.visibility = secret.visibility
  if (secret.visibility === 'selected') {
    const owner = (ctx.target.org as Organization).login
    view.selected_repositories_url = `${ctx.baseUrl}/orgs/${owner}/${kind}/secrets/${name}/repositories`
  }
  return view
}

/** The secret or variable an operation names (its path parameter, normalized). */
function nameOf(ctx: OperationContext): string {
  return normalizeName(ctx.params.secret_name ?? ctx.params.name ?? '')
}

// GitHub answers 409 to the selected-repositories routes of a secret or variable whose visibility
// is not selected ("Conflict when visibility type not set to selected").
function notSelected(ctx: OperationContext, entry: Visibility): Reply | undefined {
  if (entry.visibility === 'selected') return undefined
  const kind = ctx.params.secret_name === undefined ? 'Variable' : 'Secret'
  return {
    status: 409,
    body: { message: `${kind} visibility is not selected`, documentation_url: ctx.docUrl }
  }
}

// The repositories an organization secret or variable with visibility selected is shared with:
// their ids (the only field the action reads; GitHub sends each repository in full).
function listSelectedRepositories(ctx: OperationContext, entry: Visibility | undefined): Reply {
  if (!entry) return notFound(ctx.docUrl)
  const conflict = notSelected(ctx, entry)
  if (conflict) return conflict
  const ids = entry.selected_repository_ids ?? []
  const page = paginate(ctx, ids)
  return {
    status: 200,
    body: { total_count: ids.length, repositories: page.items.map(id => ({ id })) },
    headers: page.headers
  }
}

// PUT .../secrets/{name}/repositories ("Set selected repositories for an organization secret"),
// and the variables' equivalent: only who may use it changes; its value and updated_at stay.
function setSelectedRepositories(ctx: OperationContext, entry: Visibility | undefined): Reply {
  if (!entry) return notFound(ctx.docUrl)
  const conflict = notSelected(ctx, entry)
  if (conflict) return conflict
  const ids = ctx.body.selected_repository_ids as Array<number | string>
  entry.selected_repository_ids = ids.map(Number)
  return { status: 204 }
}

// GitHub's OpenAPI description lets an organization secret be PUT without encrypted_value, but
// does not say what that does to the stored value. The stand-in refuses it, so that no code path
// can rely on it: who may use a secret changes through the repositories route, or with the value.
function refuseOrgSecretWithoutValue(ctx: OperationContext, org: boolean): Reply | undefined {
  if (!org || ctx.body.encrypted_value !== undefined) return undefined
  return invalid(ctx.docUrl, '"encrypted_value" wasn\'t supplied.')
}

// GitHub's documented limits: 100 secrets a repository, 100 an environment, 1,000 an organization
// (docs.github.com/actions/reference/secrets-reference); for variables 500, 100 and 1,000
// (docs.github.com/actions/learn-github-actions/variables). Dependabot and Codespaces secrets have no documented limit here.
const SECRET_LIMITS: Record<Level, number> = { repo: 100, environment: 100, org: 1000 }
const VARIABLE_LIMITS: Record<Level, number> = { repo: 500, environment: 100, org: 1000 }

// GitHub documents the limits, not the answer beyond them: a 422 naming the limit.
function beyondLimit(ctx: OperationContext, kind: 'secrets' | 'variables', limit: number): Reply {
  return unprocessable(
    ctx.docUrl,
    `Failed to add ${kind.slice(0, -1)}: this scope may hold at most ${limit} ${kind}.`
  )
}

function refuseBeyondSecretLimit(
  ctx: OperationContext,
  store: SecretStore,
  kind: SecretStoreKind,
  level: Level
): Reply | undefined {
  if (kind !== 'actions' || store.secrets.has(nameOf(ctx))) return undefined
  const limit = SECRET_LIMITS[level]
  return store.secrets.size >= limit ? beyondLimit(ctx, 'secrets', limit) : undefined
}

function refuseBeyondVariableLimit(
  ctx: OperationContext,
  map: VariableMap,
  level: Level
): Reply | undefined {
  const limit = VARIABLE_LIMITS[level]
  const name = normalizeName(String(ctx.body.name))
  return !map.has(name) && map.size >= limit ? beyondLimit(ctx, 'variables', limit) : undefined
}

function putSecret(ctx: OperationContext, store: SecretStore, org: boolean): Reply {
  const name = normalizeName(ctx.params.secret_name ?? '')
  const existing = store.secrets.get(name)
  const { encrypted_value: encrypted, key_id: keyId } = ctx.body
  if (encrypted === undefined && !existing) {
    return invalid(ctx.docUrl, '"encrypted_value" wasn\'t supplied.')
  }
  if (encrypted !== undefined && typeof keyId !== 'string') {
    return invalid(ctx.docUrl, '"key_id" wasn\'t supplied.')
  }
  const visibility = org ? visibilityOf(ctx, existing) : {}
  if (typeof visibility === 'string') return invalid(ctx.docUrl, visibility)
  let value = existing?.value ?? ''
  if (typeof encrypted === 'string') {
    const opened = store.open(encrypted, keyId as string)
    if (!opened.ok) return unprocessable(ctx.docUrl, opened.message)
    if (Buffer.byteLength(opened.plaintext) > MAX_VALUE_BYTES) {
      return unprocessable(ctx.docUrl, 'Secret value is too large (maximum 48 KB)')
    }
    value = opened.plaintext
  }
  const now = githubTimestamp()
  store.secrets.set(name, {
    value,
    created_at: existing?.created_at ?? now,
    updated_at: now,
    ...visibility
  })
  return existing ? { status: 204 } : { status: 201, body: {} }
}

// Organization-level visibility from a request body; a string is the reason it is refused.
function visibilityOf(ctx: OperationContext, existing?: Visibility): Visibility | string {
  const visibility = (ctx.body.visibility as string | undefined) ?? existing?.visibility ?? 'all'
  const ids = ctx.body.selected_repository_ids as Array<number | string> | undefined
  if (ids !== undefined && visibility !== 'selected') {
    return 'selected_repository_ids can only be provided when visibility is "selected".'
  }
  if (ids && ids.some(id => !Number.isInteger(Number(id)))) {
    return 'selected_repository_ids must be repository ids.'
  }
  if (visibility !== 'selected') return { visibility }
  return {
    visibility,
    selected_repository_ids: ids ? ids.map(Number) : (existing?.selected_repository_ids ?? [])
  }
}

// ---------------------------------------------------------------------------------------------
// variables

function addVariableOperations(ops: Map<string, Operation>, level: Level) {
  // Environment variables, like environment secrets, need "Environments" alone.
  const permission: Permission =
    level === 'org'
      ? 'organization_variables'
      : level === 'environment'
        ? 'environments'
        : 'variables'
  const reads = read(permission)
  const writes = write(permission)
  const nameParam = { param: 'name', kind: 'Variable' } as const
  const mapOf = (ctx: OperationContext) => variableMapOf(ctx.target, level)
  const org = level === 'org'
  ops.set(`actions/list-${level}-variables`, {
    target: level,
    accepted: reads,
    handle: ctx => listVariables(ctx, mapOf(ctx), org)
  })
  ops.set(`actions/create-${level}-variable`, {
    target: level,
    accepted: writes,
    handle: ctx =>
      refuseBeyondVariableLimit(ctx, mapOf(ctx), level) ?? createVariable(ctx, mapOf(ctx), org)
  })
  ops.set(`actions/get-${level}-variable`, {
    target: level,
    accepted: reads,
    nameParam,
    handle: ctx => getVariable(ctx, mapOf(ctx), org)
  })
  ops.set(`actions/update-${level}-variable`, {
    target: level,
    accepted: writes,
    nameParam,
    handle: ctx => updateVariable(ctx, mapOf(ctx), org)
  })
  ops.set(`actions/delete-${level}-variable`, {
    target: level,
    accepted: writes,
    nameParam,
    handle: ctx => deleteEntry(ctx, mapOf(ctx), ctx.params.name)
  })
  if (org) addVariableRepositoryOperations(ops, reads, writes, nameParam)
}

function addVariableRepositoryOperations(
  ops: Map<string, Operation>,
  reads: Access[][],
  writes: Access[][],
  nameParam: Operation['nameParam']
) {
  const variableOf = (ctx: OperationContext) =>
    (ctx.target.org as Organization).variables.get(nameOf(ctx))
  ops.set('actions/list-selected-repos-for-org-variable', {
    target: 'org',
    accepted: reads,
    nameParam,
    handle: ctx => listSelectedRepositories(ctx, variableOf(ctx))
  })
  ops.set('actions/set-selected-repos-for-org-variable', {
    target: 'org',
    accepted: writes,
    nameParam,
    handle: ctx => setSelectedRepositories(ctx, variableOf(ctx))
  })
}

function variableMapOf(target: Target, level: Level): VariableMap {
  if (level === 'environment') return (target.environment as Environment).variables
  return level === 'org'
    ? (target.org as Organization).variables
    : (target.repo as Repository).variables
}

function listVariables(ctx: OperationContext, map: VariableMap, org: boolean): Reply {
  const names = [...map.keys()].sort()
  const page = paginate(ctx, names)
  const variables = page.items.map(name => variableView(ctx, map.get(name) as StoredVariable, org))
  return { status: 200, body: { total_count: names.length, variables }, headers: page.headers }
}

function getVariable(ctx: OperationContext, map: VariableMap, org: boolean): Reply {
  const variable = map.get(normalizeName(ctx.params.name ?? ''))
  if (!variable) return notFound(ctx.docUrl)
  return { status: 200, body: variableView(ctx, variable, org) }
}

function variableView(
  ctx: OperationContext,
  variable: StoredVariable,
  org: boolean
): Record<string, unknown> {
  const { name, value, created_at, updated_at, visibility } = variable
  const view: Record<string, unknown> = { name, value, created_at, updated_at }
  if (!org) return view
  view.visibility = visibility
  if (visibility === 'selected') {
    const owner = (ctx.target.org as Organization).login
    view.selected_repositories_url = `${ctx.baseUrl}/orgs/${owner}/actions/variables/${name}/repositories`
  }
  return view
}

function createVariable(ctx: OperationContext, map: VariableMap, org: boolean): Reply {
  const requested = String(ctx.body.name)
  const problem = nameProblem('Variable', requested)
  if (problem) return unprocessable(ctx.docUrl, problem)
  const name = normalizeName(requested)
  if (map.has(name)) return conflict(ctx.docUrl, 'Already exists - Variable already exists')
  const value = String(ctx.body.value)
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
    return unprocessable(ctx.docUrl, 'Variable value is too large (maximum 48 KB)')
  }
  const visibility = org ? visibilityOf(ctx) : {}
  if (typeof visibility === 'string') return invalid(ctx.docUrl, visibility)
  const now = githubTimestamp()
  map.set(name, { name, value, created_at: now, updated_at: now, ...visibility })
  return { status: 201, body: {} }
}

function updateVariable(ctx: OperationContext, map: VariableMap, org: boolean): Reply {
  const current = normalizeName(ctx.params.name ?? '')
  const existing = map.get(current)
  if (!existing) return notFound(ctx.docUrl)
  const requested = typeof ctx.body.name === 'string' ? ctx.body.name : current
  const problem = nameProblem('Variable', requested)
  if (problem) return unprocessable(ctx.docUrl, problem)
  const name = normalizeName(requested)
  if (name !== current && map.has(name)) {
    return conflict(ctx.docUrl, 'Already exists - Variable already exists')
  }
  const value = typeof ctx.body.value === 'string' ? ctx.body.value : existing.value
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
    return unprocessable(ctx.docUrl, 'Variable value is too large (maximum 48 KB)')
  }
  const visibility = org ? visibilityOf(ctx, existing) : {}
  if (typeof visibility === 'string') return invalid(ctx.docUrl, visibility)
  map.delete(current)
  map.set(name, { ...existing, ...visibility, name, value, updated_at: githubTimestamp() })
  return { status: 204 }
}

// ---------------------------------------------------------------------------------------------
// shared

function deleteEntry(ctx: OperationContext, map: Map<string, unknown>, raw?: string): Reply {
  if (!map.delete(normalizeName(raw ?? ''))) return notFound(ctx.docUrl)
  return { status: 204 }
}

function paginate<T>(
  ctx: OperationContext,
  items: T[]
): { items: T[]; headers: Record<string, string> } {
  const requested = Number(ctx.query.get('per_page') ?? ctx.perPage.fallback)
  const perPage = Math.min(
    Math.max(1, Math.trunc(requested) || ctx.perPage.fallback),
    ctx.perPage.max
  )
  const page = Math.max(1, Math.trunc(Number(ctx.query.get('page') ?? 1)) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = paginationLinks(ctx.pageUrl, perPage, page, last)
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: link ? { link } : {}
  }
}

function paginationLinks(url: URL, perPage: number, page: number, last: number): string {
  const to = (n: number) => {
    const target = new URL(url)
    target.searchParams.set('per_page', String(perPage))
    target.searchParams.set('page', String(n))
    return target.toString()
  }
  const links: string[] = []
  if (page > 1) links.push(`<${to(page - 1)}>; rel="prev"`, `<${to(1)}>; rel="first"`)
  if (page < last) links.push(`<${to(page + 1)}>; rel="next"`, `<${to(last)}>; rel="last"`)
  return links.join(', ')
}

export function errorBody(status: number, message: string, docUrl: string) {
  return { message, documentation_url: docUrl, status: String(status) }
}

export function notFound(docUrl = 'https://docs.github.com/rest'): Reply {
  return { status: 404, body: errorBody(404, 'Not Found', docUrl) }
}

export function unprocessable(docUrl: string, message: string): Reply {
  return { status: 422, body: errorBody(422, message, docUrl) }
}

export function invalid(docUrl: string, ...details: string[]): Reply {
  return unprocessable(docUrl, `Invalid request.\n\n${details.join('\n')}`)
}

function conflict(docUrl: string, message: string): Reply {
  return { status: 409, body: errorBody(409, message, docUrl) }
}
