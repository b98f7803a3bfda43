/**
 * The action's role as bootstrap/role.yml makes it, in the test account: its policy
 * (docs/iam-policy.json, generated from the template), the form moto can enforce, and the proxy's
 * evaluator that judges what moto cannot (resource ARNs with the user's path, conditions, denies).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Authorizer } from './iam-authorizer.js'
import { enableAuth, type AwsCreds } from './moto.js'
import { REPO_ROOT } from './run-action.js'
import { ACCOUNT_ID, type World } from './world.js'

const POLICY_FILE = join(REPO_ROOT, 'docs', 'iam-policy.json')

export interface Statement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource: string | string[]
  Condition?: Record<string, unknown>
}
export interface PolicyDocument {
  Version: string
  Statement: Statement[]
}

/** docs/iam-policy.json for this account (ACCOUNT_ID is the placeholder the README explains). */
export function documentedPolicy(): PolicyDocument {
  return JSON.parse(
    readFileSync(POLICY_FILE, 'utf8').replaceAll('ACCOUNT_ID', ACCOUNT_ID)
  ) as PolicyDocument
}

/**
 * The action names moto checks where they differ from AWS's, by AWS action. (moto also authorizes
 * PUT ?encryption, ?publicAccessBlock and ?ownershipControls as s3:CreateBucket, its fallback for
 * bucket PUTs it has no name for; the policy allows s3:CreateBucket anyway, so no line is needed,
 * but removing s3:PutEncryptionConfiguration, s3:PutBucketPublicAccessBlock or
 * s3:PutBucketOwnershipControls cannot be observed in moto.)
 */
export const MOTO_ALIASES: Record<string, string[]> = {
  // moto authorizes HeadBucket as s3:HeadBucket; AWS authorizes it as s3:ListBucket.
  's3:ListBucket': ['s3:HeadBucket']
}

/**
 * The policy as moto can evaluate it: each statement's actions plus their moto aliases, and IAM
 * statements widened to Resource "*", because moto evaluates every IAM (user) action against the
 * resource "*": it never resolves the user ARN, so `arn:aws:iam::…:user/*` never matches there.
 */
export function forMoto(policy: PolicyDocument): PolicyDocument {
  return {
    Version: policy.Version,
    // moto evaluates no condition of an identity policy (an Allow with one never matches there),
    // and no Deny can be judged without them: the proxy's evaluator judges both (see below).
    Statement: policy.Statement.filter(s => s.Effect === 'Allow').map(s => {
      const rest = { ...s }
      delete rest.Condition
      const actions = [...s.Action, ...s.Action.flatMap(a => MOTO_ALIASES[a] ?? [])]
      const iamOnly = s.Action.every(a => a.startsWith('iam:'))
      return {
        ...rest,
        Action: [...new Set(actions)],
        ...(iamOnly ? { Resource: '*' } : {})
      }
    })
  }
}

/**
 * The proxy's IAM evaluator (iam-authorizer.ts), judging every request signed with `admin` by the
 * documented policy as AWS would: resource ARNs with the user's path, conditions, denies.
 */
export function evaluate(w: World, admin: AwsCreds, reader: AwsCreds = admin): Authorizer {
  const authorizer = new Authorizer({
    accountId: ACCOUNT_ID,
    admin: reader,
    motoEndpoint: w.moto.endpoint,
    region: 'us-east-1'
  })
  authorizer.setPrincipal(admin.accessKeyId, { identity: [documentedPolicy()] })
  return authorizer
}

/**
 * Makes `w`'s AWS credentials the role's: moto enforces the policy as far as it can, and the
 * proxy's evaluator judges the rest. Call again after `w.aws.reset()` (it removes the evaluator).
 */
export async function actAsRole(w: World): Promise<{ admin: AwsCreds; authorizer: Authorizer }> {
  // The evaluator reads users and policies from moto with credentials of its own.
  const reader = await enableAuth(w.moto, undefined, 'evaluator-reader')
  const admin = await enableAuth(w.moto, forMoto(documentedPolicy()))
  const authorizer = evaluate(w, admin, reader)
  w.aws.setAuthorizer(authorizer)
  return { admin, authorizer }
}
