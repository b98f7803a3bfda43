/**
 * AWS clients. Credentials come from the standard provider chain (e.g. OIDC through
 * aws-actions/configure-aws-credentials); endpoints from the SDK's own AWS_ENDPOINT_URL settings.
 *
 * Only the STS and IAM clients load with the action. The S3 client, the largest of the three and
 * needed by none of the first requests (unless bucket-name is given), is a separate chunk of the
 * bundle, loaded while they are answered, so that start-up does not wait for it, and before STS
 * has answered, so that the bucket's look-up (which needs the account id) does not wait either.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { Iam } from './iam.js'
import type { S3 } from './s3.js'

export interface StaticCredentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface AwsClients {
  iam: Iam
  s3: S3
  sts: STSClient
}

/**
 * `idle`: settles once the thread is free again after the first requests left (main.ts passes the
 * loading of the rest of the action); the S3 chunk loads then, or at the first answer if earlier.
 */
export function createAwsClients(region: string, idle: Promise<unknown>): AwsClients {
  return {
    iam: new Iam(new IAMClient({ region })),
    s3: lazyS3(region, idle),
    sts: new STSClient({ region })
  }
}

const FIRST_ANSWER = 'http.client.response.finish'

/**
 * An S3 whose every method first loads the S3 chunk (once). Loading also starts by itself once
 * `idle` settles or at the first HTTP answer, whichever comes first, so that it overlaps the wait
 * for the first answers.
 */
function lazyS3(region: string, idle: Promise<unknown>): S3 {
  let loading: Promise<S3> | undefined
  const load = () =>
    (loading ??= Promise.all([import('./s3.js'), import('@aws-sdk/client-s3')]).then(
      ([{ S3 }, { S3Client }]) => new S3(new S3Client({ region, followRegionRedirects: true }))
    ))
  // Not before the first requests (and the GitHub client's) are on their way: compiling the chunk
  // keeps the thread busy for tens of milliseconds, and would hold them back.
  const start = () => {
    unsubscribe(FIRST_ANSWER, start)
    setImmediate(() => load().catch(() => undefined))
  }
  subscribe(FIRST_ANSWER, start)
  idle.then(start, start)
  return new Proxy({} as S3, {
    // Every method of S3 is async. Not a thenable: `then` stays undefined.
    get: (_, method) =>
      method === 'then' || typeof method === 'symbol'
        ? undefined
        : async (...args: unknown[]) => {
            const s3 = (await load()) as unknown as Record<string, (...a: unknown[]) => unknown>
            return s3[method]!(...args)
          }
  })
}

/**
 * Acting as the new key, for its verification: single attempts, because the caller polls. `list`
 * lists at most one object of the bucket.
 */
export async function clientsForKey(region: string, credentials: StaticCredentials) {
  const { ListObjectsV2Command, S3Client } = await import('@aws-sdk/client-s3')
  const s3 = new S3Client({ region, credentials, maxAttempts: 1, followRegionRedirects: true })
  return {
    sts: new STSClient({ region, credentials, maxAttempts: 1 }),
    list: (Bucket: string) => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }))
  }
}
