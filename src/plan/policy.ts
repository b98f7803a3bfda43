/** IAM and bucket policy documents, built as data so tests and the plan can compare them. */
import type { PolicyChoice } from '../inputs/config.js'

export const INLINE_POLICY_NAME = 's3-credentials-action'

export interface PolicyStatement {
  Sid: string
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource: string | string[]
  Principal?: string
  Condition?: Record<string, Record<string, string>>
}
export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`
}

/** Least privilege on one bucket: list and locate it, read/write/delete objects, multipart. */
export function bucketAccessPolicy(
  partition: string,
  bucket: string,
  access: 'read-write' | 'read-only'
): PolicyDocument {
  const arn = bucketArn(partition, bucket)
  const objectActions =
    access === 'read-write'
      ? [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts'
        ]
      : ['s3:GetObject']
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ListAndLocateBucket',
        Effect: 'Allow',
        Action:
          access === 'read-write'
            ? ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads']
            : ['s3:ListBucket', 's3:GetBucketLocation'],
        Resource: arn
      },
      {
        Sid: access === 'read-write' ? 'ReadWriteObjects' : 'ReadObjects',
        Effect: 'Allow',
        Action: objectActions,
        Resource: `${arn}/*`
      }
    ]
  }
}

/** Refuses every request that does not use TLS. */
export function tlsOnlyBucketPolicy(partition: string, bucket: string): PolicyDocument {
  const arn = bucketArn(partition, bucket)
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } }
      }
    ]
  }
}

/** What a policy choice grants, expressed as the IAM objects that carry it. */
export interface Grants {
  inline?: PolicyDocument
  managedArns: string[]
}

export function grantsFor(choice: PolicyChoice, partition: string, bucket: string): Grants {
  switch (choice.kind) {
    case 'bucket-read-write':
      return { inline: bucketAccessPolicy(partition, bucket, 'read-write'), managedArns: [] }
    case 'bucket-read-only':
      return { inline: bucketAccessPolicy(partition, bucket, 'read-only'), managedArns: [] }
    case 's3-full-access':
      return { managedArns: [`arn:${partition}:iam::aws:policy/AmazonS3FullAccess`] }
    case 'managed':
      return { managedArns: [choice.arn] }
  }
}

/** Compares documents by content: IAM returns them URL-encoded and may reorder whitespace. */
export function sameDocument(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b))
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise)
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        // Code-unit order: localeCompare would load ICU collation data (~15 ms) for no gain.
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, normalise(v)])
    )
  return value
}
