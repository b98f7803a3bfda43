// What AWS gives every new general purpose bucket and moto does not (EMULATOR-FACTS.md): since
// January 2023 default encryption with SSE-S3, since April 2023 all four Block Public Access
// settings on and ACLs disabled (BucketOwnerEnforced), whether the bucket is made in the console,
// by the API or by CloudFormation. The AWS proxy puts them on each bucket moto creates through it,
// before it answers CreateBucket, so that every reader of moto (the tests' own clients included)
// sees them as on AWS.
import {
  GetBucketOwnershipControlsCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutPublicAccessBlockCommand,
  S3Client
} from '@aws-sdk/client-s3'
import type { AwsCreds } from './moto.js'

export class NewBucketDefaults {
  /** Off: a new bucket has nothing configured, as moto makes it (a bucket made before 2023). */
  enabled = true

  constructor(
    private readonly endpoint: string,
    /** The harness's own key (moto.ts harnessCredentials): moto may enforce IAM. */
    private readonly credentials: () => AwsCreds
  ) {}

  /** Whether the bucket exists now (CreateBucket in us-east-1 answers 200 for one already ours). */
  async exists(Bucket: string): Promise<boolean> {
    const s3 = this.client()
    try {
      await s3.send(new HeadBucketCommand({ Bucket }))
      return true
    } catch {
      return false
    } finally {
      s3.destroy()
    }
  }

  /** The defaults, on a bucket that CreateBucket has just made. */
  async apply(Bucket: string): Promise<void> {
    if (!this.enabled) return
    const s3 = this.client()
    try {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true
          }
        })
      )
      // AWS's default rule: SSE-S3 without a bucket key.
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                BucketKeyEnabled: false
              }
            ]
          }
        })
      )
      // moto keeps an x-amz-object-ownership of CreateBucket; without one, AWS's default.
      const named = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket })).then(
        () => true,
        () => false
      )
      if (!named)
        await s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] }
          })
        )
    } finally {
      s3.destroy()
    }
  }

  private client(): S3Client {
    return new S3Client({
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: this.credentials(),
      forcePathStyle: true,
      maxAttempts: 1
    })
  }
}
