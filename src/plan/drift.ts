/**
 * Drift: whether a plan would change anything. A dry run with fail-on-changes turns a plan that
 * changes something into a failed check; the `changes` output says whether it does. The words for
 * what drifted are render/describe.ts's driftItems.
 */
import type { BucketPlan, GrantChanges, Plan, RolePlan } from './types.js'
import { isRemovalPlan, removesSomething, type RemovalPlan } from './removal.js'

/** What both plans change alike: the user or the role, the bucket, the grants. */
function sharedChanges(
  principal: Plan['user'] | RolePlan['role'],
  bucket: BucketPlan,
  grants: GrantChanges
): boolean {
  return (
    principal.action === 'create' ||
    principal.tagsToAdd.length > 0 ||
    principal.setPermissionsBoundary !== undefined ||
    bucket.action === 'create' ||
    bucket.repair !== undefined ||
    bucket.tagsToSet !== undefined ||
    grants.putInline !== undefined ||
    grants.attach.length + grants.detach.length + grants.deleteInline.length > 0
  )
}

/** True when the plan would create, change or delete anything on AWS or GitHub. */
export function planChanges(plan: Plan): boolean {
  return (
    sharedChanges(plan.user, plan.bucket, plan.grants) ||
    plan.key.action === 'create' ||
    plan.staleMarkers.length > 0 ||
    // A key whose grace is over is retired (one in its grace, or first to go, waits).
    (plan.oldKeyGrace !== undefined && !['wait', 'first'].includes(plan.oldKeyGrace.action)) ||
    plan.writes.some(w => w.secrets.length + w.variables.length + w.access.length > 0) ||
    plan.writes.some(w => (w.deletions?.length ?? 0) > 0) ||
    plan.switchFromRole?.deleteRole === true
  )
}

/** The same for a role's plan: the role, its trust and grants, the bucket, the writes, the keys. */
export function rolePlanChanges(plan: RolePlan): boolean {
  return (
    sharedChanges(plan.role, plan.bucket, plan.grants) ||
    plan.role.trustPolicy !== undefined ||
    plan.writes.some(w => w.secrets.length + w.variables.length + (w.deletions?.length ?? 0) > 0) ||
    plan.retireKeys !== undefined
  )
}

/** Any of the three plans (a removal changes something when it removes anything). */
export function anyPlanChanges(plan: Plan | RolePlan | RemovalPlan): boolean {
  if (isRemovalPlan(plan)) return removesSomething(plan)
  return plan.kind === 'role' ? rolePlanChanges(plan) : planChanges(plan)
}
