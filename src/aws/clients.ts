/**
 * AWS clients. Credentials come from the standard provider chain (e.g. OIDC through
 * aws-actions/configure-aws-credentials); endpoints from the SDK's own AWS_ENDPOINT_URL settings.
 */
import { IAMClient } from '@aws-sdk/client-iam'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { STSClient } from '@aws-sdk/client-sts'
import { Iam } from './iam.js'
import { Roles } from './roles.js'
import { S3 } from './s3.js'

export interface StaticCredentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface AwsClients {
  iam: Iam
  /** Role mode: the role and the OIDC provider. */
  roles: Roles
  s3: S3
  sts: STSClient
}

/** `maskSecret` hides a new secret access key from the log the moment IAM returns it. */
export function createAwsClients(region: string, maskSecret: (secret: string) => void): AwsClients {
  const iam = new IAMClient({ region })
  return {
    iam: new Iam(iam, maskSecret),
    roles: new Roles(iam),
    s3: new S3(new S3Client({ region, followRegionRedirects: true })),
    sts: new STSClient({ region })
  }
}

/**
 * Acting as the new key, for its verification: single attempts, because the caller polls. `list`
 * lists at most one object of the bucket.
 */
export function clientsForKey(region: string, credentials: StaticCredentials) {
  const s3 = new S3Client({ region, credentials, maxAttempts: 1, followRegionRedirects: true })
  return {
    sts: new STSClient({ region, credentials, maxAttempts: 1 }),
    list: (Bucket: string) => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }))
  }
}
