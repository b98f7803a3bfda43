/** The S3 side: find, create and harden the bucket. */
import {
  CreateBucketCommand,
  type CreateBucketCommandInput,
  DeleteBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client
} from '@aws-sdk/client-s3'
import type { Tag } from '../inputs/config.js'
import { ActionError } from '../errors.js'
import type { BucketHardening, ObservedBucket } from '../plan/observed.js'
import type { BucketRepair } from '../plan/plan.js'
import {
  awsCall,
  errorName,
  httpStatus,
  isNotFound,
  madeByLostAttempt,
  toAwsError
} from './errors.js'
import { fromAwsTags, toAwsTags } from './tags.js'

/** The hardening of the action's buckets: every public access blocked. */
const BLOCK_PUBLIC_ACCESS = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true
  }
}
/** ACLs disabled: the bucket owner owns every object. */
const OWNER_ENFORCED = {
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' as const }] }
}
/** SSE-S3 by default, with a bucket key. */
const DEFAULT_ENCRYPTION = {
  ServerSideEncryptionConfiguration: {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const },
        BucketKeyEnabled: true
      }
    ]
  }
}

export class S3 {
  constructor(private readonly client: S3Client) {}

  /**
   * Whether the bucket exists and is ours. HeadBucket with ExpectedBucketOwner answers 403 for a
   * bucket of another account, 404 for a free name, and the region for ours. Its tags and its
   * hardening are read in the same round trip; they count only if the bucket is ours.
   */
  async findBucket(Bucket: string, accountId: string): Promise<ObservedBucket> {
    const details = Promise.all([
      this.bucketTags(Bucket, accountId),
      this.hardening(Bucket, accountId)
    ]).then(
      ([tags, hardening]) => ({ tags, hardening }),
      (error: unknown) => ({ error })
    )
    let region: string
    try {
      const head = await this.client.send(
        new HeadBucketCommand({ Bucket, ExpectedBucketOwner: accountId })
      )
      region = head.BucketRegion ?? 'us-east-1'
    } catch (e) {
      const elsewhere = redirectedTo(e)
      const asked = await this.region()
      if (elsewhere !== undefined && elsewhere !== asked)
        throw bucketElsewhere(Bucket, elsewhere, asked, e)
      if (isNotFound(e) || httpStatus(e) === 404) return { state: 'absent' }
      if (httpStatus(e) === 403 || errorName(e) === 'Forbidden') return { state: 'foreign' }
      throw toAwsError('s3:ListBucket (HeadBucket)', e)
    }
    const read = await details
    if ('error' in read) throw read.error
    return { state: 'owned', region, ...read }
  }

  /** The region the client asks S3 in (undefined if it cannot say). */
  private async region(): Promise<string | undefined> {
    const region = (this.client.config as { region?: unknown } | undefined)?.region
    try {
      return typeof region === 'function' ? String(await (region as () => unknown)()) : undefined
    } catch {
      return undefined
    }
  }

  /**
   * The settings the action hardens a bucket with, as they are now (absent: off). `ask` is how
   * each is asked: by default once; for a bucket just made, again while S3 says it is not there yet.
   */
  private async hardening(
    Bucket: string,
    ExpectedBucketOwner: string,
    ask: ConfigurationRead = unlessMissing
  ): Promise<BucketHardening> {
    const input = { Bucket, ExpectedBucketOwner }
    const [block, ownership, encryption, policy] = await Promise.all([
      ask('s3:GetBucketPublicAccessBlock', 'NoSuchPublicAccessBlockConfiguration', () =>
        this.client.send(new GetPublicAccessBlockCommand(input))
      ),
      ask('s3:GetBucketOwnershipControls', 'OwnershipControlsNotFoundError', () =>
        this.client.send(new GetBucketOwnershipControlsCommand(input))
      ),
      ask('s3:GetEncryptionConfiguration', 'ServerSideEncryptionConfigurationNotFoundError', () =>
        this.client.send(new GetBucketEncryptionCommand(input))
      ),
      ask('s3:GetBucketPolicy', 'NoSuchBucketPolicy', () =>
        this.client.send(new GetBucketPolicyCommand(input))
      )
    ])
    const b = block?.PublicAccessBlockConfiguration
    return {
      publicAccessBlocked:
        !!b?.BlockPublicAcls &&
        !!b.IgnorePublicAcls &&
        !!b.BlockPublicPolicy &&
        !!b.RestrictPublicBuckets,
      ownershipEnforced:
        ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced',
      encrypted: (encryption?.ServerSideEncryptionConfiguration?.Rules?.length ?? 0) > 0,
      ...(policy?.Policy ? { policy: parsePolicy(policy.Policy) } : {})
    }
  }

  /**
   * Whether the name is free, asked without the account id (so before STS has answered): true
   * only on 404. An existing bucket, or any other answer, leaves it to findBucket to say whose it
   * is.
   */
  async isFree(Bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket }))
      return false
    } catch (e) {
      return isNotFound(e) || httpStatus(e) === 404
    }
  }

  private async bucketTags(Bucket: string, ExpectedBucketOwner: string): Promise<Tag[]> {
    try {
      const out = await this.client.send(
        new GetBucketTaggingCommand({ Bucket, ExpectedBucketOwner })
      )
      return fromAwsTags(out.TagSet)
    } catch (e) {
      if (errorName(e) === 'NoSuchTagSet') return []
      throw toAwsError('s3:GetBucketTagging', e)
    }
  }

  /** Creates the bucket with object ownership enforced (ACLs disabled) from the first moment. */
  async createBucket(Bucket: string, region: string): Promise<void> {
    const input: CreateBucketCommandInput = {
      Bucket,
      ObjectOwnership: 'BucketOwnerEnforced',
      // us-east-1 is the default location and must not be named as a constraint.
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as never } })
    }
    await awsCall('s3:CreateBucket', async () => {
      try {
        await this.client.send(new CreateBucketCommand(input))
      } catch (e) {
        // Made (ownership setting included) by the attempt whose answer was lost.
        if (!madeByLostAttempt(e, 'BucketAlreadyOwnedByYou')) throw e
      }
    })
  }

  /**
   * A bucket this run made: its tags, and beside them its configuration read back (AWS blocks
   * public access, disables ACLs and encrypts every new bucket by default, and a read does not
   * wait for the tags as a change would). Each retried while S3 says, right after CreateBucket,
   * that the bucket does not exist yet (NoSuchBucket), or that another change is being applied
   * (409 OperationAborted). What it has of the hardening.
   */
  async tagNewBucket(Bucket: string, owner: string, tags: Tag[]): Promise<BucketHardening> {
    // The tags first among the changes: they mark the bucket as the action's, so that a run
    // stopped before the end leaves a bucket the next run recognises and finishes hardening.
    const [, found] = await Promise.all([
      tags.length > 0 ? this.setTags(Bucket, tags) : undefined,
      this.hardening(Bucket, owner, (action, missing, call) =>
        settled(action, () => offWhen(missing, call))
      )
    ])
    return found
  }

  /** What a later run found missing on a bucket the action made, put back, one change at a time. */
  async repair(Bucket: string, repair: BucketRepair): Promise<void> {
    if (repair.publicAccessBlock) await this.blockPublicAccess(Bucket)
    if (repair.ownership) await this.enforceOwnership(Bucket)
    if (repair.encryption) await this.encrypt(Bucket)
    if (repair.policy) await this.setPolicy(Bucket, repair.policy)
  }

  private async blockPublicAccess(Bucket: string): Promise<void> {
    await settled('s3:PutBucketPublicAccessBlock', () =>
      this.client.send(new PutPublicAccessBlockCommand({ Bucket, ...BLOCK_PUBLIC_ACCESS }))
    )
  }

  private async enforceOwnership(Bucket: string): Promise<void> {
    await settled('s3:PutBucketOwnershipControls', () =>
      this.client.send(new PutBucketOwnershipControlsCommand({ Bucket, ...OWNER_ENFORCED }))
    )
  }

  private async encrypt(Bucket: string): Promise<void> {
    await settled('s3:PutEncryptionConfiguration', () =>
      this.client.send(new PutBucketEncryptionCommand({ Bucket, ...DEFAULT_ENCRYPTION }))
    )
  }

  private async setPolicy(Bucket: string, policy: object): Promise<void> {
    await settled('s3:PutBucketPolicy', () =>
      this.client.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) }))
    )
  }

  /**
   * Whether the bucket holds nothing at all: ListObjectVersions lists current objects, old
   * versions and delete markers alike (of a bucket never versioned too), so one key of any of
   * them says it is not empty.
   */
  async isEmpty(Bucket: string, ExpectedBucketOwner: string): Promise<boolean> {
    const out = await awsCall('s3:ListBucketVersions', () =>
      this.client.send(new ListObjectVersionsCommand({ Bucket, ExpectedBucketOwner, MaxKeys: 1 }))
    )
    return (out.Versions?.length ?? 0) + (out.DeleteMarkers?.length ?? 0) === 0
  }

  /**
   * Deletes an empty bucket; one already gone counts as deleted. 'not-empty' when S3 says it
   * holds something (put there since the look-up): it is kept, never emptied.
   */
  async deleteBucket(
    Bucket: string,
    ExpectedBucketOwner: string
  ): Promise<'deleted' | 'not-empty'> {
    try {
      await this.client.send(new DeleteBucketCommand({ Bucket, ExpectedBucketOwner }))
    } catch (e) {
      if (errorName(e) === 'BucketNotEmpty') return 'not-empty'
      if (!isNotFound(e) && httpStatus(e) !== 404) throw toAwsError('s3:DeleteBucket', e)
    }
    return 'deleted'
  }

  async setTags(Bucket: string, tags: Tag[]): Promise<void> {
    await settled('s3:PutBucketTagging', () =>
      this.client.send(
        new PutBucketTaggingCommand({
          Bucket,
          Tagging: { TagSet: toAwsTags(tags) }
        })
      )
    )
  }
}

/**
 * The region S3 redirected a request to: a bucket kept in another region is answered 301 (400
 * from the newer regions, 307 while a new bucket's name spreads) with x-amz-bucket-region, and
 * for HeadBucket with no body, so the SDK's error has no code. The client follows such redirects
 * (followRegionRedirects); one that reaches the action was not followed.
 */
function redirectedTo(e: unknown): string | undefined {
  const status = httpStatus(e)
  if (status !== 301 && status !== 307 && status !== 400) return undefined
  const headers = (e as { $response?: { headers?: Record<string, string | undefined> } }).$response
    ?.headers
  return headers?.['x-amz-bucket-region'] || undefined
}

/** Not "absent" (CreateBucket would fail) nor "another account's": the bucket is elsewhere. */
function bucketElsewhere(
  Bucket: string,
  region: string,
  asked: string | undefined,
  cause: unknown
): ActionError {
  return new ActionError(
    'BUCKET_REGION_MISMATCH',
    `Bucket '${Bucket}' exists in ${region} (S3 redirected the request there), not in aws-region${asked ? ` ${asked}` : ''}; nothing was changed.`,
    `set aws-region: ${region}, or choose another bucket-name.`,
    { cause }
  )
}

/** S3's answers that mean "not yet": a concurrent change, or a bucket just made. */
const NOT_YET = new Set(['OperationAborted', 'NoSuchBucket'])
/** Waits between attempts: about 10 s in all, then the answer stands. */
const SETTLE_DELAYS_MS = [100, 200, 400, 800, 1500, 2500, 4000]

/** A bucket configuration call, tried again while S3 answers that it cannot apply it yet. */
async function settled<T>(action: string, call: () => Promise<T>): Promise<T> {
  return awsCall(action, async () => {
    for (const wait of SETTLE_DELAYS_MS) {
      try {
        return await call()
      } catch (e) {
        if (!NOT_YET.has(errorName(e))) throw e
        await new Promise(resolve => setTimeout(resolve, wait))
      }
    }
    return call()
  })
}

/** How a bucket's configuration is read: undefined when S3 answers `missing` (not configured). */
type ConfigurationRead = <T>(
  action: string,
  missing: string,
  call: () => Promise<T>
) => Promise<T | undefined>

/** A configuration read whose "not configured" answer (`missing`) means off, not a failure. */
const unlessMissing: ConfigurationRead = (action, missing, call) =>
  awsCall(action, () => offWhen(missing, call))

async function offWhen<T>(missing: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (e) {
    if (errorName(e) === missing) return undefined
    throw e
  }
}

function parsePolicy(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
