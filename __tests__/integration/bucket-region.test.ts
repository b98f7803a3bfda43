/**
 * Issue 14: a bucket that exists in another region. S3 answers a request sent to the wrong
 * region's endpoint with a redirect naming the bucket's region (HeadBucket: 301, or 400 in the
 * newer regions, with x-amz-bucket-region and no body); moto answers 200 wherever the bucket is.
 * The proxy answers as S3 does (placeBucket). The action must say where the bucket is before it
 * changes anything: never take the redirect for a free name (and try CreateBucket), nor for a
 * bucket of another account.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { ACCOUNT_ID, closeWorld, openWorld } from '../support/world.js'

const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`
const ELSEWHERE = 'us-west-2'

afterAll(closeWorld)

function errorLine(log: string): string {
  return log.split('\n').find(l => l.startsWith('::error::')) ?? '(no error line)'
}

describe('a bucket in another region than aws-region', () => {
  test.each([301, 400] as const)(
    'HeadBucket answered %s with x-amz-bucket-region: an input error naming the region, nothing changed',
    async headStatus => {
      const w = await openWorld()
      await w.s3(undefined, ELSEWHERE).send(
        new CreateBucketCommand({
          Bucket: BUCKET,
          CreateBucketConfiguration: { LocationConstraint: ELSEWHERE }
        })
      )
      w.aws.placeBucket(BUCKET, ELSEWHERE, headStatus)
      const writes = w.github.writeCount()
      const r = await w.run()
      expect(r.code).not.toBe(0)
      const line = errorLine(r.log)
      expect(line).toContain(`Bucket '${BUCKET}' is in ${ELSEWHERE}, not in aws-region eu-west-1`)
      expect(line).toContain(`set aws-region: ${ELSEWHERE}`)
      // The redirect was seen: S3 was asked in the wrong region first.
      expect(w.aws.requests.some(q => q.action === 'HeadBucket' && q.status === headStatus)).toBe(
        true
      )
      expect(w.aws.actions({ mutating: true })).toEqual([])
      expect(w.github.writeCount()).toBe(writes)
    }
  )

  test('the same bucket asked in its own region is found, and the run succeeds there', async () => {
    const w = await openWorld()
    await w.s3(undefined, ELSEWHERE).send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: ELSEWHERE }
      })
    )
    w.aws.placeBucket(BUCKET, ELSEWHERE)
    const r = await w.run({ 'aws-region': ELSEWHERE })
    expect({ code: r.code, error: errorLine(r.log) }).toMatchObject({ code: 0 })
    expect(w.aws.actions()).not.toContain('CreateBucket')
    expect(w.aws.requests.filter(q => q.service === 's3' && q.status === 301)).toEqual([])
  })
})
