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
import type { WorkflowRunRef } from '../inputs/config.js'

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

/** The action's name and version, as its user agent says them (kept equal to package.json's). */
export const ACTION_NAME = 's3-credentials-action'
export const ACTION_VERSION = '0.1.0'

/**
 * The user agent the clients add to the SDK's: the action, its version and the workflow run, so
 * that a CloudTrail entry (its userAgent field) leads back to the run that made the call.
 */
export function actionUserAgent(run: WorkflowRunRef): string {
  const where = run.repository ? `${run.repository}/${run.id}` : run.id
  return `${ACTION_NAME}/${ACTION_VERSION} md/run#${where}`
}

/** `maskSecret` hides a new secret access key from the log the moment IAM returns it. */
export function createAwsClients(
  region: string,
  maskSecret: (secret: string) => void,
  run: WorkflowRunRef
): AwsClients {
  const customUserAgent = actionUserAgent(run)
  const iam = new IAMClient({ region, customUserAgent })
  return {
    iam: new Iam(iam, maskSecret),
    roles: new Roles(iam),
    s3: new S3(new S3Client({ region, followRegionRedirects: true, customUserAgent })),
    sts: new STSClient({ region, customUserAgent })
  }
}

/**
 * Acting as the new key, for its verification: single attempts, because the caller polls. `list`
 * lists at most one object of the bucket.
 */
export function clientsForKey(
  region: string,
  credentials: StaticCredentials,
  customUserAgent?: string
) {
  const common = {
    region,
    credentials,
    maxAttempts: 1,
    ...(customUserAgent ? { customUserAgent } : {})
  }
  const s3 = new S3Client({ ...common, followRegionRedirects: true })
  return {
    sts: new STSClient(common),
    list: (Bucket: string) => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }))
  }
}
