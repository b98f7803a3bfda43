// A stand-in for the GitHub REST API (the parts the action uses: Actions/Dependabot/Codespaces
// secrets at repository, environment and organization level, variables, repository and
// organization metadata). It routes and validates requests against GitHub's published OpenAPI
// description, decrypts sealed secrets with real libsodium key pairs, enforces token permissions,
// and injects faults and latency on demand.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import sodium from 'libsodium-wrappers'
import {
  loadOpenApiDescription,
  type DescriptionName,
  type OpenApiDescription,
  type RouteMatch
} from './github-standin/openapi.js'
import {
  errorBody,
  githubPermissionName,
  invalid,
  notFound,
  operations,
  unprocessable,
  type Access,
  type Operation,
  type Permission,
  type Reply,
  type Target
} from './github-standin/operations.js'
import {
  World,
  findEnvironment,
  githubTimestamp,
  nameProblem,
  normalizeName,
  ownerId,
  type OidcSubject,
  type Scope,
  type VariableScope,
  type Visibility,
  type WorkflowRun
} from './github-standin/state.js'

export type { Permission } from './github-standin/operations.js'
export type { Scope, SecretStoreKind, VariableScope, WorkflowRun } from './github-standin/state.js'

export interface StandinOptions {
  latencyMs?: number
}

export type TokenKind = 'installation' | 'github_token' | 'fine_grained_pat' | 'classic_pat'

export interface TokenSpec {
  kind: TokenKind
  permissions: Permission[] // ignored for classic_pat: everything is allowed
  /** Of `permissions`, those granted read-only (a fine-grained PAT's "Secrets: read-only"). */
  readOnly?: Permission[]
}

/**
 * `afterApplying`: the request takes effect as usual, and only then is the fault what the client
 * sees (a write whose answer is lost).
 */
export type Fault =
  | { status: 500 | 502; afterApplying?: boolean }
  | SecondaryRateLimitFault
  | { drop: true; afterApplying?: boolean }

/**
 * GitHub's answer to a secondary rate limit. It says how long to wait in one of three ways
 * ("Rate limits for the REST API"): retry-after (`retryAfterSeconds`); or none, with
 * x-ratelimit-remaining 0 and x-ratelimit-reset `resetInSeconds` from now; or neither (then a
 * client waits at least a minute).
 */
export interface SecondaryRateLimitFault {
  status: 403
  secondaryRateLimit: true
  retryAfterSeconds?: number
  resetInSeconds?: number
}

export interface RecordedRequest {
  method: string
  path: string // without the /api/v3 prefix and without the query string
  query: string // the query string, '' or starting with '?'
  route: string // the OpenAPI path template, '' when no template matched
  operationId: string // '' when the description has no operation for the request
  status: number // 0 while pending and for dropped connections
  body: unknown // parsed JSON body (the raw text if it is not JSON, undefined if empty)
  at: number // Date.now() on arrival
  description: DescriptionName // what the request was routed and validated by
}

export interface RequestFilter {
  method?: string
  route?: string
  operationId?: string
}

export interface SecondaryRateLimit {
  maxWrites: number
  windowMs: number
  retryAfterSeconds: number
}

interface FaultRule {
  pred: (req: { method: string; path: string }) => boolean
  fault: Fault
  remaining: number
}

/**
 * The oldest GitHub Enterprise Server release the README claims (the oldest @octokit/openapi ships
 * that GitHub still supports). A request under /api/v3 (GHES's API path) is routed and validated
 * by its description, and answered as that server answers.
 */
export const GHES_RELEASE = '3.19'
const GHES_DESCRIPTION: DescriptionName = `ghes-${GHES_RELEASE}`
const GHES_PREFIX = /^\/api\/v3(?=\/|$)/

const MUTATING = new Set(['PUT', 'POST', 'PATCH', 'DELETE'])
const RATE_LIMIT = 5000
const DEFAULT_DOCS = 'https://docs.github.com/rest'
const SECONDARY_RATE_LIMIT_DOCS =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
// GITHUB_TOKEN can never manage secrets, environments or variables, whatever its spec says.
const GITHUB_TOKEN_PERMISSIONS: ReadonlySet<Permission> = new Set(['metadata', 'actions'])

export class GitHubStandin {
  readonly url: string
  readonly requests: RecordedRequest[] = []

  private world = new World()
  private tokens = new Map<string, TokenSpec>()
  private scheduledFaults = new Map<number, Fault>()
  private faultRules: FaultRule[] = []
  private received = 0
  private latencyMs: number
  private rateLimit: SecondaryRateLimit | undefined
  private recentWrites: number[] = []
  private readonly initialLatencyMs: number
  private readonly server: Server
  private readonly description: OpenApiDescription

  private constructor(server: Server, description: OpenApiDescription, opts: StandinOptions) {
    this.server = server
    this.description = description
    const { port } = server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
    this.initialLatencyMs = opts.latencyMs ?? 0
    this.latencyMs = this.initialLatencyMs
  }

  static async start(opts: StandinOptions = {}): Promise<GitHubStandin> {
    const [description] = await Promise.all([loadOpenApiDescription(), sodium.ready])
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const standin = new GitHubStandin(server, description, opts)
    server.on('request', (req, res) => {
      standin.onRequest(req, res).catch(error => internalError(res, error))
    })
    return standin
  }

  async stop(): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  // ----- set-up ------------------------------------------------------------------------------

  addToken(token: string, spec: TokenSpec): void {
    this.tokens.set(token, {
      kind: spec.kind,
      permissions: [...spec.permissions],
      readOnly: [...(spec.readOnly ?? [])]
    })
  }

  addRepository(fullName: string, opts: { environments?: string[] } = {}): void {
    this.world.addRepository(fullName, opts.environments)
  }

  addOrganization(org: string): void {
    this.world.addOrganization(org)
  }

  /** Records a workflow run of the repository (added if missing), or updates its state. */
  /**
   * The repository's OIDC subject format: GitHub's immutable one (`repo:owner@id/name@id`, the
   * default for repositories created since July 2026) or the name-based one of older repositories.
   */
  setOidcSubject(fullName: string, subject: 'immutable' | 'names' | OidcSubject): void {
    const repo = this.world.addRepository(fullName)
    repo.oidcSubject =
      subject === 'names'
        ? { use_default: true }
        : subject === 'immutable'
          ? {
              use_default: true,
              use_immutable_subject: true,
              sub_claim_prefix: `repo:${repo.owner}@${ownerId(repo.owner)}/${repo.name}@${repo.id}`
            }
          : subject
  }

  /** What a workflow run of the repository carries as its OIDC subject's `repo:` part. */
  subjectPrefix(fullName: string): string {
    const repo = this.world.addRepository(fullName)
    return (
      repo.oidcSubject.sub_claim_prefix ??
      (repo.oidcSubject.use_immutable_subject
        ? `repo:${repo.owner}@${ownerId(repo.owner)}/${repo.name}@${repo.id}`
        : `repo:${repo.owner}/${repo.name}`)
    )
  }

  setWorkflowRun(fullName: string, run: WorkflowRun): void {
    this.world.addRepository(fullName).runs.set(run.id, { ...run })
  }

  setSecret(scope: Scope, name: string, plaintext: string, visibility: Visibility = {}): void {
    const now = githubTimestamp()
    const org = 'org' in scope
    this.world.secretStore(scope).secrets.set(normalizeName(name), {
      value: plaintext,
      created_at: now,
      updated_at: now,
      ...(org ? { visibility: 'all', ...visibility } : {})
    })
  }

  setVariable(scope: VariableScope, name: string, value: string, visibility: Visibility = {}) {
    const now = githubTimestamp()
    const normalized = normalizeName(name)
    this.world.variableMap(scope).set(normalized, {
      name: normalized,
      value,
      created_at: now,
      updated_at: now,
      ...('org' in scope ? { visibility: 'all', ...visibility } : {})
    })
  }

  rotatePublicKey(scope: Scope): void {
    this.world.secretStore(scope).rotate()
  }

  // ----- assertions --------------------------------------------------------------------------

  secret(scope: Scope, name: string): string | undefined {
    return this.world.secretStore(scope).secrets.get(normalizeName(name))?.value
  }

  secretMeta(
    scope: Scope,
    name: string
  ):
    | {
        created_at: string
        updated_at: string
        visibility?: string
        selected_repository_ids?: number[]
      }
    | undefined {
    const stored = this.world.secretStore(scope).secrets.get(normalizeName(name))
    if (!stored) return undefined
    const { created_at, updated_at, visibility, selected_repository_ids: ids } = stored
    return {
      created_at,
      updated_at,
      ...(visibility === undefined ? {} : { visibility }),
      ...(ids === undefined ? {} : { selected_repository_ids: [...ids] })
    }
  }

  secretNames(scope: Scope): string[] {
    return [...this.world.secretStore(scope).secrets.keys()].sort()
  }

  variable(scope: VariableScope, name: string): string | undefined {
    return this.world.variableMap(scope).get(normalizeName(name))?.value
  }

  /** An organization variable's visibility and selected repository ids, as stored. */
  variableMeta(scope: VariableScope, name: string): Visibility | undefined {
    const stored = this.world.variableMap(scope).get(normalizeName(name))
    if (!stored) return undefined
    const { visibility, selected_repository_ids: ids } = stored
    return {
      ...(visibility === undefined ? {} : { visibility }),
      ...(ids === undefined ? {} : { selected_repository_ids: [...ids] })
    }
  }

  variableNames(scope: VariableScope): string[] {
    return [...this.world.variableMap(scope).keys()].sort()
  }

  countRequests(filter: RequestFilter = {}): number {
    return this.requests.filter(r => matchesFilter(r, filter)).length
  }

  writeCount(): number {
    return this.requests.filter(r => MUTATING.has(r.method) && r.status >= 200 && r.status < 300)
      .length
  }

  // ----- faults and latency ------------------------------------------------------------------

  failRequest(n: number, fault: Fault): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`failRequest: n must be >= 1, got ${n}`)
    this.scheduledFaults.set(this.received + n, fault)
  }

  // Fails matching requests; `times` defaults to every matching request from now on.
  failWhen(
    pred: (req: { method: string; path: string }) => boolean,
    fault: Fault,
    times = Infinity
  ): void {
    this.faultRules.push({ pred, fault, remaining: times })
  }

  setLatency(ms: number): void {
    this.latencyMs = ms
  }

  secondaryRateLimit(opts: SecondaryRateLimit | undefined): void {
    this.rateLimit = opts
    this.recentWrites = []
  }

  // Forgets repositories, organizations, tokens, faults, rate limits and recorded requests; the
  // latency goes back to the one given to start().
  reset(): void {
    this.world = new World()
    this.tokens.clear()
    this.scheduledFaults.clear()
    this.faultRules = []
    this.requests.length = 0
    this.received = 0
    this.latencyMs = this.initialLatencyMs
    this.rateLimit = undefined
    this.recentWrites = []
  }

  // ----- request handling --------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sequence = ++this.received
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', this.url)
    const enterprise = GHES_PREFIX.test(url.pathname)
    const path = url.pathname.replace(GHES_PREFIX, '') || '/'
    // Loaded on the first request under /api/v3 (once per process): most tests never make one.
    const description = enterprise
      ? await loadOpenApiDescription(GHES_DESCRIPTION)
      : this.description
    const match = description.match(method, path)
    const record: RecordedRequest = {
      method,
      path,
      query: url.search,
      route: match?.template ?? '',
      operationId: match?.operation?.operationId ?? '',
      status: 0,
      body: undefined,
      at: Date.now(),
      description: enterprise ? GHES_DESCRIPTION : 'api.github.com'
    }
    this.requests.push(record)
    const fault = this.takeFault(sequence, method, path)
    const raw = await readBody(req)
    record.body = parseBody(raw).value
    // A round trip of latencyMs from the request's arrival, reading the body included.
    const wait = record.at + this.latencyMs - Date.now()
    if (this.latencyMs > 0 && wait > 0) await sleep(wait)
    const applied =
      !fault || ('afterApplying' in fault && fault.afterApplying)
        ? this.answer(method, url, match, req, raw, description)
        : undefined
    if (fault && 'drop' in fault) {
      req.socket.destroy()
      return
    }
    const reply = fault ? faultReply(fault) : applied!
    record.status = reply.status
    send(res, reply, {
      ...this.rateLimitHeaders(sequence),
      ...(enterprise ? enterpriseHeaders() : {}),
      ...acceptedHeader(match)
    })
  }

  private takeFault(sequence: number, method: string, path: string): Fault | undefined {
    const scheduled = this.scheduledFaults.get(sequence)
    if (scheduled) {
      this.scheduledFaults.delete(sequence)
      return scheduled
    }
    const rule = this.faultRules.find(r => r.remaining > 0 && r.pred({ method, path }))
    if (!rule) return undefined
    rule.remaining--
    return rule.fault
  }

  private answer(
    method: string,
    url: URL,
    match: RouteMatch | undefined,
    req: IncomingMessage,
    raw: string,
    description: OpenApiDescription
  ): Reply {
    const operation = match?.operation && operations().get(match.operation.operationId)
    if (!match?.operation || !operation) return notFound()
    const docUrl = match.operation.externalDocs?.url ?? DEFAULT_DOCS
    const token = this.authenticate(req.headers.authorization)
    if (typeof token === 'string') return { status: 401, body: errorBody(401, token, DEFAULT_DOCS) }
    const limited = this.checkSecondaryRateLimit(method)
    if (limited) return limited
    const target = this.findTarget(operation, match.params)
    if (!target) return notFound(docUrl)
    if (!allowed(token, operation.accepted)) return forbidden(token, docUrl)
    if (operation.target === 'environment') {
      const environment = findEnvironment(target.repo!, match.params.environment_name ?? '')
      if (!environment) return notFound(docUrl)
      target.environment = environment
    }
    const problem = operation.nameParam
      ? nameProblem(operation.nameParam.kind, match.params[operation.nameParam.param] ?? '')
      : undefined
    if (problem) return unprocessable(docUrl, problem)
    const body = this.checkBody(match, raw, docUrl, description)
    if ('status' in body) return body
    return operation.handle({
      target,
      params: match.params,
      query: url.searchParams,
      body: body.value,
      docUrl,
      baseUrl: this.url,
      pageUrl: url,
      perPage: description.perPage(match.operation)
    })
  }

  // A string is the reason the request is not authenticated.
  private authenticate(header: string | undefined): TokenSpec | string {
    if (!header) return 'Requires authentication'
    const token = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header)?.[1]
    const spec = token === undefined ? undefined : this.tokens.get(token)
    return spec ?? 'Bad credentials'
  }

  private checkSecondaryRateLimit(method: string): Reply | undefined {
    if (!this.rateLimit || !MUTATING.has(method)) return undefined
    const now = Date.now()
    const { maxWrites, windowMs, retryAfterSeconds } = this.rateLimit
    this.recentWrites = this.recentWrites.filter(at => now - at < windowMs)
    if (this.recentWrites.length >= maxWrites) {
      return faultReply({ status: 403, secondaryRateLimit: true, retryAfterSeconds })
    }
    this.recentWrites.push(now)
    return undefined
  }

  private findTarget(operation: Operation, params: Record<string, string>): Target | undefined {
    if (operation.target === 'none') return {}
    if (operation.target === 'org') {
      const org = this.world.organization(params.org ?? '')
      return org ? { org } : undefined
    }
    const repo = this.world.repository(params.owner ?? '', params.repo ?? '')
    return repo ? { repo } : undefined
  }

  private checkBody(
    match: RouteMatch,
    raw: string,
    docUrl: string,
    description: OpenApiDescription
  ): Reply | { value: Record<string, unknown> } {
    const operation = match.operation!
    if (!operation.requestBody) return { value: {} }
    const parsed = parseBody(raw)
    if (!parsed.ok) {
      return { status: 400, body: errorBody(400, 'Problems parsing JSON', docUrl) }
    }
    const value = parsed.value ?? {}
    const problems = description.validateBody(operation, value)
    if (problems.length) return invalid(docUrl, ...problems)
    return { value: value as Record<string, unknown> }
  }

  private rateLimitHeaders(sequence: number): Record<string, string> {
    const used = ((sequence - 1) % (RATE_LIMIT - 1)) + 1
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(RATE_LIMIT - used),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core'
    }
  }
}

function matchesFilter(record: RecordedRequest, filter: RequestFilter): boolean {
  return (
    (filter.method === undefined || record.method === filter.method.toUpperCase()) &&
    (filter.route === undefined || record.route === filter.route) &&
    (filter.operationId === undefined || record.operationId === filter.operationId)
  )
}

function allowed(token: TokenSpec, accepted: Access[][]): boolean {
  if (token.kind === 'classic_pat') return true
  const granted = ({ permission, level }: Access) =>
    permission === 'metadata' ||
    (token.permissions.includes(permission) &&
      !(level === 'write' && token.readOnly?.includes(permission)) &&
      (token.kind !== 'github_token' || GITHUB_TOKEN_PERMISSIONS.has(permission)))
  return accepted.some(alternative => alternative.every(granted))
}

function forbidden(token: TokenSpec, docUrl: string): Reply {
  const who = token.kind === 'fine_grained_pat' ? 'personal access token' : 'integration'
  return { status: 403, body: errorBody(403, `Resource not accessible by ${who}`, docUrl) }
}

/** What a GitHub Enterprise Server adds to every answer: its release. */
function enterpriseHeaders(): Record<string, string> {
  return { 'x-github-enterprise-version': `${GHES_RELEASE}.0` }
}

// GitHub's format: alternatives separated by "; ", permissions needed together by ",".
function acceptedHeader(match: RouteMatch | undefined): Record<string, string> {
  const operation = match?.operation && operations().get(match.operation.operationId)
  if (!operation) return {}
  const accepted = operation.accepted
    .map(alternative =>
      alternative.map(a => `${githubPermissionName(a.permission)}=${a.level}`).join(',')
    )
    .join('; ')
  return { 'x-accepted-github-permissions': accepted }
}

function faultReply(fault: Exclude<Fault, { drop: true }>): Reply {
  if (fault.status === 403) return secondaryRateLimitReply(fault)
  const message = fault.status === 500 ? 'Server Error' : 'Bad Gateway'
  return { status: fault.status, body: errorBody(fault.status, message, DEFAULT_DOCS) }
}

function secondaryRateLimitReply(fault: SecondaryRateLimitFault): Reply {
  const message =
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.'
  const headers: Record<string, string> = {}
  if (fault.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(fault.retryAfterSeconds)
  if (fault.resetInSeconds !== undefined) {
    headers['x-ratelimit-remaining'] = '0'
    headers['x-ratelimit-reset'] = String(Math.floor(Date.now() / 1000 + fault.resetInSeconds))
  }
  return {
    status: 403,
    body: { message, documentation_url: SECONDARY_RATE_LIMIT_DOCS, status: '403' },
    headers
  }
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  const headers: Record<string, string> = {
    'x-github-request-id': requestId(),
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    ...extra,
    ...reply.headers
  }
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end()
    return
  }
  const text = JSON.stringify(reply.body)
  res
    .writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text))
    })
    .end(text)
}

// Shaped like GitHub's, e.g. "C0DE:1F2A3:4B5C6D:7E8F90:65A1B2C3".
function requestId(): string {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase()
  return [hex(2), hex(3), hex(3), hex(3), hex(4)].join(':')
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseBody(raw: string): { ok: boolean; value: unknown } {
  if (raw.trim() === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown }
  } catch {
    return { ok: false, value: raw }
  }
}

function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = errorBody(500, `stand-in failure: ${String(error)}`, DEFAULT_DOCS)
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
