/**
 * Issue 16, fault sweep over a switch from access-key to role: for every request of the switch
 * that changes something (AWS and GitHub, each distinct target once), a run in which that request
 * fails every time it is made. After the faulty run the repository must hold working credentials,
 * the key (its pair stored, an active key of the user) or the role (its ARN, the region and the
 * bucket stored, the role with its grants), and no key may be left that nothing refers to; a
 * fault-free re-run must then finish the switch. Requests that only read fail a run before it
 * changes anything and are left out. A persistent GitHub fault is a secondary rate limit (the
 * throttling plugin waits retry-after, one second, a few times), an AWS one a 500.
 */
import {
  CreateOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListRolePoliciesCommand
} from '@aws-sdk/client-iam'
import { closeWorld, openWorld, REPO, TOKEN, type World } from '../support/world.js'

const ROLE_NAME = 'octo-org+octo-repo'
const ROLE = { credentials: 'role' }

afterAll(closeWorld)

const errors = (log: string) => log.split('\n').filter(l => l.startsWith('::error'))

async function keyWorld(): Promise<World> {
  const w = await openWorld()
  w.github.addToken(TOKEN, {
    kind: 'fine_grained_pat',
    permissions: ['secrets', 'variables', 'environments', 'actions']
  })
  await w.iam().send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1']
    })
  )
  expect((await w.run()).code).toBe(0)
  return w
}

/** What the repository holds that works: the key, the role, or (a failure) neither. */
async function holdings(w: World): Promise<{ key: boolean; role: boolean; orphans: string[] }> {
  const pair = w.storedPair()
  const keys = await w.keysOf(ROLE_NAME)
  const active = keys.filter(k => k.status === 'Active').map(k => k.id)
  const key = pair !== undefined && active.includes(pair.accessKeyId)
  const roleArn = w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')
  let role = false
  if (roleArn && w.github.variable({ repo: REPO }, 'AWS_BUCKET_NAME')) {
    const found = await w.iam().send(new GetRoleCommand({ RoleName: ROLE_NAME }))
    const grants = await w.iam().send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))
    role = found.Role?.Arn === roleArn && (grants.PolicyNames ?? []).length > 0
  }
  // A key nothing refers to: active, and not the stored one.
  const orphans = active.filter(id => id !== pair?.accessKeyId)
  return { key, role, orphans }
}

test('every changing request of a switch to role, failing, leaves the key or the role working, and a re-run finishes', async () => {
  // The positions: the changing requests of a fault-free switch, each distinct target once.
  let w = await keyWorld()
  w.aws.reset()
  const ghStart = w.github.requests.length
  expect((await w.run(ROLE)).code).toBe(0)
  const targets = [
    ...new Set([
      ...w.aws.requests.filter(r => r.mutating).map(r => `aws ${r.action}`),
      ...w.github.requests
        .slice(ghStart)
        .filter(r => r.method !== 'GET')
        .map(r => `github ${r.method} ${r.path}`)
    ])
  ]
  expect(targets).toEqual(
    expect.arrayContaining([
      'aws CreateRole',
      'aws PutRolePolicy',
      'aws DeleteAccessKey',
      `github DELETE /repos/${REPO}/actions/secrets/AWS_ACCESS_KEY_ID`
    ])
  )

  const findings: string[] = []
  for (const target of targets) {
    w = await keyWorld()
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
    const faulty = await w.run(ROLE)
    armed = false
    const after = await holdings(w)
    const rerun = await w.run(ROLE)
    const converged = await holdings(w)
    findings.push(
      `${target}: code ${faulty.code}, key ${after.key}, role ${after.role}, orphans ${after.orphans.length}; re-run ${rerun.code}, key ${converged.key}, role ${converged.role}, secrets ${w.github.secretNames({ repo: REPO }).join('|') || '-'}`
    )
    // A key left active that no stored pair refers to is allowed only where the run says so,
    // naming it (a pair half deleted: the next run deletes the key).
    expect({
      target,
      works: after.key || after.role,
      unannounced: after.orphans.filter(
        id => !errors(faulty.log).some(l => l.includes(id) && /(still|left) active/.test(l))
      )
    }).toEqual({ target, works: true, unannounced: [] })
    expect({ target, rerun: rerun.code, ...converged }).toEqual({
      target,
      rerun: 0,
      key: false,
      role: true,
      orphans: []
    })
    expect(w.github.secretNames({ repo: REPO }).sort()).toEqual(['AWS_BUCKET_NAME', 'AWS_REGION'])
  }
  console.log(`switch sweep:\n${findings.join('\n')}`)
}, 300_000)
