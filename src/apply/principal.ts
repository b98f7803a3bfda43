/** What making sure of a user and of a role share. */
import type { Tag } from '../inputs/config.js'

/** An existing user or role: its missing tags and its boundary go on at once. */
export function tagsAndBoundary(
  change: { tagsToAdd: Tag[]; setPermissionsBoundary?: string },
  tag: (tags: Tag[]) => Promise<void>,
  setBoundary: (arn: string) => Promise<void>
): (Promise<void> | undefined)[] {
  return [
    change.tagsToAdd.length > 0 ? tag(change.tagsToAdd) : undefined,
    change.setPermissionsBoundary ? setBoundary(change.setPermissionsBoundary) : undefined
  ]
}
