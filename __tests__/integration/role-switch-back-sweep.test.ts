/**
 * Issue 16, fault sweep over a switch back from role to access-key (old-key delete): for every
 * request of the switch that changes something (AWS and GitHub, each distinct target once, found
 * by a fault-free switch back), a run in which that request fails every time it is made. After
 * the faulty run the repository must hold working credentials, the role (its ARN still stored, the
 * role assumable as the proxy's authorizer judges it) or the key (its pair stored and working),
 * and no key may be left that nothing refers to unless the run names it; a fault-free re-run must
 * then finish the switch: the role gone, one key, stored and working, the role's ARN gone.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam'
import { refused, ROLE, ROLE_NAME, roleWorld, type RoleWorld } from '../support/role-world.js'
import {
  changingTargets,
  failPersistently,
  holdings,
  unannounced
} from '../support/switch-sweep.js'
import { closeWorld, REPO } from '../support/world.js'

afterAll(closeWorld)

/**
 * A repository set up with credentials role; the proxy's record starts after the setup. No
 * session of the role makes requests here: only its assumption is judged.
 */
async function roleSetUp(): Promise<RoleWorld> {
  const w = await roleWorld({ sessions: false })
  expect((await w.run(ROLE)).code).toBe(0)
  w.forget()
  return w
}

test('every changing request of a switch back to access-key, failing, leaves the role or the key working, and a re-run finishes', async () => {
  let w = await roleSetUp()
  const targets = await changingTargets(w, () => w.run())
  expect(targets).toEqual(
    expect.arrayContaining([
      'aws CreateAccessKey',
      'aws DeleteRole',
      `github PUT /repos/${REPO}/actions/secrets/AWS_SECRET_ACCESS_KEY`,
      `github DELETE /repos/${REPO}/actions/variables/AWS_ROLE_ARN`
    ])
  )

  const findings: string[] = []
  for (const target of targets) {
    const started = Date.now()
    w = await roleSetUp()
    const disarm = failPersistently(w, target)
    const faulty = await w.run()
    disarm()
    const after = await holdings(w)
    const rerun = await w.run()
    const converged = await holdings(w)
    const keys = await w.keysOf(ROLE_NAME)
    const roleLeft = await refused(w.iam().send(new GetRoleCommand({ RoleName: ROLE_NAME })))
    findings.push(
      `${target}: code ${faulty.code}, key ${after.key}, role ${after.role}, orphans ${after.orphans.length}; re-run ${rerun.code}, key ${converged.key}, keys ${keys.length}, role ${roleLeft}, ${Date.now() - started} ms`
    )
    expect({
      target,
      works: after.key || after.role,
      unannounced: unannounced(after.orphans, faulty.log)
    }).toEqual({ target, works: true, unannounced: [] })
    expect({ target, rerun: rerun.code, ...converged, keys: keys.length, roleLeft }).toEqual({
      target,
      rerun: 0,
      key: true,
      role: false,
      orphans: [],
      keys: 1,
      roleLeft: 'NoSuchEntityException'
    })
    expect(w.github.variable({ repo: REPO }, 'AWS_ROLE_ARN')).toBeUndefined()
  }
  console.log(`switch back sweep:\n${findings.join('\n')}`)
}, 300_000)
