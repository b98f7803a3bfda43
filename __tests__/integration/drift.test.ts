/**
 * Issue 17 (drift as a check): a dry run with fail-on-changes succeeds with changes=false on an
 * unchanged setup, and fails with DRIFT_DETECTED, naming what drifted, when the bucket's public
 * access block is gone and a foreign managed policy is attached to the user; nothing changes.
 */
import { AttachUserPolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iam'
import { DeletePublicAccessBlockCommand } from '@aws-sdk/client-s3'
import { snapshotMoto } from '../support/moto.js'
import { assertNoSecretLeak } from '../support/run-action.js'
import { ACCOUNT_ID, closeWorld, openWorld, type World } from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const CHECK = { 'dry-run': 'true', 'fail-on-changes': 'true' }

afterAll(closeWorld)

describe('a scheduled drift check', () => {
  let w: World
  beforeAll(async () => {
    w = await openWorld()
    expect((await w.run()).code).toBe(0)
  })

  test('nothing drifted: the check passes with changes=false', async () => {
    w.aws.reset()
    const r = await w.run(CHECK)
    expect(r.code).toBe(0)
    expect(r.outputs.changes).toBe('false')
    expect(w.aws.actions({ mutating: true })).toEqual([])
  })

  test('hardening gone and a foreign grant: the check fails naming both, changing nothing', async () => {
    await w.s3().send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }))
    // A policy someone attached by hand (moto has no AWS-managed policies: one of the account's).
    const policy = await w.iam().send(
      new CreatePolicyCommand({
        PolicyName: 'HandAdded',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]
        })
      })
    )
    await w
      .iam()
      .send(new AttachUserPolicyCommand({ UserName: USER, PolicyArn: policy.Policy!.Arn! }))
    const before = await snapshotMoto(w.moto)
    const writes = w.github.writeCount()
    w.aws.reset()
    const r = await w.run(CHECK)
    expect(r.code).not.toBe(0)
    const errors = r.log.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toEqual([
      '::error::Drift found: bucket hardening (block public access); grant HandAdded attached to the user; nothing was changed (dry run). To fix: run without dry-run to put it back, or look at who changed it (CloudTrail).'
    ])
    expect(r.outputs.changes).toBe('true')
    expect(r.summary).toContain('DRIFT_DETECTED')
    expect(w.aws.actions({ mutating: true })).toEqual([])
    expect(w.github.writeCount()).toBe(writes)
    expect(await snapshotMoto(w.moto)).toBe(before)
    assertNoSecretLeak(r, [w.storedPair()!.secretAccessKey])

    // A real run puts both back; the check passes again.
    const repair = await w.run()
    expect(repair.code).toBe(0)
    expect(repair.outputs.changes).toBe('true')
    const again = await w.run(CHECK)
    expect(again.code).toBe(0)
    expect(again.outputs.changes).toBe('false')
  })
})
