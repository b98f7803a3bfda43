// The stand-in's world: repositories, environments and organizations, each secret store with its
// own libsodium (X25519 sealed box) key pair, and the variables. Everything is in memory.
import { randomInt } from 'node:crypto'
import sodium from 'libsodium-wrappers'

export type SecretStoreKind = 'actions' | 'dependabot' | 'codespaces'
export type Scope =
  | { repo: string; store?: SecretStoreKind; environment?: string }
  | { org: string; store?: SecretStoreKind }
export type VariableScope = { repo: string; environment?: string } | { org: string }

export interface Visibility {
  visibility?: string
  selected_repository_ids?: number[]
}

export interface StoredSecret extends Visibility {
  value: string
  created_at: string
  updated_at: string
}

export interface StoredVariable extends Visibility {
  name: string
  value: string
  created_at: string
  updated_at: string
}

export type VariableMap = Map<string, StoredVariable>

export const SECRET_STORES: SecretStoreKind[] = ['actions', 'dependabot', 'codespaces']
export const MAX_VALUE_BYTES = 48 * 1024

export type Opened = { ok: true; plaintext: string } | { ok: false; message: string }

export class SecretStore {
  readonly secrets = new Map<string, StoredSecret>()
  private keyId = newKeyId()
  private keys = sodium.crypto_box_keypair()

  rotate(): void {
    this.keyId = newKeyId()
    this.keys = sodium.crypto_box_keypair()
  }

  publicKey(): { key_id: string; key: string } {
    return {
      key_id: this.keyId,
      key: sodium.to_base64(this.keys.publicKey, sodium.base64_variants.ORIGINAL)
    }
  }

  open(encryptedValue: string, keyId: string): Opened {
    if (keyId !== this.keyId) {
      return { ok: false, message: 'Bad request: key_id is not the current public key id' }
    }
    try {
      const sealed = sodium.from_base64(encryptedValue, sodium.base64_variants.ORIGINAL)
      const opened = sodium.crypto_box_seal_open(sealed, this.keys.publicKey, this.keys.privateKey)
      return { ok: true, plaintext: new TextDecoder('utf-8', { fatal: true }).decode(opened) }
    } catch {
      return { ok: false, message: 'Bad request: encrypted_value could not be decrypted' }
    }
  }
}

export interface Environment {
  name: string
  secrets: SecretStore
  variables: VariableMap
}

/** A workflow run of the repository, as GET /repos/{owner}/{repo}/actions/runs/{run_id} shows it. */
export interface WorkflowRun {
  id: number
  attempt: number
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'cancelled' | null
}

export interface Repository {
  id: number
  owner: string
  name: string
  fullName: string
  environments: Map<string, Environment>
  stores: Record<SecretStoreKind, SecretStore>
  variables: VariableMap
  runs: Map<number, WorkflowRun>
  /** GET /repos/{owner}/{repo}/actions/oidc/customization/sub, as GitHub answers it. */
  oidcSubject: OidcSubject
}

/** A repository's OIDC subject settings (GitHub's field names). */
export interface OidcSubject {
  use_default: boolean
  include_claim_keys?: string[]
  use_immutable_subject?: boolean
  sub_claim_prefix?: string
}

/** The owner's numeric id, as repos/get shows it: stable per login, like GitHub's. */
export function ownerId(login: string): number {
  let hash = 7
  for (const c of login.toLowerCase()) hash = (hash * 31 + c.charCodeAt(0)) % 9_000_000
  return 1_000_000 + hash
}

export interface Organization {
  id: number
  login: string
  stores: Record<SecretStoreKind, SecretStore>
  variables: VariableMap
  /** The organization's repositories the stand-in holds (all private, as repos/get says). */
  repositoryCount: () => number
}

export class World {
  private readonly repos = new Map<string, Repository>()
  private readonly orgs = new Map<string, Organization>()
  private nextId = 100_000_001

  addRepository(fullName: string, environments: string[] = []): Repository {
    const [owner, name, ...rest] = fullName.split('/')
    if (!owner || !name || rest.length) throw new Error(`expected owner/name, got ${fullName}`)
    const key = fullName.toLowerCase()
    const repo = this.repos.get(key) ?? {
      id: this.nextId++,
      owner,
      name,
      fullName,
      environments: new Map(),
      stores: newStores(),
      variables: new Map(),
      runs: new Map(),
      oidcSubject: { use_default: true }
    }
    this.repos.set(key, repo)
    for (const environment of environments) addEnvironment(repo, environment)
    return repo
  }

  addOrganization(login: string): Organization {
    const key = login.toLowerCase()
    const org = this.orgs.get(key) ?? {
      id: this.nextId++,
      login,
      stores: newStores(),
      variables: new Map(),
      repositoryCount: () =>
        [...this.repos.values()].filter(r => r.owner.toLowerCase() === key).length
    }
    this.orgs.set(key, org)
    return org
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase())
  }

  organization(login: string): Organization | undefined {
    return this.orgs.get(login.toLowerCase())
  }

  secretStore(scope: Scope): SecretStore {
    const kind = scope.store ?? 'actions'
    if ('org' in scope) return this.requireOrg(scope.org).stores[kind]
    const repo = this.requireRepo(scope.repo)
    if (scope.environment === undefined) return repo.stores[kind]
    if (kind !== 'actions') throw new Error('environment secrets exist only in the actions store')
    return requireEnvironment(repo, scope.environment).secrets
  }

  variableMap(scope: VariableScope): VariableMap {
    if ('org' in scope) return this.requireOrg(scope.org).variables
    const repo = this.requireRepo(scope.repo)
    if (scope.environment === undefined) return repo.variables
    return requireEnvironment(repo, scope.environment).variables
  }

  private requireRepo(fullName: string): Repository {
    const repo = this.repos.get(fullName.toLowerCase())
    if (!repo) throw new Error(`unknown repository ${fullName}: call addRepository first`)
    return repo
  }

  private requireOrg(login: string): Organization {
    const org = this.organization(login)
    if (!org) throw new Error(`unknown organization ${login}: call addOrganization first`)
    return org
  }
}

export function findEnvironment(repo: Repository, name: string): Environment | undefined {
  return repo.environments.get(name.toLowerCase())
}

function requireEnvironment(repo: Repository, name: string): Environment {
  const environment = findEnvironment(repo, name)
  if (!environment) throw new Error(`unknown environment ${name} in ${repo.fullName}`)
  return environment
}

function addEnvironment(repo: Repository, name: string): void {
  const key = name.toLowerCase()
  if (repo.environments.has(key)) return
  repo.environments.set(key, { name, secrets: new SecretStore(), variables: new Map() })
}

function newStores(): Record<SecretStoreKind, SecretStore> {
  return {
    actions: new SecretStore(),
    dependabot: new SecretStore(),
    codespaces: new SecretStore()
  }
}

// GitHub key ids are long decimal strings, e.g. "568250167242549743".
function newKeyId(): string {
  return `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`
}

// GitHub's timestamps: ISO 8601 in UTC, without milliseconds.
export function githubTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// Secret and variable names are case-insensitive; GitHub stores and lists them upper-cased.
export function normalizeName(name: string): string {
  return name.toUpperCase()
}

// GitHub's naming rules for secrets and variables; undefined when the name is acceptable.
export function nameProblem(kind: 'Secret' | 'Variable', name: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed.`
  }
  if (/^[0-9]/.test(name)) return `${kind} names must not start with a number.`
  if (/^GITHUB_/i.test(name)) return `${kind} names must not start with the GITHUB_ prefix.`
  return undefined
}
