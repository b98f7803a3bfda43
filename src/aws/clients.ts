/**
 * AWS clients. Credentials come from the standard provider chain (e.g. OIDC through
 * aws-actions/configure-aws-credentials); endpoints from the SDK's own AWS_ENDPOINT_URL settings.
 */
import { IAMClient } from '@aws-sdk/client-iam'
import { S3Client } from '@aws-sdk/client-s3'
import { STSClient } from '@aws-sdk/client-sts'
import { Iam } from './iam.js'
import { S3 } from './s3.js'

export interface StaticCredentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface AwsClients {
  iam: Iam
  s3: S3
  sts: STSClient
}

export function createAwsClients(region: string): AwsClients {
  return {
    iam: new Iam(new IAMClient({ region })),
    s3: new S3(new S3Client({ region, followRegionRedirects: true })),
    sts: new STSClient({ region })
  }
}

/** Clients that act as the new key: single attempts, because the caller polls. */
export function clientsForKey(region: string, credentials: StaticCredentials) {
  return {
    sts: new STSClient({ region, credentials, maxAttempts: 1 }),
    s3: new S3Client({ region, credentials, maxAttempts: 1, followRegionRedirects: true })
  }
}
