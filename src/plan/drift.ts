/**
 * Drift: whether a plan would change anything. A dry run with fail-on-changes turns a plan that
 * changes something into a failed check; the `changes` output says whether it does. The words for
 * what drifted are render/describe.ts's driftItems.
 */
import type { Plan } from './types.js'

/** True when the plan would create, change or delete anything on AWS or GitHub. */
export function planChanges(plan: Plan): boolean {
  const { user, bucket, grants } = plan
  return (
    user.action === 'create' ||
    user.tagsToAdd.length > 0 ||
    user.setPermissionsBoundary !== undefined ||
    bucket.action === 'create' ||
    bucket.repair !== undefined ||
    bucket.tagsToSet !== undefined ||
    grants.putInline !== undefined ||
    grants.attach.length + grants.detach.length + grants.deleteInline.length > 0 ||
    plan.key.action === 'create' ||
    plan.staleMarkers.length > 0 ||
    plan.writes.some(w => w.secrets.length + w.variables.length + w.access.length > 0)
  )
}
