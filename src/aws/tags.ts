/** The tag mapping between the action's tags and the AWS SDK's (IAM and S3 spell them alike). */
import type { Tag } from '../plan/markers.js'

export interface AwsTag {
  Key?: string | undefined
  Value?: string | undefined
}

export const toAwsTags = (tags: Tag[]) => tags.map(t => ({ Key: t.key, Value: t.value }))

export const fromAwsTags = (tags: AwsTag[] | undefined): Tag[] =>
  (tags ?? []).map(t => ({ key: t.Key ?? '', value: t.Value ?? '' }))
