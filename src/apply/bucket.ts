/** The bucket's steps, shared by both modes: created, then hardened and tagged (or repaired). */
import { bucketRepair, type Plan } from '../plan/plan.js'
import { tlsOnlyBucketPolicy } from '../plan/policy.js'
import type { Context } from './outcome.js'

/** What the bucket steps read of a plan (either mode's). */
type BucketContext = {
  plan: Pick<Plan, 'bucket' | 'bucketName' | 'region' | 'partition' | 'accountId'>
  aws: Context['aws']
}

export async function ensureBucket({ plan, aws }: BucketContext): Promise<void> {
  if (plan.bucket.action === 'create') await aws.s3.createBucket(plan.bucketName, plan.region)
}

/** A new bucket hardened and tagged; a reused one repaired (if the action made it) and retagged. */
export async function configureBucket({ plan, aws }: BucketContext): Promise<void> {
  const bucket = plan.bucket
  if (bucket.action === 'create') {
    const found = await aws.s3.tagNewBucket(plan.bucketName, plan.accountId, bucket.tags)
    // Only the TLS-only policy is never a default; the rest is set if AWS's defaults are missing
    // (a bucket that appeared since the look-up, or a region that behaves otherwise).
    const repair = bucketRepair(found, tlsOnlyBucketPolicy(plan.partition, plan.bucketName))
    if (repair) await aws.s3.repair(plan.bucketName, repair)
    return
  }
  if (bucket.repair) await aws.s3.repair(plan.bucketName, bucket.repair)
  if (bucket.tagsToSet) await aws.s3.setTags(plan.bucketName, bucket.tagsToSet)
}
