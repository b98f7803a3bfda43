/**
 * Inputs are read and validated once, here, into a typed Config. Every rule is checked before any
 * call that changes something; all violations are reported together.
 */
import { createHash } from 'node:crypto'
import { InputError, InputErrors } from '../errors.js'
import {
  ALLOWED_AWS_MANAGED_POLICIES,
  awsManagedPolicyName,
  BUCKET_PREFIX,
  DEFAULT_BOUNDARY_NAME,
  DEFAULT_USER_PATH
} from '../plan/containment.js'
import { MAX_GRACE_HOURS, MAX_VERIFY_TIMEOUT_S, type Tag } from '../plan/markers.js'
import * as rules from './rules.js'

export type SecretStore = 'actions' | 'dependabot' | 'codespaces'
export type Visibility = 'all' | 'private' | 'selected'
export type OldKeyDisposal = 'delete' | 'deactivate' | 'keep'
/** `access-key`: an IAM user and its key, stored as secrets. `role`: a role trusted through OIDC. */
export type CredentialsMode = 'access-key' | 'role'

/** Who may assume the role (input `trust`), always within the destination repositories. */
export type TrustEntry =
  | { kind: 'default-branch' }
  | { kind: 'branch'; name: string }
  | { kind: 'environment'; name: string }
  | { kind: 'tag'; pattern: string }
  | { kind: 'pull-request' }

export type PolicyChoice =
  | { kind: 'bucket-read-write' }
  | { kind: 'bucket-read-only' }
  | { kind: 's3-full-access' }
  | { kind: 'managed'; arn: string }

export type { Tag } from '../plan/markers.js'

export type Destination =
  | { kind: 'repository'; owner: string; repo: string; environment?: string }
  | { kind: 'organization'; org: string; visibility: Visibility; selectedRepositories: string[] }

export interface SecretNames {
  accessKeyId: string
  secretAccessKey: string
  region: string
  bucket: string
  /** Role mode: the role's ARN (a variable by default: it is not secret). */
  roleArn: string
}

export interface Config {
  githubToken: string
  credentials: CredentialsMode
  /** Role mode: the role to create or reuse (derived like the user name unless given). */
  roleName: string
  /** Role mode: who may assume the role. */
  trust: TrustEntry[]
  region: string
  /** Undefined: derived from the repository and the account id once the account is known. */
  bucketName?: string
  userName: string
  userPath: string
  policy: PolicyChoice
  permissionsBoundary?: string
  /**
   * The account the credentials must belong to (aws-account-id): refused otherwise, and the
   * bucket and the boundary are looked up without waiting for STS to name the account.
   */
  awsAccountId?: string
  tags: Tag[]
  /** The repository the names are derived from (the `repository` input). */
  homeRepository: { owner: string; repo: string }
  destinations: Destination[]
  /** Most secret and variable writes one run may make (GitHub.com allows 500 an hour). */
  maxWrites: number
  secretStore: SecretStore
  regionAndBucketAs: 'secrets' | 'variables'
  names: SecretNames
  currentAccessKeyId?: string
  rotate: boolean
  maxKeyAgeDays?: number
  oldKey: OldKeyDisposal
  /** Hours a replaced key stays active before it is retired per `old-key` (0: at once). */
  oldKeyGraceHours: number
  verifyTimeoutSeconds: number
  dryRun: boolean
  /** Take down what the action made (removal plan) instead of setting it up. */
  remove: boolean
  /** With remove: delete the bucket too, when it is the action's and empty. */
  removeBucket: boolean
  /** Fail a dry run whose plan changes anything (a drift check). */
  failOnChanges: boolean
  /** The workflow run this is (from the runner's environment), named in the rotation marker. */
  run: WorkflowRunRef
  /** Warnings found while parsing (not errors): printed as annotations. */
  warnings: string[]
}

/** Reads one input's raw value (the runner passes every declared input, defaults applied). */
export type InputReader = (name: string) => string

/** Mirrors @actions/core's getInput: INPUT_<NAME> with spaces as underscores, trimmed. */
export interface WorkflowRunRef {
  /** `run-<run id>-<attempt>`, or `local-<pid>` outside a workflow. */
  id: string
  /** The repository the workflow runs in (GITHUB_REPOSITORY), when known. */
  repository?: string
  /** GITHUB_SERVER_URL: github.com, or a GitHub Enterprise Server's address. */
  serverUrl: string
}

function workflowRun(env: NodeJS.ProcessEnv): WorkflowRunRef {
  const id = env.GITHUB_RUN_ID
    ? `run-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `local-${process.pid}`
  return {
    id,
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com'
  }
}

/** GitHub Enterprise Server has no Codespaces, and so no Codespaces secrets API. */
function checkStoreOnServer(c: Collector, store: SecretStore, serverUrl: string): void {
  if (store === 'codespaces' && rules.githubServerKind(serverUrl) === 'enterprise-server')
    c.fail(
      'secret-store',
      `codespaces secrets do not exist on GitHub Enterprise Server (GITHUB_SERVER_URL is ${serverUrl})`
    )
}

export function envInputReader(env: NodeJS.ProcessEnv): InputReader {
  return name => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

class Collector {
  readonly errors: InputError[] = []
  fail(input: string, rule: string): void {
    this.errors.push(new InputError(input, rule))
  }
  check(input: string, value: string, check: (v: string) => string | undefined): void {
    const problem = check(value)
    if (problem) this.fail(input, problem)
  }
}

function oneOf<T extends string>(
  c: Collector,
  input: string,
  value: string,
  allowed: readonly T[]
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  c.fail(input, `must be one of ${allowed.join(', ')} (got '${value}')`)
  return allowed[0]!
}

function boolean(c: Collector, input: string, value: string): boolean {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  c.fail(input, `must be true or false (got '${value}')`)
  return false
}

function integer(
  c: Collector,
  input: string,
  value: string,
  min: number,
  max: number
): number | undefined {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    c.fail(input, `must be a whole number from ${min} to ${max} (got '${value}')`)
    return undefined
  }
  return Number(value)
}

/** Splits a list input on newlines and commas, dropping blanks and duplicates. */
export function parseList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(/[\n,]/)
        .map(s => s.trim())
        .filter(s => s.length > 0)
    )
  ]
}

function parseTags(c: Collector, value: string): Tag[] {
  const tags: Tag[] = []
  for (const line of value.split('\n').map(l => l.trim())) {
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 0) {
      c.fail('tags', `each line is key=value ('${line}' has no '=')`)
      continue
    }
    const tag = { key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() }
    const problem = rules.checkTag(tag.key, tag.value)
    if (problem) c.fail('tags', problem)
    // IAM compares tag keys without regard to case.
    else if (tags.some(t => t.key.toLowerCase() === tag.key.toLowerCase()))
      c.fail('tags', `tag key '${tag.key}' is given twice (keys are compared without case)`)
    else tags.push(tag)
  }
  if (tags.length > rules.MAX_USER_TAGS)
    c.fail('tags', `at most ${rules.MAX_USER_TAGS} tags (got ${tags.length})`)
  return tags
}

function parsePolicy(c: Collector, value: string): PolicyChoice {
  if (value === 'bucket-read-write' || value === 'bucket-read-only' || value === 's3-full-access')
    return { kind: value }
  if (value.startsWith('arn:')) {
    c.check('policy', value, rules.checkPolicyArn)
    // AWS-managed policies reach far beyond S3 (AdministratorAccess, IAMFullAccess, ...): only the
    // two S3 ones; a customer-managed policy must be the caller's own (checked once STS answers).
    const awsManaged = awsManagedPolicyName(value)
    if (awsManaged && !ALLOWED_AWS_MANAGED_POLICIES.includes(awsManaged))
      c.fail(
        'policy',
        `the AWS-managed policy ${awsManaged} is not allowed: only ${ALLOWED_AWS_MANAGED_POLICIES.join(' and ')}, or a customer-managed policy of the caller's account`
      )
    return { kind: 'managed', arn: value }
  }
  c.fail(
    'policy',
    `must be bucket-read-write, bucket-read-only, s3-full-access or a managed policy ARN (got '${value}')`
  )
  return { kind: 'bucket-read-write' }
}

/**
 * A policy name or ARN of the caller's account, DEFAULT_BOUNDARY_NAME unless given; `none` opts
 * out, with a warning. The account is checked once STS has answered (plan/containment.ts).
 */
function parseBoundary(c: Collector, given: string, warnings: string[]): string | undefined {
  const boundary = given || DEFAULT_BOUNDARY_NAME
  if (boundary === 'none') {
    warnings.push(
      'permissions-boundary none: the user gets no permissions boundary, so nothing caps what its policies grant; the bootstrap template creates the default boundary.'
    )
    return undefined
  }
  if (boundary.startsWith('arn:')) {
    c.check('permissions-boundary', boundary, rules.checkPolicyArn)
    if (/^arn:[a-z-]+:iam::aws:/.test(boundary))
      c.fail(
        'permissions-boundary',
        "is a customer-managed policy of the caller's account (an AWS-managed policy is not a boundary the action can vouch for)"
      )
  } else if (!/^[\w+=,.@-]{1,128}$/.test(boundary)) {
    c.fail(
      'permissions-boundary',
      `is a managed policy name (letters, digits and + = , . @ _ -), a policy ARN, or none (got '${boundary}')`
    )
  }
  return boundary
}

function splitRepository(full: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = full.split('/')
  return { owner, repo }
}

function parseRegion(c: Collector, value: string, env: NodeJS.ProcessEnv): string {
  const region = value || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'
  const source = value
    ? 'aws-region'
    : env.AWS_REGION
      ? 'aws-region (from AWS_REGION)'
      : 'aws-region (from AWS_DEFAULT_REGION)'
  c.check(source, region, rules.checkRegion)
  return region
}

function parseDestinations(
  c: Collector,
  read: InputReader,
  homeName: string,
  store: SecretStore
): Destination[] {
  const home = splitRepository(homeName)
  const destinations: Destination[] = []
  const environment = read('environment')
  if (environment) c.check('environment', environment, rules.checkEnvironmentName)
  const organization = read('organization')
  const repositories = parseList(read('repositories'))
  for (const repo of repositories) c.check('repositories', repo, rules.checkRepository)
  const askedVisibility = read('visibility')
  // Organization secrets are exposed no further than asked: without a visibility, only to the
  // repositories named, or else to the home repository alone.
  const visibility = oneOf<Visibility>(c, 'visibility', askedVisibility || 'selected', [
    'all',
    'private',
    'selected'
  ])
  const named = parseList(read('selected-repositories'))
  const homeInOrganization =
    organization !== '' && home.owner.toLowerCase() === organization.toLowerCase()
  const selected =
    !askedVisibility && named.length === 0 && homeInOrganization ? [home.repo] : named
  if (organization && !rules.checkLogin(organization) && !askedVisibility && selected.length === 0)
    c.fail(
      'visibility',
      `is needed: without it organization secrets are visible to the home repository alone, and '${home.owner}/${home.repo}' is not in '${organization}' (give selected-repositories, or visibility private or all)`
    )
  for (const name of named)
    c.check('selected-repositories', name, n => {
      const problem = rules.checkRepositoryName(n)
      return (
        problem &&
        `${problem.replace('a repository name', 'a repository name within the organization')} ('${n}')`
      )
    })

  if (organization) {
    c.check('organization', organization, rules.checkLogin)
    if (askedVisibility === 'selected' && selected.length === 0)
      c.fail('selected-repositories', 'is required when visibility is selected')
    destinations.push({
      kind: 'organization',
      org: organization,
      visibility,
      selectedRepositories: selected
    })
  } else if (named.length > 0 || askedVisibility === 'selected') {
    c.fail('selected-repositories', 'applies only with organization')
  }
  if (organization && visibility !== 'selected' && named.length > 0)
    c.fail('selected-repositories', 'applies only with visibility selected')

  const repoTargets = repositories.length > 0 ? repositories : organization ? [] : [homeName]
  if (environment && repoTargets.length === 0)
    c.fail(
      'environment',
      'applies to repository destinations; with organization alone there is none'
    )
  if (environment && store !== 'actions')
    c.fail(
      'environment',
      `environment secrets exist only in the actions store (secret-store is '${store}')`
    )
  for (const full of repoTargets) {
    const { owner, repo } = splitRepository(full)
    destinations.push(
      environment
        ? { kind: 'repository', owner, repo, environment }
        : { kind: 'repository', owner, repo }
    )
  }
  return destinations
}

/**
 * `trust`: one entry a line. Each names a kind of workflow run within the destination repositories
 * only; the subjects are built by the plan, so nothing given here can name another repository.
 */
function parseTrust(c: Collector, value: string, warnings: string[]): TrustEntry[] {
  const entries: TrustEntry[] = []
  // parseList drops repeated lines, and an entry is a function of its line: no entry twice.
  for (const line of parseList(value)) {
    const entry = trustEntry(line)
    if (typeof entry === 'string') c.fail('trust', `${entry} (got '${line}')`)
    else entries.push(entry)
  }
  if (entries.some(e => e.kind === 'pull-request'))
    warnings.push(
      'trust pull-request: the workflow of any pull request within the trusted repositories (its code, from its branch) can assume the role; prefer branch or environment entries.'
    )
  return entries.length > 0 ? entries : [{ kind: 'default-branch' }]
}

function trustEntry(line: string): TrustEntry | string {
  if (line === 'pull-request') return { kind: 'pull-request' }
  const colon = line.indexOf(':')
  const kind = colon < 0 ? line : line.slice(0, colon)
  const name = colon < 0 ? '' : line.slice(colon + 1)
  const usage = 'each line is branch:NAME, environment:NAME, tag:PATTERN or pull-request'
  switch (kind) {
    case 'branch':
      return rules.checkRefName(name, false) ?? { kind: 'branch', name }
    case 'tag':
      return rules.checkRefName(name, true) ?? { kind: 'tag', pattern: name }
    case 'environment':
      return rules.checkTrustedEnvironment(name) ?? { kind: 'environment', name }
    default:
      return `${usage}, within the destination repositories (another repository, owner or organization cannot be named)`
  }
}

/** Role mode stores variables for workflows of named repositories: what does not apply is refused. */
function checkRoleMode(c: Collector, destinations: Destination[], store: SecretStore): void {
  if (store !== 'actions')
    c.fail(
      'secret-store',
      `credentials role writes for GitHub Actions workflows, which alone can assume a role through OIDC (got '${store}')`
    )
  for (const d of destinations)
    if (d.kind === 'organization' && d.visibility !== 'selected')
      c.fail(
        'visibility',
        `credentials role trusts named repositories only: visibility '${d.visibility}' would need a trust for every repository of '${d.org}'; use visibility selected with selected-repositories`
      )
}

/**
 * GitHub stores secret and variable names in upper case whatever was sent, and lists them so: the
 * names are upper-cased here, once, so that every comparison with a listed name holds.
 */
function parseNames(c: Collector, given: string): SecretNames {
  // Checked as the names begin: an empty prefix gives the valid 'AWS...'.
  c.check('secret-prefix', `${given}AWS`, rules.checkSecretName)
  const prefix = given.toUpperCase()
  return {
    accessKeyId: `${prefix}AWS_ACCESS_KEY_ID`,
    secretAccessKey: `${prefix}AWS_SECRET_ACCESS_KEY`,
    region: `${prefix}AWS_REGION`,
    bucket: `${prefix}AWS_BUCKET_NAME`,
    roleArn: `${prefix}AWS_ROLE_ARN`
  }
}

/** Parse and validate every input. Throws InputErrors listing all violations. */
export function parseConfig(read: InputReader, env: NodeJS.ProcessEnv): Config {
  const c = new Collector()
  const warnings: string[] = []

  const credentials = oneOf<CredentialsMode>(
    c,
    'credentials',
    read('credentials') || 'access-key',
    ['access-key', 'role']
  )
  const githubToken = read('github-token')
  if (!githubToken)
    c.fail(
      'github-token',
      'is required: a fine-grained token with "Secrets: read and write" or a GitHub App token (the default GITHUB_TOKEN cannot write secrets)'
    )
  else c.check('github-token', githubToken, rules.checkToken)

  const home = read('repository') || env.GITHUB_REPOSITORY || ''
  if (!home) c.fail('repository', "is required: 'owner/name' (GITHUB_REPOSITORY is not set either)")
  else c.check('repository', home, rules.checkRepository)
  const homeRepository = splitRepository(home)

  const region = parseRegion(c, read('aws-region'), env)
  const awsAccountId = read('aws-account-id')
  if (awsAccountId) c.check('aws-account-id', awsAccountId, rules.checkAccountId)
  const bucketInput = read('bucket-name')
  if (bucketInput) c.check('bucket-name', bucketInput, rules.checkBucketName)
  if (bucketInput.includes('.'))
    warnings.push(
      `Bucket name '${bucketInput}' has dots: virtual-hosted HTTPS requests to it fail certificate checks; prefer hyphens.`
    )

  const userName = read('user-name') || deriveUserName(homeRepository.owner, homeRepository.repo)
  c.check('user-name', userName, rules.checkUserName)
  const roleName = read('role-name') || deriveUserName(homeRepository.owner, homeRepository.repo)
  c.check('role-name', roleName, rules.checkRoleName)
  const trust = parseTrust(c, read('trust'), warnings)
  if (credentials === 'access-key' && (read('trust') || read('role-name')))
    warnings.push("trust and role-name have no effect without credentials: 'role'.")
  const userPath = read('user-path') || DEFAULT_USER_PATH
  c.check('user-path', userPath, rules.checkUserPath)

  const policy = parsePolicy(c, read('policy') || 'bucket-read-write')
  if (policy.kind === 's3-full-access')
    warnings.push(
      "policy 's3-full-access' grants the user every S3 action on every bucket of the account; prefer bucket-read-write."
    )
  const permissionsBoundary = parseBoundary(c, read('permissions-boundary'), warnings)

  const tags = parseTags(c, read('tags'))
  const secretStore = oneOf<SecretStore>(c, 'secret-store', read('secret-store') || 'actions', [
    'actions',
    'dependabot',
    'codespaces'
  ])
  // Nothing of role mode is secret: there, region, bucket and role ARN are variables by default.
  const regionAndBucketAs = oneOf(
    c,
    'region-and-bucket-as',
    read('region-and-bucket-as') || (credentials === 'role' ? 'variables' : 'secrets'),
    ['secrets', 'variables'] as const
  )
  if (regionAndBucketAs === 'variables' && secretStore !== 'actions')
    c.fail(
      'region-and-bucket-as',
      `variables exist only beside the actions store (secret-store is '${secretStore}')`
    )
  checkStoreOnServer(c, secretStore, workflowRun(env).serverUrl)
  const destinations = parseDestinations(c, read, home, secretStore)
  if (credentials === 'role') checkRoleMode(c, destinations, secretStore)
  const maxWrites = integer(c, 'max-writes', read('max-writes') || '500', 1, 100000) ?? 500
  const names = parseNames(c, read('secret-prefix'))

  const currentKey = read('current-access-key-id')
  if (currentKey) c.check('current-access-key-id', currentKey, rules.checkAccessKeyId)

  const rotate = boolean(c, 'rotate', read('rotate') || 'false')
  const maxAgeInput = read('max-key-age-days')
  const maxKeyAgeDays = maxAgeInput
    ? integer(c, 'max-key-age-days', maxAgeInput, 1, 3650)
    : undefined
  if (maxAgeInput && !rotate)
    warnings.push("max-key-age-days has no effect without rotate: 'true'.")
  const oldKey = oneOf<OldKeyDisposal>(c, 'old-key', read('old-key') || 'delete', [
    'delete',
    'deactivate',
    'keep'
  ])
  const oldKeyGraceHours =
    integer(c, 'old-key-grace-hours', read('old-key-grace-hours') || '6', 0, MAX_GRACE_HOURS) ?? 6
  const verifyTimeoutSeconds =
    integer(
      c,
      'verify-timeout-seconds',
      read('verify-timeout-seconds') || '60',
      1,
      MAX_VERIFY_TIMEOUT_S
    ) ?? 60
  const dryRun = boolean(c, 'dry-run', read('dry-run') || 'false')
  const remove = boolean(c, 'remove', read('remove') || 'false')
  const removeBucket = boolean(c, 'remove-bucket', read('remove-bucket') || 'false')
  if (removeBucket && !remove) c.fail('remove-bucket', "applies only with remove: 'true'")
  if (remove && rotate)
    c.fail('rotate', "and remove: 'true' exclude each other (remove takes the key down)")
  const failOnChanges = boolean(c, 'fail-on-changes', read('fail-on-changes') || 'false')
  // A check must not change anything: a real run would put the drift back and then report it.
  if (failOnChanges && !dryRun)
    c.fail('fail-on-changes', "applies only with dry-run: 'true' (a drift check changes nothing)")

  if (c.errors.length > 0) throw new InputErrors(c.errors)
  return {
    githubToken,
    credentials,
    roleName,
    trust,
    region,
    ...(bucketInput ? { bucketName: bucketInput } : {}),
    userName,
    userPath,
    policy,
    ...(permissionsBoundary ? { permissionsBoundary } : {}),
    ...(awsAccountId ? { awsAccountId } : {}),
    tags,
    homeRepository,
    run: workflowRun(env),
    destinations,
    maxWrites,
    secretStore,
    regionAndBucketAs,
    names,
    ...(currentKey ? { currentAccessKeyId: currentKey } : {}),
    rotate,
    ...(maxKeyAgeDays !== undefined ? { maxKeyAgeDays } : {}),
    oldKey,
    oldKeyGraceHours,
    verifyTimeoutSeconds,
    dryRun,
    remove,
    removeBucket,
    failOnChanges,
    warnings
  }
}

// Names are derived, not random, so that every run of the same repository finds the same user
// and bucket again. They must also be distinct for distinct repositories: '+' and the hash keep
// 'acme/web-app' apart from 'acme-web/app' and 'acme/web_app'.
function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

/** '<owner>+<repository>', lower case: '+' occurs in neither, so the name maps back to one repository. */
export function deriveUserName(owner: string, repo: string): string {
  const full = `${owner}+${repo}`.toLowerCase()
  const base = full.replace(/[^\w+=,.@-]/g, '-')
  if (base.length <= 64 && base === full) return base
  return `${base.slice(0, 55).replace(/[-.]+$/, '')}-${shortHash(full)}`
}

/** '<owner>-<repository>-<hash>-<account id>': valid, at most 63 characters, unique per repository and account. */
export function deriveBucketName(owner: string, repo: string, accountId: string): string {
  const slug = `${owner}-${repo}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
  const tail = `-${shortHash(`${owner}/${repo}`.toLowerCase(), 6)}-${accountId}`
  // The action's own prefix: the bootstrap role's S3 permissions name only such buckets.
  const head = `${BUCKET_PREFIX}${slug || 'bucket'}`
  return `${head.slice(0, 63 - tail.length).replace(/-+$/, '')}${tail}`
}
