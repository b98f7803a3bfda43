/**
 * Issue 5, the fault sweep (__tests__/support/fault-sweep.ts): every request of a rotation,
 * taking effect with its answer lost (the client retries what has happened), leaves working credentials and no orphan key, and a re-run converges.
 */
import { sweepRotation } from '../support/fault-sweep.js'
import { closeWorld } from '../support/world.js'

afterAll(closeWorld)

test('every request of a rotation, taking effect with its answer lost, leaves working credentials and no orphan key', async () => {
  await sweepRotation(['lost'])
}, 480_000)
