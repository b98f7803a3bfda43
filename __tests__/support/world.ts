/**
 * One test world: moto (AWS) and the GitHub stand-in, wired to the bundled action as a runner
 * would. Each test gets a clean account and a clean GitHub with one repository and one token.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CreatePolicyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam'
import { S3Client } from '@aws-sdk/client-s3'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { AwsProxy } from './aws-proxy.js'
import { GitHubStandin } from './github-standin.js'
import {
  awsEnv,
  enableAuth,
  harnessCredentials,
  resetMoto,
  startMoto,
  type AwsCreds,
  type Moto
} from './moto.js'
import { runAction, type RunResult } from './run-action.js'

export const REPO = 'octo-org/octo-repo'
export const TOKEN = 'github_pat_test_token_with_secrets'
export const ACCOUNT_ID = '123456789012'
export const REGION = 'eu-west-1'
export const BOUNDARY_NAME = 's3-credentials-action-boundary'
export const BOUNDARY_ARN = `arn:aws:iam::123456789012:policy/${BOUNDARY_NAME}`
export const USER_PATH = '/s3-credentials-action/'

export interface World {
  moto: Moto
  /** Between the action and moto: records every AWS request, injects faults and delays. */
  aws: AwsProxy
  github: GitHubStandin
  /** The action's own credentials when moto enforces IAM. */
  admin?: AwsCreds
  run(inputs?: Record<string, string>, env?: Record<string, string>): Promise<RunResult>
  iam(creds?: AwsCreds): IAMClient
  s3(creds?: AwsCreds, region?: string): S3Client
  /** The access key pair stored in the repository, decrypted by the stand-in. */
  storedPair(repo?: string, prefix?: string): AwsCreds | undefined
  keysOf(userName: string): Promise<{ id: string; status: string }[]>
  /** Whether a pair authenticates against moto (STS GetCallerIdentity). */
  works(creds: AwsCreds): Promise<boolean>
}

interface Services {
  moto: Moto
  aws: AwsProxy
  github: GitHubStandin
}
const shared: Record<'plain' | 'managed', Services | undefined> = {
  plain: undefined,
  managed: undefined
}

/**
 * `boundary: false` leaves out the permissions boundary policy the bootstrap creates
 * (s3-credentials-action-boundary), which every other world has, as a deployed account does.
 */
export async function openWorld(
  opts: { auth?: boolean; managedPolicies?: boolean; boundary?: boolean } = {}
): Promise<World> {
  const variant = opts.managedPolicies ? 'managed' : 'plain'
  if (!shared[variant]) {
    const moto = await startMoto({ managedPolicies: opts.managedPolicies ?? false })
    shared[variant] = {
      moto,
      aws: await AwsProxy.start(moto.endpoint, () => harnessCredentials(moto)),
      github: await GitHubStandin.start()
    }
  }
  const { moto, aws, github } = shared[variant]
  await resetMoto(moto)
  aws.forgetAccount()
  aws.reset()
  github.reset()
  github.addToken(TOKEN, {
    kind: 'fine_grained_pat',
    permissions: ['secrets', 'variables', 'environments']
  })
  github.addRepository(REPO, { environments: ['production'] })
  const admin = opts.auth ? await enableAuth(moto) : undefined
  const fake = { accessKeyId: 'testing', secretAccessKey: 'testing' }
  const clientConfig = (creds?: AwsCreds, region = REGION) => ({
    endpoint: moto.endpoint,
    region,
    credentials: creds ?? admin ?? fake
  })
  const world: World = {
    moto,
    aws,
    github,
    ...(admin ? { admin } : {}),
    run: (inputs = {}, env = {}) =>
      runAction({
        inputs: {
          'github-token': TOKEN,
          'aws-region': REGION,
          'verify-timeout-seconds': '20',
          // The tests written before old-key-grace-hours expect the old key retired at once; the
          // tests of the grace pass it (rotation-grace.test.ts).
          'old-key-grace-hours': '0',
          ...inputs
        },
        env: {
          ...awsEnv(moto, admin),
          AWS_ENDPOINT_URL: aws.url,
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: REPO,
          ...env
        }
      }),
    iam: creds => new IAMClient(clientConfig(creds, 'us-east-1')),
    s3: (creds, region) => new S3Client(clientConfig(creds, region)),
    storedPair(repo = REPO, prefix = '') {
      const accessKeyId = github.secret({ repo }, `${prefix}AWS_ACCESS_KEY_ID`)
      const secretAccessKey = github.secret({ repo }, `${prefix}AWS_SECRET_ACCESS_KEY`)
      return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined
    },
    async keysOf(userName) {
      const out = await world.iam().send(new ListAccessKeysCommand({ UserName: userName }))
      return (out.AccessKeyMetadata ?? []).map(k => ({ id: k.AccessKeyId!, status: k.Status! }))
    },
    async works(creds) {
      const sts = new STSClient({ ...clientConfig(creds), maxAttempts: 1 })
      try {
        await sts.send(new GetCallerIdentityCommand({}))
        return true
      } catch {
        return false
      } finally {
        sts.destroy()
      }
    }
  }
  if (opts.boundary !== false) await createBoundary(world.iam())
  return world
}

/** The boundary policy as bootstrap/role.yml creates it (docs/boundary-policy.json, generated). */
async function createBoundary(iam: IAMClient): Promise<void> {
  const document = readFileSync(
    fileURLToPath(new URL('../../docs/boundary-policy.json', import.meta.url)),
    'utf8'
  ).replaceAll('ACCOUNT_ID', ACCOUNT_ID)
  await iam.send(new CreatePolicyCommand({ PolicyName: BOUNDARY_NAME, PolicyDocument: document }))
}

export async function closeWorld(): Promise<void> {
  for (const variant of ['plain', 'managed'] as const) {
    await Promise.all([shared[variant]?.github.stop(), shared[variant]?.aws.stop()])
    shared[variant] = undefined
  }
}

/** Requests that change something, by service: what "a re-run changes nothing" counts. */
export function githubWrites(github: GitHubStandin): number {
  return github.writeCount()
}
