/**
 * The fault sweeps over a switch of credentials (issue 16: role-switch-sweep.test.ts, access-key
 * to role; role-switch-back-sweep.test.ts, role to access-key): the switch's changing requests,
 * each made to fail persistently, and what the faulty run may leave behind.
 */
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam'
import { main, ROLE_ARN, ROLE_NAME, type RoleWorld } from './role-world.js'
import type { RunResult } from './run-action.js'
import { REPO, type World } from './world.js'

/** What the repository holds that works (the key, the role, both, or neither), and orphan keys. */
export interface Holdings {
  /** A stored pair that authenticates, an active key of the user. */
  key: boolean
  /** The role's ARN and the bucket stored, the role with its grants, assumable by the repository. */
  role: boolean
  /** Active keys of the user that no stored pair refers to. */
  orphans: string[]
}

export async function holdings(w: RoleWorld): Promise<Holdings> {
  const pair = w.storedPair()
  const keys = await w.keysOf(ROLE_NAME).catch(() => [])
  const active = keys.filter(k => k.status === 'Active').map(k => k.id)
  const key = pair !== undefined && active.includes(pair.accessKeyId) && (await w.works(pair))
  return {
    key,
    role: await roleWorks(w),
    orphans: active.filter(id => id !== pair?.accessKeyId)
  }
}

/** The role as a workflow of the repository finds it: stored, granted, and assumable. */
async function roleWorks(w: RoleWorld): Promise<boolean> {
  const stored = (name: string) =>
    w.github.variable({ repo: REPO }, name) ?? w.github.secret({ repo: REPO }, name)
  if (w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN') !== ROLE_ARN) return false
  if (!stored('AWS_BUCKET_NAME') || !stored('AWS_REGION')) return false
  try {
    const grants = await w.iam().send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))
    if ((grants.PolicyNames ?? []).length === 0) return false
    // STS's decision as the proxy's authorizer judges it: the provider and the role's trust.
    await w.assume(main())
    return true
  } catch {
    return false
  }
}

/**
 * The changing requests of a fault-free run (which must succeed), each distinct target once:
 * `aws <Action>` or `github <METHOD> <path>`.
 */
export async function changingTargets(w: World, run: () => Promise<RunResult>): Promise<string[]> {
  const awsStart = w.aws.requests.length
  const ghStart = w.github.requests.length
  expect((await run()).code).toBe(0)
  return [
    ...new Set([
      ...w.aws.requests
        .slice(awsStart)
        .filter(r => r.mutating)
        .map(r => `aws ${r.action}`),
      ...w.github.requests
        .slice(ghStart)
        .filter(r => r.method !== 'GET')
        .map(r => `github ${r.method} ${r.path}`)
    ])
  ]
}

/**
 * Every request to `target` fails until the returned function is called: AWS with a 500, GitHub
 * with a secondary rate limit (the throttling plugin waits retry-after, one second, a few times;
 * a persistent 5xx would cost Octokit's retries 1 + 4 + 9 s).
 */
export function failPersistently(w: World, target: string): () => void {
  const [service, ...rest] = target.split(' ')
  const what = rest.join(' ')
  let armed = true
  if (service === 'aws') w.aws.failWhen(r => armed && r.action === what, { status: 500 })
  else
    w.github.failWhen(q => armed && `${q.method} ${q.path}` === what, {
      status: 403,
      secondaryRateLimit: true,
      retryAfterSeconds: 1
    })
  return () => {
    armed = false
  }
}

export const errors = (log: string) => log.split('\n').filter(l => l.startsWith('::error'))

/**
 * The keys left active that nothing refers to and the run did not name in an error as left
 * active (a pair half deleted, a key that could not be retired, a new key whose secret was not
 * written and that stays marked as pending: the next run finishes).
 */
export function unannounced(orphans: string[], log: string): string[] {
  return orphans.filter(
    id => !errors(log).some(l => l.includes(id) && /(still|left) active|stays active/.test(l))
  )
}
