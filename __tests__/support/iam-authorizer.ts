// An IAM authorizer for the AWS proxy: moto checks that a signed request's action is allowed by
// the caller's identity policies, but it ignores resource ARNs and conditions and never evaluates
// permissions boundaries. This decides each request independently, with an IAM policy evaluator
// (@cloud-copilot/iam-simulate), against the real resource ARN (a user's ARN with its path) and
// the request's condition keys (iam:PermissionsBoundary, iam:PolicyARN, tags, ...).
//
// The caller's policies come either from setPrincipal() (the action's role, for the key the action
// runs with) or, for any other key, from moto: the IAM user owning the key, with its inline and
// attached managed policies, its groups' policies and its permissions boundary.
//
// moto (5.x) does not keep users' permissions boundaries (CreateUser ignores PermissionsBoundary,
// GetUser never shows one, PutUserPermissionsBoundary is not implemented): the authorizer keeps
// them itself, from the requests the proxy forwarded successfully (observe(): CreateUser,
// PutUserPermissionsBoundary, DeleteUserPermissionsBoundary, DeleteUser) and from
// setUserBoundary() for users made behind the proxy's back. A boundary moto reports wins when
// the authorizer has never heard of the user.
import {
  GetGroupCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  type AttachedPolicy,
  type User
} from '@aws-sdk/client-iam'
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3'
import {
  getDenialReasons,
  runSimulation,
  type RequestAnalysis,
  type RequestDenial,
  type Simulation
} from '@cloud-copilot/iam-simulate'

export interface AuthorizerOptions {
  accountId: string
  partition?: string // default 'aws'
  /** Credentials of a moto user allowed to read IAM (moto.enableAuth()'s admin). */
  admin: { accessKeyId: string; secretAccessKey: string }
  /** moto itself, not the proxy: the authorizer's own reads must not be recorded or faulted. */
  motoEndpoint: string
  region: string
  /**
   * Evaluate S3 requests with the bucket's policy (read from moto) as the resource-based policy:
   * its explicit Denies refuse, its Allows grant. Default true.
   */
  bucketPolicies?: boolean
}

export interface PrincipalPolicies {
  /** Identity-based policy documents (objects, not JSON strings). */
  identity: object[]
  /** The permissions boundary's document, if any. */
  boundary?: object
  /**
   * The ARN named in denial messages (e.g. an assumed-role ARN). Default: the ARN of the moto user
   * owning the key, or `arn:aws:iam::ACCOUNT:user/<key id>` if there is none.
   */
  arn?: string
}

export interface AuthorizationRequest {
  service: 'iam' | 's3' | 'sts'
  /** The API action: 'CreateUser', 'PutObject', 'HeadBucket', ... */
  action: string
  accessKeyId: string
  /** Query-protocol parameters (IAM/STS form body and query string). */
  params: Record<string, string>
  bucket?: string
  key?: string
  /** The SigV4 scope's region (aws:RequestedRegion); default: the authorizer's region. */
  region?: string
  /** S3: the request's x-amz-* headers, lower-case names (ObjectOwnership, tagging, ACLs, ...). */
  headers?: Record<string, string>
}

export type PolicyType = 'identity' | 'pb' | 'resource' | 'scp' | 'rcp' | 'vpce' | 's3-bpa'

export interface AuthorizationResult {
  allowed: boolean
  /**
   * When denied: AWS's message, e.g. "User: arn:aws:iam::123456789012:user/x is not authorized to
   * perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/y because no
   * identity-based policy allows the iam:CreateUser action". When allowed without evaluation (a
   * key no policy is known for, sts:GetCallerIdentity): why.
   */
  reason?: string
  principal?: string
  iamAction?: string
  resource?: string
  context?: Record<string, string | string[]>
  /** When denied: which policy type denied, explicitly or for lack of an Allow. */
  deniedBy?: { policyType: PolicyType; explicit: boolean; policy?: string; statement?: string }
}

interface Principal {
  arn: string
  identity: { name: string; policy: object }[]
  boundary?: { name: string; policy: object }
  user?: User
}

interface TargetUser {
  arn: string
  boundary?: string
  tags: Record<string, string>
}

const POLICY_TYPE_WORDS: Record<PolicyType, string> = {
  identity: 'identity-based policy',
  pb: 'permissions boundary',
  resource: 'resource-based policy',
  scp: 'service control policy',
  rcp: 'resource control policy',
  vpce: 'VPC endpoint policy',
  's3-bpa': 'S3 Block Public Access setting'
}

// API names whose IAM action differs from `s3:<API name>`.
const S3_ACTIONS: Record<string, string> = {
  HeadBucket: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListBuckets: 's3:ListAllMyBuckets',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  HeadObject: 's3:GetObject',
  CopyObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  ListParts: 's3:ListMultipartUploadParts',
  DeleteObjects: 's3:DeleteObject',
  PostObject: 's3:PutObject',
  SelectObjectContent: 's3:GetObject',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  DeleteBucketTagging: 's3:PutBucketTagging',
  GetBucketCors: 's3:GetBucketCORS',
  PutBucketCors: 's3:PutBucketCORS',
  DeleteBucketCors: 's3:PutBucketCORS',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  PutBucketReplication: 's3:PutReplicationConfiguration',
  DeleteBucketReplication: 's3:PutReplicationConfiguration',
  GetBucketAccelerateConfiguration: 's3:GetAccelerateConfiguration',
  PutBucketAccelerateConfiguration: 's3:PutAccelerateConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
  GetObjectAttributes: 's3:GetObjectAttributes',
  DeleteBucketWebsite: 's3:DeleteBucketWebsite'
}

// S3 APIs on the account, not on a bucket.
const S3_ACCOUNT_ACTIONS = new Set(['ListBuckets'])

// IAM APIs whose resource is the caller's own user when UserName is left out.
const IAM_SELF_DEFAULT = new Set([
  'GetUser',
  'CreateAccessKey',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'ListSigningCertificates',
  'ListSSHPublicKeys',
  'ListMFADevices',
  'ListServiceSpecificCredentials'
])

// IAM APIs whose resource is a group even though they name a user too.
const IAM_GROUP_ACTIONS = new Set(['AddUserToGroup', 'RemoveUserFromGroup'])

export class Authorizer {
  private readonly iam: IAMClient
  private readonly s3: S3Client
  private readonly partition: string
  private readonly explicit = new Map<string, PrincipalPolicies>()
  /** Access key id → user name, from ListUsers + ListAccessKeys (refreshed on a miss). */
  private keyOwners = new Map<string, string>()
  /** Session access key id → the role assumed (AssumeRoleWithWebIdentity through the proxy). */
  private readonly sessions = new Map<string, string>()
  /** User name → boundary ARN (null: none), as set through the proxy or setUserBoundary(). */
  private readonly boundaries = new Map<string, string | null>()

  constructor(private readonly opts: AuthorizerOptions) {
    this.partition = opts.partition ?? 'aws'
    this.iam = new IAMClient({
      endpoint: opts.motoEndpoint,
      region: opts.region,
      credentials: opts.admin
    })
    this.s3 = new S3Client({
      endpoint: opts.motoEndpoint,
      region: opts.region,
      credentials: opts.admin,
      forcePathStyle: true
    })
  }

  /** Requests signed with `accessKeyId` are decided by these policies (not by moto's user). */
  setPrincipal(accessKeyId: string, policies: PrincipalPolicies): void {
    this.explicit.set(accessKeyId, policies)
  }

  /**
   * The user's permissions boundary (undefined: none), for users made or changed without the
   * proxy (moto does not keep boundaries, see above).
   */
  setUserBoundary(userName: string, boundaryArn: string | undefined): void {
    this.boundaries.set(userName, boundaryArn ?? null)
  }

  /**
   * Called by the proxy with the status moto answered a forwarded request with: successful
   * requests that set or remove a user's boundary update what the authorizer knows.
   */
  observe(request: AuthorizationRequest, status: number): void {
    if (request.service !== 'iam' || status < 200 || status >= 300) return
    const name = request.params.UserName
    if (!name) return
    switch (request.action) {
      case 'CreateUser':
      case 'PutUserPermissionsBoundary':
        this.boundaries.set(name, request.params.PermissionsBoundary ?? null)
        break
      case 'DeleteUserPermissionsBoundary':
        this.boundaries.set(name, null)
        break
      case 'DeleteUser':
        this.boundaries.delete(name)
        break
    }
  }

  /**
   * STS's decision on AssumeRoleWithWebIdentity: the token's issuer must be an OIDC provider of
   * the account whose client ids include the token's audience, and the role's trust policy must
   * allow the provider with the token's claims (`<issuer host>:sub`, `:aud`, ...). The token is a
   * JWT whose signature is not checked (the tests make their own): its claims are what STS reads.
   */
  async authorizeWebIdentity(
    roleArn: string,
    token: string
  ): Promise<{ allowed: boolean; reason?: string }> {
    const claims = jwtClaims(token)
    const refuse = (why: string) => ({
      allowed: false,
      reason: `Not authorized to perform sts:AssumeRoleWithWebIdentity: ${why}`
    })
    if (!claims || typeof claims.iss !== 'string')
      return refuse('the token is not a JWT with an issuer')
    const host = claims.iss.replace(/^https:\/\//, '').replace(/\/$/, '')
    const providerArn = `arn:${this.partition}:iam::${this.opts.accountId}:oidc-provider/${host}`
    let audiences: string[]
    try {
      const provider = await this.iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn })
      )
      audiences = provider.ClientIDList ?? []
    } catch {
      return refuse(`no OIDC provider ${providerArn}`)
    }
    if (!audiences.includes(String(claims.aud)))
      return refuse(`audience ${String(claims.aud)} is not a client id of ${providerArn}`)
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1)
    let trust: object
    try {
      const role = await this.iam.send(new GetRoleCommand({ RoleName: roleName }))
      if (role.Role?.Arn !== roleArn) return refuse(`no role ${roleArn}`)
      trust = parseDocument(role.Role.AssumeRolePolicyDocument)
    } catch {
      return refuse(`no role ${roleArn}`)
    }
    // The evaluator's data (iam-data) lists GitHub's own claims for this action (ref, repository,
    // ...) but not the keys every OIDC provider has, `<host>:sub` and `<host>:aud`, which it would
    // ignore: they are evaluated under the names of Google's same claims, which it knows. A trust
    // policy that names Google's keys itself is refused (it could not be told apart).
    if (JSON.stringify(trust).includes('accounts.google.com:'))
      return refuse(
        'the trust policy names accounts.google.com keys (the authorizer cannot evaluate it)'
      )
    const alias = (key: string) =>
      key === `${host}:sub` || key === `${host}:aud`
        ? `accounts.google.com:${key.slice(host.length + 1)}`
        : key
    trust = renameConditionKeys(trust, alias)
    const context: Record<string, string> = {}
    for (const [key, value] of Object.entries(claims))
      if (typeof value === 'string') context[alias(`${host}:${key}`)] = value
    const result = await runSimulation(
      {
        request: {
          principal: providerArn,
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: { resource: roleArn, accountId: this.opts.accountId },
          contextVariables: context
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust
      },
      {}
    )
    if (result.resultType === 'error')
      return refuse(`the trust policy could not be evaluated: ${result.errors.message}`)
    return result.overallResult === 'Allowed'
      ? { allowed: true }
      : refuse(`the trust policy of ${roleArn} does not allow subject ${String(claims.sub)}`)
  }

  /** Later requests signed with the session's key are decided as the role's (its policies, its boundary). */
  sessionIssued(accessKeyId: string, roleArn: string): void {
    this.sessions.set(accessKeyId, roleArn.slice(roleArn.lastIndexOf('/') + 1))
  }

  /** Forgets registered principals, cached key owners and known boundaries. */
  clear(): void {
    this.sessions.clear()
    this.explicit.clear()
    this.keyOwners.clear()
    this.boundaries.clear()
  }

  destroy(): void {
    this.iam.destroy()
    this.s3.destroy()
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
    const iamAction = iamActionOf(request)
    if (iamAction === 'sts:GetCallerIdentity') {
      return { allowed: true, iamAction, reason: 'sts:GetCallerIdentity is always allowed' }
    }
    const principal = await this.principal(request.accessKeyId)
    if (!principal) {
      return {
        allowed: true,
        iamAction,
        reason: `no policies known for access key ${request.accessKeyId}: left to moto`
      }
    }
    const { resource, context } = await this.resourceAndContext(request, principal)
    Object.assign(context, this.globalContext(request, principal))
    // The API action's own permission first, then those its parameters need on top (tags in
    // CreateUser need iam:TagUser, ...), each decided alone, as AWS does.
    const bucketPolicy =
      request.service === 's3' && request.bucket && this.opts.bucketPolicies !== false
        ? await this.bucketPolicy(request.bucket)
        : undefined
    let first: AuthorizationResult | undefined
    for (const check of [
      { iamAction, resource },
      ...additionalAuthorizations(request, resource, this.partition)
    ]) {
      // A source object (CopyObject) is in another bucket, with a policy of its own: not read.
      const sameBucket = check.resource === resource || check.iamAction !== 's3:GetObject'
      const result = await this.evaluate(
        principal,
        check.iamAction,
        check.resource,
        context,
        sameBucket ? bucketPolicy : undefined
      )
      if (!result.allowed) return result
      first ??= result
    }
    return first ?? { allowed: true, iamAction, resource, context, principal: principal.arn }
  }

  private async evaluate(
    principal: Principal,
    iamAction: string,
    resource: string,
    context: Record<string, string | string[]>,
    resourcePolicy?: object
  ): Promise<AuthorizationResult> {
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: iamAction,
        resource: { resource, accountId: this.opts.accountId },
        contextVariables: context
      },
      identityPolicies: principal.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(principal.boundary ? { permissionBoundaryPolicies: [principal.boundary] } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {})
    }
    const base = { principal: principal.arn, iamAction, resource, context }
    const result = await runSimulation(simulation, {})
    if (result.resultType === 'error') {
      // Fail closed: an action or resource this cannot evaluate is refused, visibly.
      return {
        ...base,
        allowed: false,
        reason:
          `User: ${principal.arn} is not authorized to perform: ${iamAction}` +
          `${resource === '*' ? '' : ` on resource: ${resource}`} (iam-authorizer could not ` +
          `evaluate the request: ${result.errors.message} ${JSON.stringify(result.errors)})`
      }
    }
    if (result.overallResult === 'Allowed') return { ...base, allowed: true }
    const analyses: RequestAnalysis[] =
      result.resultType === 'single'
        ? [result.result.analysis]
        : result.results.map(r => r.analysis)
    const denials = analyses.flatMap(a => getDenialReasons(a))
    const denial =
      denials.find(d => d.denialType === 'Explicit') ??
      denials.find(d => d.policyType === 'identity') ??
      denials[0]
    const deniedBy = denialInfo(denial)
    return {
      ...base,
      allowed: false,
      deniedBy,
      reason: deniedMessage(principal.arn, iamAction, resource, deniedBy)
    }
  }

  /** The bucket's policy in moto, if it has one (and the bucket exists). */
  private async bucketPolicy(Bucket: string): Promise<object | undefined> {
    try {
      const { Policy } = await this.s3.send(new GetBucketPolicyCommand({ Bucket }))
      return Policy ? (JSON.parse(Policy) as object) : undefined
    } catch (err) {
      const name = (err as { name?: string }).name
      if (name === 'NoSuchBucketPolicy' || name === 'NoSuchBucket') return undefined
      throw err
    }
  }

  // -------------------------------------------------------------------------------------------
  // The caller

  private async principal(accessKeyId: string): Promise<Principal | undefined> {
    const registered = this.explicit.get(accessKeyId)
    if (registered) {
      const arn =
        registered.arn ??
        (await this.userOfKey(accessKeyId))?.Arn ??
        `arn:${this.partition}:iam::${this.opts.accountId}:user/${accessKeyId}`
      return {
        arn,
        identity: registered.identity.map((policy, i) => ({ name: `identity-${i + 1}`, policy })),
        ...(registered.boundary
          ? { boundary: { name: 'permissions-boundary', policy: registered.boundary } }
          : {})
      }
    }
    const roleName = this.sessions.get(accessKeyId)
    if (roleName !== undefined) return this.rolePrincipal(roleName)
    const user = await this.userOfKey(accessKeyId)
    if (!user?.UserName) return undefined
    const UserName = user.UserName
    const identity: { name: string; policy: object }[] = []

    const inline = await this.iam.send(new ListUserPoliciesCommand({ UserName }))
    for (const PolicyName of inline.PolicyNames ?? []) {
      const doc = await this.iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))
      identity.push({ name: `user/${PolicyName}`, policy: parseDocument(doc.PolicyDocument) })
    }
    const attached = await this.iam.send(new ListAttachedUserPoliciesCommand({ UserName }))
    identity.push(...(await this.managed(attached.AttachedPolicies)))

    const groups = await this.iam.send(new ListGroupsForUserCommand({ UserName }))
    for (const { GroupName } of groups.Groups ?? []) {
      const names = await this.iam.send(new ListGroupPoliciesCommand({ GroupName }))
      for (const PolicyName of names.PolicyNames ?? []) {
        const doc = await this.iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }))
        identity.push({
          name: `group/${GroupName}/${PolicyName}`,
          policy: parseDocument(doc.PolicyDocument)
        })
      }
      const groupAttached = await this.iam.send(new ListAttachedGroupPoliciesCommand({ GroupName }))
      identity.push(...(await this.managed(groupAttached.AttachedPolicies)))
    }

    const boundaryArn = this.boundaryOf(user)
    let boundary: { name: string; policy: object } | undefined
    if (boundaryArn) {
      // A boundary whose policy is missing allows nothing (an empty boundary).
      boundary = (await this.managedDocument(boundaryArn)) ?? {
        name: boundaryArn,
        policy: { Version: '2012-10-17', Statement: [] }
      }
    }
    return {
      arn: user.Arn ?? `arn:${this.partition}:iam::${this.opts.accountId}:user/${UserName}`,
      identity,
      user,
      ...(boundary ? { boundary } : {})
    }
  }

  /** An assumed role's session: the role's inline and attached policies, and its boundary. */
  private async rolePrincipal(RoleName: string): Promise<Principal> {
    const { Role } = await this.iam.send(new GetRoleCommand({ RoleName }))
    const identity: { name: string; policy: object }[] = []
    const inline = await this.iam.send(new ListRolePoliciesCommand({ RoleName }))
    for (const PolicyName of inline.PolicyNames ?? []) {
      const doc = await this.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))
      identity.push({ name: `role/${PolicyName}`, policy: parseDocument(doc.PolicyDocument) })
    }
    const attached = await this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))
    identity.push(...(await this.managed(attached.AttachedPolicies)))
    const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn
    const boundary = boundaryArn
      ? ((await this.managedDocument(boundaryArn)) ?? {
          name: boundaryArn,
          policy: { Version: '2012-10-17', Statement: [] }
        })
      : undefined
    return {
      arn: `arn:${this.partition}:sts::${this.opts.accountId}:assumed-role/${RoleName}/session`,
      identity,
      ...(boundary ? { boundary } : {})
    }
  }

  /** The moto user owning `accessKeyId` (GetUser's answer: path, boundary, tags), if any. */
  private async userOfKey(accessKeyId: string): Promise<User | undefined> {
    let name = this.keyOwners.get(accessKeyId)
    if (name === undefined) {
      await this.refreshKeyOwners()
      name = this.keyOwners.get(accessKeyId)
    }
    if (name === undefined) return undefined
    const user = await this.getUser(name)
    if (!user) this.keyOwners.delete(accessKeyId)
    return user
  }

  private async refreshKeyOwners(): Promise<void> {
    const owners = new Map<string, string>()
    let Marker: string | undefined
    do {
      const page = await this.iam.send(new ListUsersCommand({ Marker }))
      for (const { UserName } of page.Users ?? []) {
        if (!UserName) continue
        let keyMarker: string | undefined
        do {
          const keys = await this.iam.send(
            new ListAccessKeysCommand({ UserName, Marker: keyMarker })
          )
          for (const k of keys.AccessKeyMetadata ?? []) {
            if (k.AccessKeyId) owners.set(k.AccessKeyId, UserName)
          }
          keyMarker = keys.IsTruncated ? keys.Marker : undefined
        } while (keyMarker)
      }
      Marker = page.IsTruncated ? page.Marker : undefined
    } while (Marker)
    this.keyOwners = owners
  }

  private async managed(
    attached: AttachedPolicy[] | undefined
  ): Promise<{ name: string; policy: object }[]> {
    const out: { name: string; policy: object }[] = []
    for (const { PolicyArn } of attached ?? []) {
      if (!PolicyArn) continue
      // AWS managed policies exist in moto only when it loads them: missing means no policy.
      const doc = await this.managedDocument(PolicyArn)
      if (doc) out.push(doc)
    }
    return out
  }

  private async managedDocument(
    PolicyArn: string
  ): Promise<{ name: string; policy: object } | undefined> {
    try {
      const { Policy } = await this.iam.send(new GetPolicyCommand({ PolicyArn }))
      if (!Policy?.DefaultVersionId) return undefined
      const { PolicyVersion } = await this.iam.send(
        new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy.DefaultVersionId })
      )
      return { name: PolicyArn, policy: parseDocument(PolicyVersion?.Document) }
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined
      throw err
    }
  }

  private boundaryOf(user: User): string | undefined {
    const known = user.UserName === undefined ? undefined : this.boundaries.get(user.UserName)
    if (known !== undefined) return known ?? undefined
    return user.PermissionsBoundary?.PermissionsBoundaryArn
  }

  private async getUser(UserName: string): Promise<User | undefined> {
    try {
      return (await this.iam.send(new GetUserCommand({ UserName }))).User
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined
      throw err
    }
  }

  // -------------------------------------------------------------------------------------------
  // The resource and the request's condition keys

  private arn(service: string, resource: string): string {
    return `arn:${this.partition}:${service}::${this.opts.accountId}:${resource}`
  }

  private async resourceAndContext(
    request: AuthorizationRequest,
    principal: Principal
  ): Promise<{ resource: string; context: Record<string, string | string[]> }> {
    const context: Record<string, string | string[]> = {}
    const p = request.params
    if (request.service === 's3') {
      const bucketArn = `arn:${this.partition}:s3:::${request.bucket ?? ''}`
      if (S3_ACCOUNT_ACTIONS.has(request.action) || !request.bucket) {
        return { resource: '*', context }
      }
      if (request.action === 'DeleteObjects') return { resource: `${bucketArn}/*`, context }
      if (request.key !== undefined && request.key !== '') {
        return { resource: `${bucketArn}/${request.key}`, context }
      }
      return { resource: bucketArn, context }
    }
    if (request.service === 'sts') return { resource: '*', context }

    const action = request.action
    const tags = requestTags(p, 'Tags')
    if (Object.keys(tags).length > 0) {
      for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v
      context['aws:TagKeys'] = Object.keys(tags)
    }
    const tagKeys = memberList(p, 'TagKeys')
    if (tagKeys.length > 0) context['aws:TagKeys'] = tagKeys
    if (p.PolicyArn && /^(Attach|Detach)(User|Role)Policy$/.test(action)) {
      context['iam:PolicyARN'] = p.PolicyArn
    }
    if (action === 'CreateRole' && p.RoleName) {
      if (p.PermissionsBoundary) context['iam:PermissionsBoundary'] = p.PermissionsBoundary
      return { resource: this.arn('iam', `role${normalPath(p.Path)}${p.RoleName}`), context }
    }
    if (p.RoleName) {
      // The role as IAM names it (its path); its tags and boundary as condition keys.
      const role = await this.iam
        .send(new GetRoleCommand({ RoleName: p.RoleName }))
        .then(r => r.Role)
        .catch(() => undefined)
      for (const t of role?.Tags ?? [])
        if (t.Key) context[`aws:ResourceTag/${t.Key}`] = t.Value ?? ''
      const boundary =
        action === 'PutRolePermissionsBoundary'
          ? p.PermissionsBoundary
          : role?.PermissionsBoundary?.PermissionsBoundaryArn
      if (boundary) context['iam:PermissionsBoundary'] = boundary
      return { resource: role?.Arn ?? this.arn('iam', `role/${p.RoleName}`), context }
    }
    if (p.OpenIDConnectProviderArn) return { resource: p.OpenIDConnectProviderArn, context }

    if (IAM_GROUP_ACTIONS.has(action) && p.GroupName) {
      return { resource: await this.groupArn(p.GroupName), context }
    }
    if (action === 'CreateUser' && p.UserName) {
      if (p.PermissionsBoundary) context['iam:PermissionsBoundary'] = p.PermissionsBoundary
      return { resource: this.arn('iam', `user${normalPath(p.Path)}${p.UserName}`), context }
    }
    const userName =
      p.UserName ??
      (IAM_SELF_DEFAULT.has(action) || (action === 'GetAccessKeyLastUsed' && !p.AccessKeyId)
        ? principal.user?.UserName
        : undefined) ??
      (action === 'GetAccessKeyLastUsed' && p.AccessKeyId
        ? (await this.userOfKey(p.AccessKeyId))?.UserName
        : undefined)
    if (userName) {
      const target = await this.targetUser(userName)
      for (const [k, v] of Object.entries(target.tags)) context[`aws:ResourceTag/${k}`] = v
      if (action === 'PutUserPermissionsBoundary') {
        if (p.PermissionsBoundary) context['iam:PermissionsBoundary'] = p.PermissionsBoundary
      } else if (target.boundary) {
        context['iam:PermissionsBoundary'] = target.boundary
      }
      return { resource: target.arn, context }
    }
    if (IAM_SELF_DEFAULT.has(action)) return { resource: principal.arn, context }
    if (action === 'CreatePolicy' && p.PolicyName) {
      return { resource: this.arn('iam', `policy${normalPath(p.Path)}${p.PolicyName}`), context }
    }
    if (p.PolicyArn) return { resource: p.PolicyArn, context }
    if (p.GroupName) return { resource: await this.groupArn(p.GroupName), context }
    return { resource: '*', context }
  }

  private async targetUser(UserName: string): Promise<TargetUser> {
    const user = await this.getUser(UserName)
    const tags: Record<string, string> = {}
    for (const t of user?.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? ''
    const boundary = user ? this.boundaryOf(user) : undefined
    return {
      // A user that does not exist (yet) is named as if on path '/'.
      arn: user?.Arn ?? this.arn('iam', `user/${UserName}`),
      tags,
      ...(boundary ? { boundary } : {})
    }
  }

  private async groupArn(GroupName: string): Promise<string> {
    try {
      const { Group } = await this.iam.send(new GetGroupCommand({ GroupName }))
      if (Group?.Arn) return Group.Arn
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err
    }
    return this.arn('iam', `group/${GroupName}`)
  }

  private globalContext(
    request: AuthorizationRequest,
    principal: Principal
  ): Record<string, string | string[]> {
    const now = new Date()
    const context: Record<string, string | string[]> = {
      'aws:PrincipalArn': principal.arn,
      'aws:PrincipalAccount': this.opts.accountId,
      'aws:RequestedRegion': request.region ?? this.opts.region,
      // The action talks to AWS over TLS; the proxy's plain HTTP is a test artefact.
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000))
    }
    if (principal.user) {
      context['aws:PrincipalType'] = 'User'
      if (principal.user.UserName) context['aws:username'] = principal.user.UserName
      if (principal.user.UserId) context['aws:userid'] = principal.user.UserId
      for (const t of principal.user.Tags ?? []) {
        if (t.Key) context[`aws:PrincipalTag/${t.Key}`] = t.Value ?? ''
      }
    }
    return context
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Permissions a request needs besides its action's own, from its parameters: AWS checks them
 * too (CreateUser with Tags needs iam:TagUser, CreateBucket with ObjectOwnership needs
 * s3:PutBucketOwnershipControls, CopyObject needs s3:GetObject on the source, ...).
 */
export function additionalAuthorizations(
  request: AuthorizationRequest,
  resource: string,
  partition = 'aws'
): { iamAction: string; resource: string }[] {
  const p = request.params
  const h = request.headers ?? {}
  const out: { iamAction: string; resource: string }[] = []
  const add = (iamAction: string, on = resource) => out.push({ iamAction, resource: on })
  if (request.service === 'iam' && request.action === 'CreateUser') {
    if (p['Tags.member.1.Key'] !== undefined) add('iam:TagUser')
    if (p.PermissionsBoundary) add('iam:PutUserPermissionsBoundary')
  }
  if (request.service === 'iam' && request.action === 'CreateRole') {
    if (p['Tags.member.1.Key'] !== undefined) add('iam:TagRole')
    if (p.PermissionsBoundary) add('iam:PutRolePermissionsBoundary')
  }
  if (request.service === 'iam' && request.action === 'CreatePolicy') {
    if (p['Tags.member.1.Key'] !== undefined) add('iam:TagPolicy')
  }
  if (request.service !== 's3') return out
  const acl = h['x-amz-acl'] !== undefined || Object.keys(h).some(k => k.startsWith('x-amz-grant-'))
  switch (request.action) {
    case 'CreateBucket':
      if (h['x-amz-object-ownership']) add('s3:PutBucketOwnershipControls')
      if (h['x-amz-bucket-object-lock-enabled'] === 'true') {
        add('s3:PutBucketObjectLockConfiguration')
        add('s3:PutBucketVersioning')
      }
      if (acl) add('s3:PutBucketAcl')
      break
    case 'PutObject':
    case 'CopyObject':
    case 'CreateMultipartUpload':
      if (h['x-amz-tagging']) add('s3:PutObjectTagging')
      if (acl) add('s3:PutObjectAcl')
      if (request.action === 'CopyObject' && h['x-amz-copy-source']) {
        const source = safeDecode(h['x-amz-copy-source'].split('?')[0] ?? '').replace(/^\//, '')
        add('s3:GetObject', `arn:${partition}:s3:::${source}`)
      }
      break
  }
  return out
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The IAM action an API request needs: `iam:CreateUser`, `s3:ListBucket` for HeadBucket, ... */
export function iamActionOf(request: { service: string; action: string }): string {
  if (request.service === 's3') return S3_ACTIONS[request.action] ?? `s3:${request.action}`
  return `${request.service}:${request.action}`
}

/** AWS's AccessDenied message for a denial by `deniedBy`. */
export function deniedMessage(
  principal: string,
  iamAction: string,
  resource: string,
  deniedBy: { policyType: PolicyType; explicit: boolean }
): string {
  const onResource = resource === '*' ? '' : ` on resource: ${resource}`
  const words = POLICY_TYPE_WORDS[deniedBy.policyType]
  const why = deniedBy.explicit
    ? `with an explicit deny in ${/^[aeiou]/i.test(words) ? 'an' : 'a'} ${words}`
    : `because no ${words} allows the ${iamAction} action`
  return `User: ${principal} is not authorized to perform: ${iamAction}${onResource} ${why}`
}

function denialInfo(
  denial: RequestDenial | undefined
): NonNullable<AuthorizationResult['deniedBy']> {
  if (!denial) return { policyType: 'identity', explicit: false }
  if (denial.denialType === 'Explicit') {
    return {
      policyType: denial.policyType,
      explicit: true,
      ...(denial.policyIdentifier ? { policy: denial.policyIdentifier } : {}),
      statement: denial.statementId ?? `#${denial.statementIndex}`
    }
  }
  return { policyType: denial.policyType, explicit: false }
}

function parseDocument(doc: string | undefined): object {
  if (!doc) return { Version: '2012-10-17', Statement: [] }
  // IAM returns documents URL-encoded; moto sometimes returns them as they were sent.
  let text = doc
  if (!text.trimStart().startsWith('{')) {
    try {
      text = decodeURIComponent(text)
    } catch {
      // not URL-encoded after all
    }
  }
  return JSON.parse(text) as object
}

function normalPath(path: string | undefined): string {
  if (!path) return '/'
  return path.endsWith('/') ? path : `${path}/`
}

/** `Tags.member.N.Key` / `Tags.member.N.Value` pairs of a query-protocol request. */
function requestTags(params: Record<string, string>, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {}
  for (let i = 1; params[`${prefix}.member.${i}.Key`] !== undefined; i++) {
    tags[params[`${prefix}.member.${i}.Key`] ?? ''] = params[`${prefix}.member.${i}.Value`] ?? ''
  }
  return tags
}

/** `Name.member.N` values of a query-protocol request. */
function memberList(params: Record<string, string>, name: string): string[] {
  const out: string[] = []
  for (let i = 1; params[`${name}.member.${i}`] !== undefined; i++) {
    out.push(params[`${name}.member.${i}`] ?? '')
  }
  return out
}

function isNoSuchEntity(err: unknown): boolean {
  const e = err as { name?: string; Code?: string }
  return e?.name === 'NoSuchEntityException' || e?.name === 'NoSuchEntity'
}

/** A JWT's claims (its middle part), without checking the signature; undefined if not a JWT. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1]
  if (!part) return undefined
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** The policy with every condition key renamed by `rename` (operators and values kept). */
function renameConditionKeys(policy: object, rename: (key: string) => string): object {
  const doc = policy as { Statement?: unknown }
  const statements = [doc.Statement ?? []].flat() as {
    Condition?: Record<string, Record<string, unknown>>
  }[]
  return {
    ...doc,
    Statement: statements.map(st =>
      st.Condition
        ? {
            ...st,
            Condition: Object.fromEntries(
              Object.entries(st.Condition).map(([op, keys]) => [
                op,
                Object.fromEntries(Object.entries(keys).map(([k, v]) => [rename(k), v]))
              ])
            )
          }
        : st
    )
  }
}
