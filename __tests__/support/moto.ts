// A moto server (AWS stand-in) for the tests: one per process, so each jest worker has its own
// state. Auth is off by default (any credentials work); enableAuth() turns IAM enforcement on.
import childProcess, { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  type User
} from '@aws-sdk/client-iam'
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client
} from '@aws-sdk/client-s3'

export interface Moto {
  endpoint: string
  port: number
}

export interface AwsCreds {
  accessKeyId: string
  secretAccessKey: string
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const VENV_PYTHON = join(ROOT, '.venv', 'bin', 'python')
const MOTO_SERVER = join(ROOT, '.venv', 'bin', 'moto_server')
const LOG_DIR = join(ROOT, '.tmp', 'moto')
const START_TIMEOUT_MS = 20_000
const FAKE_CREDS: AwsCreds = { accessKeyId: 'testing', secretAccessKey: 'testing' }
const ADMIN_USER = 'moto-admin'
const ALLOW_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }]
}

// moto_server's own entry point, plus a watchdog: the server exits as soon as its stdin closes,
// i.e. when this process ends however it ends (jest may kill workers without running exit hooks).
const WATCHDOG = [
  'import os, sys, threading',
  'from moto.server import main',
  'def watch():',
  '    sys.stdin.buffer.read()',
  '    os._exit(0)',
  'threading.Thread(target=watch, daemon=True).start()',
  'main(sys.argv[1:])'
].join('\n')

// Jest gives every test file its own module registry and its own `process`/`globalThis` copies, so
// a plain module-level variable would start one server per test file. Node's built-in module
// objects are shared by the whole process: keep the singleton there.
interface Running {
  promise?: Promise<Moto>
  child?: ChildProcess
}
function running(managedPolicies: boolean): Running {
  const holder = childProcess as unknown as Record<symbol, Running | undefined>
  const slot = Symbol.for(`s3-credentials-action.tests.moto${managedPolicies ? '.managed' : ''}`)
  return (holder[slot] ??= {})
}

export interface MotoOptions {
  /**
   * Load AWS managed policies (AmazonS3FullAccess and the rest). It makes every reset and the first
   * IAM call after it cost about 1.5 s each, so only the tests that need them ask for it: they get
   * a second server of their own.
   */
  managedPolicies?: boolean
}

/** Starts the moto server of this process (one per variant), or returns the one already started. */
export function startMoto(opts: MotoOptions = {}): Promise<Moto> {
  const managed = opts.managedPolicies ?? false
  const slot = running(managed)
  if (!slot.promise) {
    slot.promise = launch(slot, managed).catch((err: unknown) => {
      slot.promise = undefined
      throw err
    })
  }
  return slot.promise
}

async function launch(slot: Running, managedPolicies: boolean): Promise<Moto> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing: run bash scripts/setup.sh`)
  }
  mkdirSync(LOG_DIR, { recursive: true })
  // The free port can be taken by someone else before moto binds it: then moto exits and we retry.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const logFile = join(LOG_DIR, `moto-${process.pid}-${port}.log`)
    const child = spawnServer(port, logFile, managedPolicies)
    try {
      await waitUntilReady(child, port, logFile)
    } catch (err) {
      child.kill('SIGKILL')
      if (err instanceof PortTaken && attempt < 5) continue
      throw err
    }
    slot.child = child
    child.once('exit', () => {
      if (slot.child === child) {
        slot.child = undefined
        slot.promise = undefined
      }
    })
    // Outside jest (scripts), an exit hook works too; inside jest, the watchdog does the job.
    process.once('exit', () => child.kill())
    return { endpoint: `http://127.0.0.1:${port}`, port }
  }
}

function spawnServer(port: number, logFile: string, managedPolicies: boolean): ChildProcess {
  const log = openSync(logFile, 'w')
  try {
    const child = spawn(VENV_PYTHON, ['-c', WATCHDOG, '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['pipe', log, log],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        PYTHONUNBUFFERED: '1',
        MOTO_IAM_LOAD_MANAGED_POLICIES: String(managedPolicies)
      }
    })
    // Neither the server nor its stdin pipe may keep this process (a jest worker) alive.
    child.unref()
    ;(child.stdin as unknown as Socket | null)?.unref()
    return child
  } finally {
    closeSync(log)
  }
}

class PortTaken extends Error {}

async function waitUntilReady(child: ChildProcess, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  let exit: string | undefined
  child.once('exit', (code, signal) => (exit = signal ?? String(code)))
  child.once('error', err => (exit = err.message))
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      const tail = logTail(logFile)
      if (/address already in use|in use by another program/i.test(tail))
        throw new PortTaken(`port ${port} taken`)
      throw new Error(`moto_server exited (${exit}) while starting; its output ends with:\n${tail}`)
    }
    // "Running on" in *our* log proves our server holds the port (and not someone else's).
    if (readLog(logFile).includes('Running on')) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/moto-api/`, {
          signal: AbortSignal.timeout(2000)
        })
        await res.arrayBuffer()
        if (res.ok) return
      } catch {
        // not answering yet
      }
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(
    `moto_server did not answer on port ${port} within ${START_TIMEOUT_MS / 1000}s; ` +
      `its output ends with:\n${logTail(logFile)}`
  )
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8')
  } catch {
    return ''
  }
}

function logTail(logFile: string, lines = 20): string {
  return readLog(logFile).trimEnd().split('\n').slice(-lines).join('\n') || '(no output)'
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}

async function motoApi(m: Moto, path: string, body?: string): Promise<string> {
  const res = await fetch(`${m.endpoint}/moto-api/${path}`, {
    method: 'POST',
    // moto reads the raw body; a form content type would make it see an empty one.
    headers: { 'content-type': 'text/plain' },
    ...(body === undefined ? {} : { body })
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`POST /moto-api/${path} answered ${res.status}: ${text}`)
  return text
}

/**
 * Sets moto's INITIAL_NO_AUTH_ACTION_COUNT: the number of requests served without checking
 * signatures and permissions before enforcement starts ('inf': never, '0': from now on). The body
 * is the bare number, not JSON (moto does `float(request.data)`). Returns the previous value.
 */
async function setAuthCount(m: Moto, count: string): Promise<string> {
  const answer = JSON.parse(await motoApi(m, 'reset-auth', count)) as {
    PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT: string
  }
  return answer.PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT
}

/** Forgets every AWS resource and turns auth enforcement off. */
export async function resetMoto(m: Moto): Promise<void> {
  harnessKeys.delete(m.endpoint)
  await motoApi(m, 'reset')
  await setAuthCount(m, 'inf')
}

/**
 * The key the test harness itself (the AWS proxy's model of AWS, see aws-proxy.ts) signs its own
 * requests to moto with, by server: a user allowed everything, made by the first enableAuth()
 * after a reset, outside the action's path. Before enforcement any key works.
 */
const harnessKeys = new Map<string, AwsCreds>()
const HARNESS_USER = 'aws-proxy-harness'

export function harnessCredentials(m: Moto): AwsCreds {
  return harnessKeys.get(m.endpoint) ?? FAKE_CREDS
}

/**
 * Creates the IAM user `userName` (default moto-admin; inline policy: `policy`, default allow
 * everything) and an access
 * key for it, then makes moto enforce IAM: from now on only requests signed with keys of moto's
 * own users, and allowed by their policies, succeed. resetMoto() turns enforcement off again.
 */
export async function enableAuth(
  m: Moto,
  policy: object = ALLOW_ALL,
  userName = ADMIN_USER
): Promise<AwsCreds> {
  await setAuthCount(m, 'inf')
  const iam = iamClient(m)
  try {
    try {
      await iam.send(new CreateUserCommand({ UserName: userName }))
    } catch (err) {
      if ((err as Error).name !== 'EntityAlreadyExistsException') throw err
    }
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: userName,
        PolicyDocument: JSON.stringify(policy)
      })
    )
    const creds = await newKey(iam, userName)
    if (!harnessKeys.has(m.endpoint)) {
      await iam.send(new CreateUserCommand({ UserName: HARNESS_USER }))
      await iam.send(
        new PutUserPolicyCommand({
          UserName: HARNESS_USER,
          PolicyName: HARNESS_USER,
          PolicyDocument: JSON.stringify(ALLOW_ALL)
        })
      )
      harnessKeys.set(m.endpoint, await newKey(iam, HARNESS_USER))
    }
    await setAuthCount(m, '0')
    return creds
  } finally {
    iam.destroy()
  }
}

async function newKey(iam: IAMClient, UserName: string): Promise<AwsCreds> {
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }))
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) {
    throw new Error('moto returned no access key')
  }
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }
}

/**
 * Environment for an AWS SDK process talking to this moto: every service at the moto endpoint,
 * the given (or fake) credentials, and nothing from the machine (profiles, config files, instance
 * metadata). The region is left to the caller.
 */
export function awsEnv(m: Moto, creds?: AwsCreds): Record<string, string> {
  const { accessKeyId, secretAccessKey } = creds ?? FAKE_CREDS
  return {
    AWS_ENDPOINT_URL: m.endpoint,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    // The SDK treats empty values as unset.
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_DEFAULT_PROFILE: '',
    AWS_ROLE_ARN: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: ''
  }
}

/**
 * A readable fingerprint (JSON) of the moto state this action touches: IAM users with their keys,
 * policies, groups, tags and boundary, customer managed policies, and S3 buckets with their
 * settings and objects. Compare two snapshots to assert that nothing changed. Works whether or not
 * auth is enforced (it is suspended while reading); do not take one while the action runs.
 */
export async function snapshotMoto(m: Moto): Promise<string> {
  const previous = await setAuthCount(m, 'inf')
  const iam = iamClient(m)
  const s3 = new S3Client({
    endpoint: m.endpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDS,
    forcePathStyle: true
  })
  try {
    return JSON.stringify(
      {
        users: await iamUsers(iam),
        policies: await localPolicies(iam),
        buckets: await buckets(s3)
      },
      null,
      2
    )
  } finally {
    iam.destroy()
    s3.destroy()
    await setAuthCount(m, previous)
  }
}

function iamClient(m: Moto): IAMClient {
  return new IAMClient({ endpoint: m.endpoint, region: 'us-east-1', credentials: FAKE_CREDS })
}

async function iamUsers(iam: IAMClient): Promise<unknown[]> {
  const users: User[] = []
  let Marker: string | undefined
  do {
    const page = await iam.send(new ListUsersCommand({ Marker }))
    users.push(...(page.Users ?? []))
    Marker = page.IsTruncated ? page.Marker : undefined
  } while (Marker)
  users.sort((a, b) => (a.UserName ?? '').localeCompare(b.UserName ?? ''))
  const result = []
  for (const { UserName } of users) {
    const { User: user } = await iam.send(new GetUserCommand({ UserName }))
    const keys = await iam.send(new ListAccessKeysCommand({ UserName }))
    const inline = await iam.send(new ListUserPoliciesCommand({ UserName }))
    const inlineDocs: Record<string, unknown> = {}
    for (const PolicyName of [...(inline.PolicyNames ?? [])].sort()) {
      const doc = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))
      inlineDocs[PolicyName] = parsePolicy(doc.PolicyDocument)
    }
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName }))
    const groups = await iam.send(new ListGroupsForUserCommand({ UserName }))
    const tags = await iam.send(new ListUserTagsCommand({ UserName }))
    result.push({
      name: UserName,
      path: user?.Path,
      arn: user?.Arn,
      boundary: user?.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      keys: (keys.AccessKeyMetadata ?? [])
        .map(k => ({ id: k.AccessKeyId, status: k.Status, created: k.CreateDate?.toISOString() }))
        .sort((a, b) => (a.id ?? '').localeCompare(b.id ?? '')),
      inlinePolicies: inlineDocs,
      attachedPolicies: (attached.AttachedPolicies ?? []).map(p => p.PolicyArn).sort(),
      groups: (groups.Groups ?? []).map(g => g.GroupName).sort(),
      tags: (tags.Tags ?? []).map(t => `${t.Key}=${t.Value}`).sort()
    })
  }
  return result
}

async function localPolicies(iam: IAMClient): Promise<unknown[]> {
  const { Policies = [] } = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))
  const result = []
  for (const p of [...Policies].sort((a, b) => (a.Arn ?? '').localeCompare(b.Arn ?? ''))) {
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId })
    )
    result.push({
      arn: p.Arn,
      version: p.DefaultVersionId,
      attachments: p.AttachmentCount,
      document: parsePolicy(version.PolicyVersion?.Document)
    })
  }
  return result
}

async function buckets(s3: S3Client): Promise<unknown[]> {
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}))
  const result = []
  for (const name of Buckets.map(b => b.Name ?? '').sort()) {
    const Bucket = name
    const objects = await s3.send(new ListObjectsV2Command({ Bucket }))
    result.push({
      name,
      tags: await absentAsNull(async () =>
        ((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet ?? [])
          .map(t => `${t.Key}=${t.Value}`)
          .sort()
      ),
      policy: await absentAsNull(async () =>
        parsePolicy((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy)
      ),
      publicAccessBlock: await absentAsNull(
        async () =>
          (await s3.send(new GetPublicAccessBlockCommand({ Bucket })))
            .PublicAccessBlockConfiguration ?? null
      ),
      encryption: await absentAsNull(
        async () =>
          (await s3.send(new GetBucketEncryptionCommand({ Bucket })))
            .ServerSideEncryptionConfiguration ?? null
      ),
      versioning: (await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status ?? null,
      objects: (objects.Contents ?? []).map(o => `${o.Key} ${o.ETag}`).sort()
    })
  }
  return result
}

async function absentAsNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read()
  } catch (err) {
    const name = (err as Error).name
    if (name.startsWith('NoSuch') || name.endsWith('NotFoundError')) return null
    throw err
  }
}

function parsePolicy(document: string | undefined): unknown {
  if (document === undefined) return null
  try {
    return JSON.parse(decodeURIComponent(document))
  } catch {
    return document
  }
}
