// Issue 14: S3's answer for a bucket kept in another region (HeadBucket 301, or 400 from the newer
// regions, with x-amz-bucket-region and no body, so the SDK's error has no code). The client
// follows such redirects (followRegionRedirects, see __tests__/integration/bucket-region.test.ts);
// one that reaches S3.findBucket unfollowed must say where the bucket is, never "absent" (which
// would lead to CreateBucket) nor "another account's".
import type { S3Client } from '@aws-sdk/client-s3'
import { ActionError } from '../../src/errors.js'
import { S3 } from '../../src/aws/s3.js'

/** The error the SDK gives for a HEAD answered `status` with no body. */
function redirect(status: number, region?: string): Error {
  return Object.assign(new Error('UnknownError'), {
    name: 'Unknown',
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers: region ? { 'x-amz-bucket-region': region } : {} }
  })
}

/** A client (asking in eu-west-1) whose HeadBucket fails with `error`; every other call answers nothing set. */
function s3(error: Error): S3 {
  return new S3({
    config: { region: async () => 'eu-west-1' },
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'HeadBucketCommand') throw error
      return {}
    }
  } as unknown as S3Client)
}

describe('S3.findBucket with a redirect to another region', () => {
  test.each([301, 307, 400])(
    '%s with x-amz-bucket-region: BUCKET_REGION_MISMATCH naming it',
    async status => {
      const e = (await s3(redirect(status, 'us-west-2'))
        .findBucket('app-bucket', '123456789012')
        .catch((x: unknown) => x)) as ActionError
      expect(e).toBeInstanceOf(ActionError)
      expect(e.code).toBe('BUCKET_REGION_MISMATCH')
      expect(e.message).toBe(
        "Bucket 'app-bucket' exists in us-west-2 (S3 redirected the request there), not in aws-region eu-west-1; nothing was changed."
      )
      expect(e.remedy).toBe('set aws-region: us-west-2, or choose another bucket-name.')
    }
  )

  test('a 400 naming the region asked is no redirect', async () => {
    const e = (await s3(redirect(400, 'eu-west-1'))
      .findBucket('app-bucket', '123456789012')
      .catch((x: unknown) => x)) as ActionError
    expect(e.code).toBe('AWS_CALL_FAILED')
  })

  test('a 301 without the header is a failed call, not an absent bucket', async () => {
    const e = (await s3(redirect(301))
      .findBucket('app-bucket', '123456789012')
      .catch((x: unknown) => x)) as ActionError
    expect(e).toBeInstanceOf(ActionError)
    expect(e.code).toBe('AWS_CALL_FAILED')
  })

  test("a 404 is still an absent bucket, a 403 another account's", async () => {
    const notFound = Object.assign(new Error('NotFound'), {
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
      $response: { headers: { 'x-amz-bucket-region': 'us-west-2' } }
    })
    await expect(s3(notFound).findBucket('b', '123456789012')).resolves.toEqual({ state: 'absent' })
    const forbidden = Object.assign(new Error('Forbidden'), {
      name: 'Forbidden',
      $metadata: { httpStatusCode: 403 },
      $response: { headers: { 'x-amz-bucket-region': 'us-west-2' } }
    })
    await expect(s3(forbidden).findBucket('b', '123456789012')).resolves.toEqual({
      state: 'foreign'
    })
  })

  test('isFree: a redirect is no free name', async () => {
    await expect(s3(redirect(301, 'us-west-2')).isFree('app-bucket')).resolves.toBe(false)
  })
})
