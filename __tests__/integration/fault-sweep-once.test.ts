/**
 * Issue 5, the fault sweep (__tests__/support/fault-sweep.ts): every request of a rotation,
 * failed once (the SDK and Octokit retry it), leaves working credentials and no orphan key, and a re-run converges.
 */
import { sweepRotation } from '../support/fault-sweep.js'
import { closeWorld } from '../support/world.js'

afterAll(closeWorld)

test('every request of a rotation, failed once, leaves working credentials and no orphan key', async () => {
  await sweepRotation(['single'])
}, 480_000)
