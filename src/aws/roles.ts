/**
 * IAM roles and the OIDC provider (role mode). A role is read with its trust policy, tags and
 * grants at once; calls on a role this run created moments ago are tried again while IAM does not
 * see it yet, as for users (iam.ts).
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  type Role,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  AttachRolePolicyCommand
} from '@aws-sdk/client-iam'
import type { Tag } from '../inputs/config.js'
import type { ObservedRole } from '../plan/observed.js'
import { awsCall, awsLookup, isNotFound, madeByLostAttempt } from './errors.js'
import { identityFacts, parseDocument, Propagation } from './iam.js'
import { toAwsTags } from './tags.js'
import { attachedPolicyArns, policyNames } from './pages.js'

export class Roles {
  private readonly propagation = new Propagation()

  constructor(private readonly client: IAMClient) {}

  /**
   * The role with its trust policy, tags and grants; undefined when there is none. `read` is its
   * GetRole answer when the caller has it already (readRole()): the role is not read again.
   */
  async findRole(RoleName: string, read?: Role): Promise<ObservedRole | undefined> {
    const paging = { client: this.client }
    const [role, inlineNames, attached] = await Promise.all([
      read ??
        awsLookup('iam:GetRole', () => this.client.send(new GetRoleCommand({ RoleName }))).then(
          found => found?.Role
        ),
      awsLookup('iam:ListRolePolicies', () =>
        policyNames(paginateListRolePolicies(paging, { RoleName }))
      ),
      awsLookup('iam:ListAttachedRolePolicies', () =>
        attachedPolicyArns(paginateListAttachedRolePolicies(paging, { RoleName }))
      )
    ])
    if (!role) return undefined
    const documents = await Promise.all(
      (inlineNames ?? []).map(PolicyName =>
        awsCall('iam:GetRolePolicy', () =>
          this.client.send(new GetRolePolicyCommand({ RoleName, PolicyName }))
        )
      )
    )
    return {
      ...identityFacts(role),
      trustPolicy: parseDocument(role.AssumeRolePolicyDocument ?? '{}'),
      inlinePolicies: Object.fromEntries(
        documents.map((d, i) => [inlineNames![i]!, parseDocument(d.PolicyDocument ?? '{}')])
      ),
      managedPolicyArns: attached ?? []
    }
  }

  /**
   * The role as GetRole answers it, for a run with credentials access-key (a switch back from
   * role); undefined when there is none. A role the action may not read (a bootstrap role from
   * before role mode) counts as none: such a run never touches roles. findRole() takes the
   * answer, and does not read the role again.
   */
  async readRole(RoleName: string): Promise<Role | undefined> {
    try {
      return (await this.client.send(new GetRoleCommand({ RoleName }))).Role
    } catch {
      return undefined
    }
  }

  /** Whether the account has the OIDC provider (a provider it may not read counts as missing). */
  async providerExists(OpenIDConnectProviderArn: string): Promise<boolean> {
    const found = await awsLookup('iam:GetOpenIDConnectProvider', () =>
      this.client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn }))
    )
    return found !== undefined
  }

  async createRole(opts: {
    roleName: string
    path: string
    trustPolicy: unknown
    tags: Tag[]
    permissionsBoundary?: string
  }): Promise<void> {
    await awsCall('iam:CreateRole', async () => {
      try {
        await this.client.send(
          new CreateRoleCommand({
            RoleName: opts.roleName,
            Path: opts.path,
            AssumeRolePolicyDocument: JSON.stringify(opts.trustPolicy),
            Tags: toAwsTags(opts.tags),
            Description:
              'Assumed through GitHub OIDC by the repositories s3-credentials-action trusts.',
            ...(opts.permissionsBoundary ? { PermissionsBoundary: opts.permissionsBoundary } : {})
          })
        )
      } catch (e) {
        // A retried CreateRole whose first attempt made the role answers EntityAlreadyExists.
        if (!madeByLostAttempt(e, 'EntityAlreadyExists')) throw e
      }
    })
    this.propagation.noteCreated(opts.roleName)
  }

  async tagRole(RoleName: string, tags: Tag[]): Promise<void> {
    await this.propagation.change('iam:TagRole', RoleName, () =>
      this.client.send(new TagRoleCommand({ RoleName, Tags: toAwsTags(tags) }))
    )
  }

  async setPermissionsBoundary(RoleName: string, PermissionsBoundary: string): Promise<void> {
    await this.propagation.change('iam:PutRolePermissionsBoundary', RoleName, () =>
      this.client.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary }))
    )
  }

  async setTrustPolicy(RoleName: string, document: unknown): Promise<void> {
    await this.propagation.change('iam:UpdateAssumeRolePolicy', RoleName, () =>
      this.client.send(
        new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(document) })
      )
    )
  }

  async putInlinePolicy(RoleName: string, PolicyName: string, document: unknown): Promise<void> {
    const PolicyDocument = JSON.stringify(document)
    await this.propagation.change('iam:PutRolePolicy', RoleName, () =>
      this.client.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument }))
    )
  }

  async deleteInlinePolicy(RoleName: string, PolicyName: string): Promise<void> {
    await this.propagation.change('iam:DeleteRolePolicy', RoleName, () =>
      this.client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }))
    )
  }

  async attachPolicy(RoleName: string, PolicyArn: string): Promise<void> {
    await this.propagation.change('iam:AttachRolePolicy', RoleName, () =>
      this.client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }))
    )
  }

  async detachPolicy(RoleName: string, PolicyArn: string): Promise<void> {
    await this.propagation.change('iam:DetachRolePolicy', RoleName, () =>
      this.client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }))
    )
  }

  /** Deletes the role: its inline policies and attached policies first, as IAM requires. */
  async deleteRole(RoleName: string, inline: string[], attached: string[]): Promise<void> {
    await Promise.all([
      ...inline.map(PolicyName =>
        awsCall('iam:DeleteRolePolicy', () =>
          this.client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })).catch(ignoreGone)
        )
      ),
      ...attached.map(PolicyArn =>
        awsCall('iam:DetachRolePolicy', () =>
          this.client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })).catch(ignoreGone)
        )
      )
    ])
    await awsCall('iam:DeleteRole', () =>
      this.client.send(new DeleteRoleCommand({ RoleName })).catch(ignoreGone)
    )
  }
}

/** What is gone already (a retry whose first attempt took effect) counts as deleted. */
function ignoreGone(e: unknown): void {
  if (!isNotFound(e)) throw e
}
