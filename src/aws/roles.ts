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
import { parseDocument, whilePropagating } from './iam.js'
import { fromAwsTags, toAwsTags } from './tags.js'

export class Roles {
  /** Roles this run created, and when. */
  private readonly created = new Map<string, number>()

  constructor(private readonly client: IAMClient) {}

  private async onRole<T>(RoleName: string, call: () => Promise<T>): Promise<T> {
    return whilePropagating(this.created.get(RoleName), call)
  }

  /**
   * The role with its trust policy, tags and grants; undefined when there is none. `read` is its
   * GetRole answer when the caller has it already (readRole()): the role is not read again.
   */
  async findRole(RoleName: string, read?: Role): Promise<ObservedRole | undefined> {
    const [role, inlineNames, attached] = await Promise.all([
      read ??
        awsLookup('iam:GetRole', () => this.client.send(new GetRoleCommand({ RoleName }))).then(
          found => found?.Role
        ),
      awsLookup('iam:ListRolePolicies', () => this.listInlinePolicyNames(RoleName)),
      awsLookup('iam:ListAttachedRolePolicies', () => this.listAttachedPolicyArns(RoleName))
    ])
    if (!role) return undefined
    const documents = await Promise.all(
      (inlineNames ?? []).map(PolicyName =>
        awsCall('iam:GetRolePolicy', () =>
          this.client.send(new GetRolePolicyCommand({ RoleName, PolicyName }))
        )
      )
    )
    const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn
    return {
      arn: role.Arn ?? '',
      path: role.Path ?? '/',
      tags: fromAwsTags(role.Tags),
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      trustPolicy: parseDocument(role.AssumeRolePolicyDocument ?? '{}'),
      inlinePolicies: Object.fromEntries(
        documents.map((d, i) => [inlineNames![i]!, parseDocument(d.PolicyDocument ?? '{}')])
      ),
      managedPolicyArns: attached ?? []
    }
  }

  private async listInlinePolicyNames(RoleName: string): Promise<string[]> {
    const names: string[] = []
    for await (const page of paginateListRolePolicies({ client: this.client }, { RoleName }))
      names.push(...(page.PolicyNames ?? []))
    return names
  }

  private async listAttachedPolicyArns(RoleName: string): Promise<string[]> {
    const arns: string[] = []
    for await (const page of paginateListAttachedRolePolicies(
      { client: this.client },
      { RoleName }
    ))
      arns.push(...(page.AttachedPolicies ?? []).map(p => p.PolicyArn ?? ''))
    return arns
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
    this.created.set(opts.roleName, Date.now())
  }

  async tagRole(RoleName: string, tags: Tag[]): Promise<void> {
    await awsCall('iam:TagRole', () =>
      this.onRole(RoleName, () =>
        this.client.send(new TagRoleCommand({ RoleName, Tags: toAwsTags(tags) }))
      )
    )
  }

  async setPermissionsBoundary(RoleName: string, PermissionsBoundary: string): Promise<void> {
    await awsCall('iam:PutRolePermissionsBoundary', () =>
      this.onRole(RoleName, () =>
        this.client.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary }))
      )
    )
  }

  async setTrustPolicy(RoleName: string, document: unknown): Promise<void> {
    await awsCall('iam:UpdateAssumeRolePolicy', () =>
      this.onRole(RoleName, () =>
        this.client.send(
          new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(document) })
        )
      )
    )
  }

  async putInlinePolicy(RoleName: string, PolicyName: string, document: unknown): Promise<void> {
    await awsCall('iam:PutRolePolicy', () =>
      this.onRole(RoleName, () =>
        this.client.send(
          new PutRolePolicyCommand({
            RoleName,
            PolicyName,
            PolicyDocument: JSON.stringify(document)
          })
        )
      )
    )
  }

  async deleteInlinePolicy(RoleName: string, PolicyName: string): Promise<void> {
    await awsCall('iam:DeleteRolePolicy', () =>
      this.onRole(RoleName, () =>
        this.client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }))
      )
    )
  }

  async attachPolicy(RoleName: string, PolicyArn: string): Promise<void> {
    await awsCall('iam:AttachRolePolicy', () =>
      this.onRole(RoleName, () =>
        this.client.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }))
      )
    )
  }

  async detachPolicy(RoleName: string, PolicyArn: string): Promise<void> {
    await awsCall('iam:DetachRolePolicy', () =>
      this.onRole(RoleName, () =>
        this.client.send(new DetachRolePolicyCommand({ RoleName, PolicyArn }))
      )
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
