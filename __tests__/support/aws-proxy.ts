// An HTTP proxy between the action (or any AWS SDK client) and moto. Point AWS_ENDPOINT_URL (or a
// client's `endpoint`) at `proxy.url` and it forwards every request to moto unchanged, while it
// - records each request, classified by service (from the SigV4 credential scope) and API action
//   (query protocol `Action`, JSON `x-amz-target`, or S3 method + path + subresource), and whether
//   the action mutates state;
// - answers chosen requests itself with a fault (5xx, throttling, dropped connection);
// - simulates IAM eventual consistency: access keys created through it are refused for a while,
//   and users created through it are not found by other IAM calls for a while; S3 may lag STS
//   in accepting a new key, and a user's new inline policy may take a while to apply in S3;
// - answers for a bucket kept in another region as S3 does (a redirect naming the region);
// - gives a bucket that CreateBucket makes AWS's defaults (Block Public Access, ACLs disabled,
//   SSE-S3), which moto leaves off (new-bucket-defaults.ts);
// - answers a fixed latency after each request arrived (moto's own time included, unless longer).
// - with an authorizer (setAuthorizer), refuses the requests it denies with AWS's AccessDenied
//   answer, without forwarding them: what moto does not check (resource ARNs, conditions,
//   permissions boundaries), see iam-authorizer.ts.
// Signed headers, the Host header and bodies pass through untouched, so SigV4 signatures stay
// valid when moto enforces auth.
import { randomUUID } from 'node:crypto'
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import type { AuthorizationRequest, AuthorizationResult } from './iam-authorizer.js'
import type { AwsCreds } from './moto.js'
import { NewBucketDefaults } from './new-bucket-defaults.js'

export type AwsService = 'iam' | 's3' | 'sts' | 'other'

export interface AwsRequestRecord {
  seq: number // 1-based, in arrival order (reset() starts again at 1)
  service: AwsService
  action: string // e.g. 'CreateUser', 'GetCallerIdentity', 'PutBucketPolicy', 'HeadBucket'
  method: string
  path: string // as sent, query string included
  status: number // as answered; 0 while pending and when the connection was dropped
  accessKeyId?: string // from the SigV4 credential scope (header or presigned query)
  mutating: boolean
  at: number // Date.now() on arrival
  /** The request's User-Agent header (the SDK's, with the action's customUserAgent). */
  userAgent?: string
  /** Set when the authorizer refused the request (not forwarded): AWS's AccessDenied message. */
  denied?: string
}

/**
 * What setWebIdentityAuthorizer() takes (an Authorizer from iam-authorizer.ts): STS's decision on
 * AssumeRoleWithWebIdentity, which moto grants without looking at the token or the trust policy,
 * and the session keys it issues, whose later requests are then decided as the role's.
 */
export interface WebIdentityAuthorizer {
  authorizeWebIdentity(
    roleArn: string,
    token: string
  ): Promise<{ allowed: boolean; reason?: string }>
  sessionIssued(accessKeyId: string, roleArn: string): void
}

/** What setAuthorizer() takes: an Authorizer from iam-authorizer.ts, or a stand-in. */
export interface RequestAuthorizer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationResult>
  /** Told moto's status for each authorized request it answered, before the client hears it. */
  observe?(request: AuthorizationRequest, status: number): void
}

/**
 * `afterApplying`: the request reaches moto and takes effect, and only then does the client get
 * the fault (an answer lost on the way back).
 */
export type AwsFault =
  | { status: 500 | 503; afterApplying?: boolean }
  /**
   * A client error AWS answers with that code (e.g. STS's InvalidClientTokenId, S3's 409
   * OperationAborted or 404 NoSuchBucket).
   */
  | { status: 400 | 403 | 404 | 409; code: string; message?: string }
  | { throttle: true }
  | { drop: true; afterApplying?: boolean }

export interface S3Consistency {
  configMs: number
  newBucketMs: number
}

/** The bucket configuration changes S3 refuses to run concurrently on one bucket. */
const BUCKET_CONFIG_CHANGES = new Set([
  'PutBucketPolicy',
  'PutBucketEncryption',
  'PutPublicAccessBlock',
  'PutBucketTagging',
  'PutBucketOwnershipControls',
  'DeleteBucketPolicy'
])

export interface AwsRequestInfo {
  service: AwsService
  action: string
  method: string
}

interface Rule {
  pred: (r: AwsRequestInfo) => boolean
  fault: AwsFault
  remaining: number
}

interface Classified {
  service: AwsService
  action: string
  accessKeyId?: string
  region?: string
  protocol: 'query' | 'json' | 'rest-xml'
  mutating: boolean
}

// Connection-level headers: the proxy manages its own connections on both sides. None of them is
// ever signed by SigV4 (the SDK leaves them out of the signature).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'expect',
  'upgrade',
  'te',
  'trailer'
])

const MUTATING_PREFIXES = [
  'Create',
  'Put',
  'Delete',
  'Attach',
  'Detach',
  'Tag',
  'Untag',
  'Update',
  'Add',
  'Remove',
  'Set',
  'Upload',
  'Change',
  'Enable',
  'Disable',
  'Reset',
  'Deactivate',
  'Resync'
]

export class AwsProxy {
  readonly url: string
  readonly requests: AwsRequestRecord[] = []

  private seen = 0
  private readonly scheduled = new Map<number, AwsFault>()
  private rules: Rule[] = []
  private latencyMs = 0
  private refuseMs: number | 'forever' = 0
  private readonly newKeys = new Map<string, number>()
  private hideUsersMs = 0
  private readonly newUsers = new Map<string, number>()
  /**
   * Users' permissions boundaries (user name → policy ARN), which moto 5 does not keep: CreateUser
   * ignores PermissionsBoundary, GetUser never shows one and PutUserPermissionsBoundary is not
   * implemented. The proxy keeps them and answers as IAM does.
   */
  private readonly boundaries = new Map<string, string>()
  private s3Model: S3Consistency = { configMs: 0, newBucketMs: 0 }
  /** Bucket → until when a configuration change is being applied (s3Model.configMs). */
  private readonly configuring = new Map<string, number>()
  /** Bucket → when CreateBucket made it (s3Model.newBucketMs). */
  private readonly bucketMade = new Map<string, number>()
  /** User → when a key of theirs was deleted (lagKeyQuota). */
  private readonly keyDeletedAt = new Map<string, number>()
  private keyQuotaLagMs = 0
  /** Key → the user it was made for (CreateAccessKey through this proxy). */
  private readonly keyOwners = new Map<string, string>()
  private s3KeyLagMs = 0
  private policyLagMs = 0
  /** User → when an inline policy of theirs was last put (lagUserPolicies). */
  private readonly policyPutAt = new Map<string, number>()
  /** Bucket → the region S3 keeps it in, and how HeadBucket elsewhere is answered (placeBucket). */
  private readonly bucketRegions = new Map<string, { region: string; headStatus: 301 | 400 }>()
  private authorizer: RequestAuthorizer | undefined
  private webIdentity: WebIdentityAuthorizer | undefined

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    // Without keep-alive towards moto: a pooled connection that moto closed meanwhile would fail
    // the next forwarded request.
    private readonly agent: Agent,
    private readonly bucketDefaults: NewBucketDefaults
  ) {
    const { port } = server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 forwarding to `target` (e.g. moto.endpoint).
   * `credentials`: the harness's own key for moto (moto.ts harnessCredentials), with which it puts
   * AWS's defaults on a new bucket (new-bucket-defaults.ts).
   */
  static async start(
    target: string,
    credentials: () => AwsCreds = () => ({ accessKeyId: 'testing', secretAccessKey: 'testing' })
  ): Promise<AwsProxy> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const proxy = new AwsProxy(
      server,
      new URL(target),
      new Agent({ keepAlive: false }),
      new NewBucketDefaults(target, credentials)
    )
    // handle() answers every failure it can; what is left (a client gone mid-request) ends here.
    server.on('request', (req, res) => void proxy.handle(req, res).catch(() => res.destroy()))
    return proxy
  }

  /** Number of recorded requests that mutate state (faulted and refused ones included). */
  mutatingCount(filter: { service?: AwsService } = {}): number {
    return this.requests.filter(
      r => r.mutating && (filter.service === undefined || r.service === filter.service)
    ).length
  }

  /** Action names of the recorded requests, in arrival order. */
  actions(filter: { service?: AwsService; mutating?: boolean } = {}): string[] {
    return this.requests
      .filter(
        r =>
          (filter.service === undefined || r.service === filter.service) &&
          (filter.mutating === undefined || r.mutating === filter.mutating)
      )
      .map(r => r.action)
  }

  /** The n-th request from now (1-based) is answered with `fault` and not forwarded to moto. */
  failRequest(n: number, fault: AwsFault): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`failRequest: n must be >= 1, got ${n}`)
    this.scheduled.set(this.seen + n, fault)
  }

  /**
   * Requests matching `pred` are answered with `fault` (not forwarded), `times` times (default:
   * every time). Rules are tried in the order they were added; failRequest() comes first.
   */
  failWhen(pred: (r: AwsRequestInfo) => boolean, fault: AwsFault, times = Infinity): void {
    this.rules.push({ pred, fault, remaining: times })
  }

  /**
   * Every answer (forwarded, faulted or refused) leaves `ms` after its request arrived, or when
   * moto answers if that takes longer: a round trip of `ms`, moto's own time included, like a
   * real service's. So a benchmark's round trips count the action's waits, not moto's speed.
   */
  setLatency(ms: number): void {
    this.latencyMs = ms
  }

  /**
   * Requests signed with an access key created (CreateAccessKey through this proxy) less than `ms`
   * ago, or ever with 'forever', are refused with 403 InvalidClientTokenId (IAM/STS) or
   * InvalidAccessKeyId (S3), without being forwarded. 0 turns it off. Keys are tracked whether or
   * not this is on, so it also applies to keys created before the call.
   */
  refuseNewKeys(ms: number | 'forever'): void {
    this.refuseMs = ms
  }

  /**
   * IAM requests naming a user created (CreateUser through this proxy) less than `ms` ago are
   * answered 404 NoSuchEntity, without being forwarded: IAM's eventual consistency, as a user
   * that other IAM endpoints do not see yet. 0 turns it off.
   */
  hideNewUsers(ms: number): void {
    this.hideUsersMs = ms
  }

  /**
   * Every signed IAM, S3 and STS request is first put to `authorizer` (after faults, hidden users
   * and refused keys); a denied one is answered 403 AccessDenied as AWS does, is not forwarded,
   * and its record gets `denied`. undefined turns it off.
   */
  /**
   * AssumeRoleWithWebIdentity is decided by `authorizer` (the token's claims against the role's
   * trust policy) before moto sees it; the session keys moto issues are reported to it.
   */
  setWebIdentityAuthorizer(authorizer: WebIdentityAuthorizer | undefined): void {
    this.webIdentity = authorizer
  }

  setAuthorizer(authorizer: RequestAuthorizer | undefined): void {
    this.authorizer = authorizer
  }

  /**
   * S3 as it answers, which moto does not model: a bucket configuration change (policy,
   * encryption, public access block, tags, ownership) takes `configMs` to apply, and another one on
   * the same bucket meanwhile is answered 409 OperationAborted (terraform-provider-aws#7628,
   * ansible#67811); for `newBucketMs` after CreateBucket, other requests on the bucket are
   * answered 404 NoSuchBucket (redpanda#8490). 0 turns each off (the default).
   */
  modelS3(model: Partial<S3Consistency>): void {
    this.s3Model = { ...this.s3Model, ...model }
  }

  /**
   * IAM's key quota as it lags: for `ms` after a user's key was deleted, CreateAccessKey for that
   * user answers LimitExceeded as if the deleted key still counted (terraform-provider-aws#39693).
   */
  lagKeyQuota(ms: number): void {
    this.keyQuotaLagMs = ms
  }

  /**
   * S3 behind STS in accepting a new key: for `ms` after CreateAccessKey (through this proxy), S3
   * requests signed with the key are answered 403 InvalidAccessKeyId, while STS and IAM accept it
   * (IAM's eventual consistency: a key is not seen by every service at once). 0 turns it off.
   */
  lagS3ForNewKeys(ms: number): void {
    this.s3KeyLagMs = ms
  }

  /**
   * An inline policy as IAM applies it: for `ms` after PutUserPolicy (through this proxy), S3
   * requests signed with a key of that user (made through this proxy) are answered 403
   * AccessDenied; the policy is not in force yet (the policy it replaces is not modelled either:
   * every S3 request of the user is refused meanwhile). 0 turns it off.
   */
  lagUserPolicies(ms: number): void {
    this.policyLagMs = ms
  }

  /**
   * S3 keeps `bucket` in `region` (make it there in moto too): a request for it signed for
   * another region is answered as S3 answers one sent to the wrong regional endpoint, 301
   * PermanentRedirect with the header x-amz-bucket-region (HeadBucket with no body, and with
   * `headStatus` 400 as the newer regions answer it); one signed for `region` goes on to moto.
   */
  placeBucket(bucket: string, region: string, headStatus: 301 | 400 = 301): void {
    this.bucketRegions.set(bucket, { region, headStatus })
  }

  /** Forgets what it modelled of the account (users' boundaries): for an account reset too. */
  forgetAccount(): void {
    this.boundaries.clear()
  }

  /**
   * Forgets records, faults, latency, tracked keys and the authorizer; numbering starts again at 1.
   * What it models of the account (forgetAccount) stays: moto's state stays too.
   */
  reset(): void {
    this.requests.length = 0
    this.seen = 0
    this.scheduled.clear()
    this.rules = []
    this.latencyMs = 0
    this.refuseMs = 0
    this.newKeys.clear()
    this.hideUsersMs = 0
    this.newUsers.clear()
    this.s3Model = { configMs: 0, newBucketMs: 0 }
    this.keyQuotaLagMs = 0
    this.keyDeletedAt.clear()
    this.keyOwners.clear()
    this.s3KeyLagMs = 0
    this.policyLagMs = 0
    this.policyPutAt.clear()
    this.bucketRegions.clear()
    this.configuring.clear()
    this.bucketMade.clear()
    this.authorizer = undefined
    this.webIdentity = undefined
    this.bucketDefaults.enabled = true
  }

  /**
   * Off: a bucket made through the proxy has none of AWS's defaults for a new bucket (Block Public
   * Access, ACLs disabled, SSE-S3), as moto makes it; on again with reset().
   */
  withoutNewBucketDefaults(): void {
    this.bucketDefaults.enabled = false
  }

  async stop(): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    this.agent.destroy()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seq = ++this.seen
    const at = Date.now()
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const scope = credentialScope(req)
    const preliminaryService = scope?.service ?? 'other'
    // Query-protocol requests name their action in the body: buffer it. Everything else (S3
    // uploads in particular) is classified from the request line and headers and streamed.
    const body = needsBody(req, preliminaryService) ? await readAll(req) : undefined
    const c = classify(req, scope, body)
    const record: AwsRequestRecord = {
      seq,
      service: c.service,
      action: c.action,
      method,
      path,
      status: 0,
      ...(c.accessKeyId === undefined ? {} : { accessKeyId: c.accessKeyId }),
      mutating: c.mutating,
      at,
      ...(req.headers['user-agent'] === undefined ? {} : { userAgent: req.headers['user-agent'] })
    }
    insertInOrder(this.requests, record)

    const made = await this.newBucket(c, req)
    const fault = this.faultFor(seq, { service: c.service, action: c.action, method })
    if (fault) {
      if ('afterApplying' in fault && fault.afterApplying) {
        // Streamed requests (S3) have not been read yet: read them now, to send them on.
        await made(await this.applyUpstream(req, body ?? (await readAll(req))))
      } else if (!body) req.resume()
      await this.delay(record.at)
      if ('drop' in fault) {
        record.status = 0
        req.socket.destroy()
        return
      }
      record.status = answer(res, faultReply(c, fault))
      return
    }

    const user = c.service === 'iam' && body ? queryParam(body, 'UserName', req) : undefined
    if (user !== undefined && c.action !== 'CreateUser' && this.hidden(user)) {
      await this.delay(record.at)
      record.status = answer(
        res,
        errorReply(c, 404, 'NoSuchEntity', `The user with name ${user} cannot be found.`, 'Sender')
      )
      return
    }
    if (c.action === 'CreateUser' && user !== undefined) this.newUsers.set(user, Date.now())

    if (c.accessKeyId !== undefined && this.refused(c.accessKeyId)) {
      if (!body) req.resume()
      await this.delay(record.at)
      record.status = answer(res, refusedReply(c))
      return
    }

    const s3Early = c.service === 's3' ? this.s3RegionOrLag(c, req) : undefined
    if (s3Early) {
      req.resume()
      await this.delay(record.at)
      record.status = answer(res, s3Early)
      return
    }

    if (c.action === 'AssumeRoleWithWebIdentity' && this.webIdentity && body) {
      const roleArn = queryParam(body, 'RoleArn', req) ?? ''
      const decision = await this.webIdentity.authorizeWebIdentity(
        roleArn,
        queryParam(body, 'WebIdentityToken', req) ?? ''
      )
      if (!decision.allowed) {
        record.denied = decision.reason ?? 'denied'
        await this.delay(record.at)
        record.status = answer(res, accessDeniedReply({ ...c, service: 'sts' }, record.denied))
        return
      }
    }

    const authorizer = this.authorizer
    let onStatus: ((status: number) => void) | undefined
    if (authorizer && c.accessKeyId !== undefined && c.service !== 'other') {
      const authRequest = authorizationRequest(req, c, body)
      onStatus = status => authorizer.observe?.(authRequest, status)
      let decision: AuthorizationResult
      try {
        decision = await authorizer.authorize(authRequest)
      } catch (err) {
        if (!body) req.resume()
        await this.delay(record.at)
        record.status = answer(
          res,
          errorReply(
            c,
            500,
            'InternalFailure',
            escapeXml(`aws-proxy: the authorizer failed: ${(err as Error).message}`),
            'Receiver'
          )
        )
        return
      }
      if (!decision.allowed) {
        if (c.action === 'CreateUser' && user !== undefined) this.newUsers.delete(user)
        if (!body) req.resume()
        record.denied = decision.reason ?? 'denied'
        await this.delay(record.at)
        record.status = answer(res, accessDeniedReply(c, record.denied))
        return
      }
    }

    if (user !== undefined && c.action === 'DeleteAccessKey')
      this.keyDeletedAt.set(user, Date.now())
    const deletedAt = user === undefined ? undefined : this.keyDeletedAt.get(user)
    if (
      c.action === 'CreateAccessKey' &&
      deletedAt !== undefined &&
      Date.now() - deletedAt < this.keyQuotaLagMs
    ) {
      await this.delay(record.at)
      record.status = answer(
        res,
        errorReply(
          c,
          409,
          'LimitExceeded',
          'Cannot exceed quota for AccessKeysPerUser: 2',
          'Sender'
        )
      )
      return
    }

    const s3Reply = c.service === 's3' ? await this.s3Consistency(c, req, record) : undefined
    if (s3Reply) {
      if (!body) req.resume()
      record.status = answer(res, s3Reply)
      return
    }

    const boundaryReply = user === undefined ? undefined : this.boundaryRequest(c, user, body, req)
    if (boundaryReply) {
      await this.delay(record.at)
      onStatus?.(boundaryReply.status)
      record.status = answer(res, boundaryReply)
      return
    }

    try {
      await this.forward(req, res, body, c, record, onStatus, user, made)
    } catch (err) {
      if (res.headersSent) {
        res.destroy()
      } else {
        record.status = answer(res, {
          status: 502,
          headers: { 'content-type': 'text/plain' },
          body: `aws-proxy: forwarding to ${this.target.origin} failed: ${(err as Error).message}`
        })
      }
    }
  }

  /**
   * The boundary requests moto cannot answer, answered here; CreateUser's boundary is kept (and
   * shown by GetUser and CreateUser answers, see forward), DeleteUser forgets it.
   */
  private boundaryRequest(
    c: Classified,
    user: string,
    body: Buffer | undefined,
    req: IncomingMessage
  ): Reply | undefined {
    if (c.service !== 'iam' || !body) return undefined
    const boundary = queryParam(body, 'PermissionsBoundary', req)
    switch (c.action) {
      case 'CreateUser':
        if (boundary) this.boundaries.set(user, boundary)
        return undefined
      case 'DeleteUser':
        this.boundaries.delete(user)
        return undefined
      case 'PutUserPermissionsBoundary':
        if (boundary) this.boundaries.set(user, boundary)
        return iamEmptyReply(c.action)
      case 'DeleteUserPermissionsBoundary':
        this.boundaries.delete(user)
        return iamEmptyReply(c.action)
      default:
        return undefined
    }
  }

  /** S3's answers that moto does not give (modelS3): a conflict, or a bucket not there yet. */
  private async s3Consistency(
    c: Classified,
    req: IncomingMessage,
    record: AwsRequestRecord
  ): Promise<Reply | undefined> {
    const { configMs, newBucketMs } = this.s3Model
    if (configMs === 0 && newBucketMs === 0) return undefined
    const bucket = s3Location(req.headers.host, new URL(req.url ?? '/', 'http://x')).bucket
    if (!bucket) return undefined
    const now = Date.now()
    if (c.action === 'CreateBucket') {
      if (newBucketMs > 0) this.bucketMade.set(bucket, now)
      return undefined
    }
    const made = this.bucketMade.get(bucket)
    if (made !== undefined && now - made < newBucketMs) {
      await this.delay(record.at)
      return errorReply(c, 404, 'NoSuchBucket', 'The specified bucket does not exist', 'Sender')
    }
    if (configMs > 0 && BUCKET_CONFIG_CHANGES.has(c.action)) {
      if ((this.configuring.get(bucket) ?? 0) > now) {
        await this.delay(record.at)
        return errorReply(
          c,
          409,
          'OperationAborted',
          'A conflicting conditional operation is currently in progress against this resource. Please try again.',
          'Sender'
        )
      }
      // Held while it is applied: a change sent meanwhile conflicts, one sent after its answer not.
      this.configuring.set(bucket, now + configMs)
      await new Promise(resolve => setTimeout(resolve, configMs))
    }
    return undefined
  }

  /** S3's answers that moto does not give: a bucket in another region, a key or policy not yet in force. */
  private s3RegionOrLag(c: Classified, req: IncomingMessage): Reply | undefined {
    return this.redirectToRegion(c, req) ?? this.s3PropagationLag(c)
  }

  /** A request for a bucket kept in another region (placeBucket), signed for the wrong one. */
  private redirectToRegion(c: Classified, req: IncomingMessage): Reply | undefined {
    const bucket = s3Location(req.headers.host, new URL(req.url ?? '/', 'http://x')).bucket
    const placed = bucket === undefined ? undefined : this.bucketRegions.get(bucket)
    if (!bucket || !placed || c.region === placed.region) return undefined
    return regionRedirectReply(bucket, placed, req.method === 'HEAD')
  }

  /** A new key S3 does not know yet (lagS3ForNewKeys), a user's policy not yet applied (lagUserPolicies). */
  private s3PropagationLag(c: Classified): Reply | undefined {
    if (c.accessKeyId === undefined) return undefined
    const now = Date.now()
    const created = this.newKeys.get(c.accessKeyId)
    if (created !== undefined && now - created < this.s3KeyLagMs) return refusedReply(c)
    const owner = this.keyOwners.get(c.accessKeyId)
    const put = owner === undefined ? undefined : this.policyPutAt.get(owner)
    if (put !== undefined && now - put < this.policyLagMs)
      return accessDeniedReply(c, 'Access Denied')
    return undefined
  }

  private faultFor(seq: number, info: AwsRequestInfo): AwsFault | undefined {
    const scheduled = this.scheduled.get(seq)
    if (scheduled) {
      this.scheduled.delete(seq)
      return scheduled
    }
    for (const rule of this.rules) {
      if (rule.remaining > 0 && rule.pred(info)) {
        rule.remaining--
        return rule.fault
      }
    }
    return undefined
  }

  private hidden(user: string): boolean {
    const created = this.newUsers.get(user)
    return this.hideUsersMs > 0 && created !== undefined && Date.now() - created < this.hideUsersMs
  }

  private refused(accessKeyId: string): boolean {
    if (this.refuseMs === 0) return false
    const created = this.newKeys.get(accessKeyId)
    if (created === undefined) return false
    return this.refuseMs === 'forever' || Date.now() - created < this.refuseMs
  }

  /** Holds an answer until the latency after the request's arrival `at` has passed. */
  private async delay(at: number): Promise<void> {
    const wait = at + this.latencyMs - Date.now()
    if (this.latencyMs > 0 && wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
  }

  /** The request `req` as sent on to moto. */
  private upstreamOptions(req: IncomingMessage) {
    return {
      protocol: this.target.protocol,
      hostname: this.target.hostname,
      port: this.target.port,
      method: req.method,
      path: req.url,
      // The raw list keeps names, order, duplicates and the original Host header.
      headers: withoutHopByHop(req.rawHeaders) as unknown as OutgoingHttpHeaders,
      agent: this.agent,
      setHost: false
    }
  }

  /**
   * For CreateBucket of a bucket that does not exist yet: what puts AWS's defaults on it once moto
   * answers 200 (new-bucket-defaults.ts). Nothing to do for any other request.
   */
  private async newBucket(
    c: Classified,
    req: IncomingMessage
  ): Promise<(status: number) => Promise<void>> {
    const bucket =
      c.action === 'CreateBucket'
        ? s3Location(req.headers.host, new URL(req.url ?? '/', 'http://x')).bucket
        : undefined
    if (!bucket || (await this.bucketDefaults.exists(bucket))) return async () => undefined
    return async status => {
      if (status === 200) await this.bucketDefaults.apply(bucket)
    }
  }

  /** Sends a buffered request on to moto and drops the answer (it took effect, unseen): its status. */
  private applyUpstream(req: IncomingMessage, body: Buffer): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const upstream = httpRequest(this.upstreamOptions(req), upRes => {
        upRes.resume()
        upRes.once('end', () => resolve(upRes.statusCode ?? 502)).once('error', reject)
      })
      upstream.once('error', reject)
      upstream.end(body)
    })
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    c: Classified,
    record: AwsRequestRecord,
    onStatus?: (status: number) => void,
    user?: string,
    made?: (status: number) => Promise<void>
  ): Promise<void> {
    const boundary =
      user !== undefined && (c.action === 'GetUser' || c.action === 'CreateUser')
        ? this.boundaries.get(user)
        : undefined
    return new Promise<void>((resolve, reject) => {
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy()
        resolve()
      })
      const upstream = httpRequest(this.upstreamOptions(req), upRes => {
        void (async () => {
          const status = upRes.statusCode ?? 502
          const headers = withoutHopByHop(upRes.rawHeaders)
          onStatus?.(status)
          await made?.(status)
          if (c.action === 'PutUserPolicy' && status === 200 && user !== undefined)
            this.policyPutAt.set(user, Date.now())
          if (boundary !== undefined && status === 200) {
            const payload = withBoundary(
              decode(await readAll(upRes), upRes.headers['content-encoding']),
              boundary
            )
            await this.delay(record.at)
            // The body is sent decoded and longer: without moto's length and encoding.
            const kept: string[] = []
            for (let i = 0; i + 1 < headers.length; i += 2)
              if (!/^content-(length|encoding)$/i.test(headers[i]!))
                kept.push(headers[i]!, headers[i + 1]!)
            res.writeHead(status, upRes.statusMessage, [
              ...kept,
              'content-length',
              String(payload.length)
            ])
            record.status = status
            res.end(payload)
          } else if (c.action === 'AssumeRoleWithWebIdentity' && status === 200 && body) {
            const payload = await readAll(upRes)
            const text = decode(payload, upRes.headers['content-encoding']).toString('utf8')
            const keyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1]
            if (keyId)
              this.webIdentity?.sessionIssued(keyId, queryParam(body, 'RoleArn', req) ?? '')
            await this.delay(record.at)
            res.writeHead(status, upRes.statusMessage, headers)
            record.status = status
            res.end(payload)
          } else if (c.action === 'CreateAccessKey' && status === 200) {
            const payload = await readAll(upRes)
            const keyId = createdKeyId(payload, upRes.headers['content-encoding'])
            if (keyId) this.newKeys.set(keyId, Date.now())
            if (keyId && user !== undefined) this.keyOwners.set(keyId, user)
            await this.delay(record.at)
            res.writeHead(status, upRes.statusMessage, headers)
            record.status = status
            res.end(payload)
          } else {
            await this.delay(record.at)
            res.writeHead(status, upRes.statusMessage, headers)
            record.status = status
            upRes.pipe(res)
          }
        })().catch(reject)
      })
      upstream.once('error', reject)
      if (body) upstream.end(body)
      else req.pipe(upstream)
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Classification

function credentialScope(
  req: IncomingMessage
): { accessKeyId: string; service: AwsService; region?: string } | undefined {
  let credential: string | undefined
  const auth = req.headers.authorization
  if (auth) credential = /Credential=([^,\s]+)/.exec(auth)?.[1]
  if (!credential) {
    const query = new URL(req.url ?? '/', 'http://proxy').searchParams
    credential = query.get('X-Amz-Credential') ?? undefined
  }
  if (!credential) return undefined
  // AKID/20260101/us-east-1/iam/aws4_request
  const parts = credential.split('/')
  const accessKeyId = parts[0] ?? ''
  const name = parts.length >= 5 ? parts[parts.length - 2] : undefined
  const service: AwsService = name === 'iam' || name === 's3' || name === 'sts' ? name : 'other'
  const region = parts.length >= 5 ? parts[parts.length - 3] : undefined
  return { accessKeyId, service, ...(region ? { region } : {}) }
}

function needsBody(req: IncomingMessage, service: AwsService): boolean {
  if (service === 's3' || req.headers['x-amz-target']) return false
  const type = req.headers['content-type'] ?? ''
  return (
    service === 'iam' || service === 'sts' || type.includes('application/x-www-form-urlencoded')
  )
}

function classify(
  req: IncomingMessage,
  scope: { accessKeyId: string; service: AwsService; region?: string } | undefined,
  body: Buffer | undefined
): Classified {
  const service = scope?.service ?? 'other'
  const method = (req.method ?? 'GET').toUpperCase()
  const url = new URL(req.url ?? '/', 'http://proxy')
  const base = scope
    ? {
        service,
        accessKeyId: scope.accessKeyId,
        ...(scope.region === undefined ? {} : { region: scope.region })
      }
    : { service }

  const target = req.headers['x-amz-target']
  if (typeof target === 'string' && target) {
    const action = target.slice(target.lastIndexOf('.') + 1)
    return { ...base, action, protocol: 'json', mutating: mutatingAction(action) }
  }
  if (service === 's3') {
    const action = s3Action(method, url, req.headers['x-amz-copy-source'] !== undefined)
    const mutating =
      (method === 'PUT' || method === 'POST' || method === 'DELETE') &&
      action !== 'SelectObjectContent'
    return { ...base, action, protocol: 'rest-xml', mutating }
  }
  const action = queryAction(url, body, req.headers['content-encoding'])
  if (action) return { ...base, action, protocol: 'query', mutating: mutatingAction(action) }
  const fallback = `${method} ${url.pathname}`
  return {
    ...base,
    action: fallback,
    protocol: service === 'iam' || service === 'sts' ? 'query' : 'rest-xml',
    mutating: method !== 'GET' && method !== 'HEAD'
  }
}

function mutatingAction(action: string): boolean {
  return MUTATING_PREFIXES.some(p => action.startsWith(p) && /^[A-Z]/.test(action.slice(p.length)))
}

function queryParam(body: Buffer, name: string, req: IncomingMessage): string | undefined {
  try {
    const params = new URLSearchParams(
      decode(body, req.headers['content-encoding']).toString('utf8')
    )
    return params.get(name) ?? undefined
  } catch {
    return undefined
  }
}

function queryAction(
  url: URL,
  body: Buffer | undefined,
  encoding: string | undefined
): string | undefined {
  const fromUrl = url.searchParams.get('Action')
  if (fromUrl) return fromUrl
  if (!body || body.length === 0) return undefined
  try {
    return new URLSearchParams(decode(body, encoding).toString('utf8')).get('Action') ?? undefined
  } catch {
    return undefined
  }
}

// Bucket subresources in the order they are looked for, with the action names per method.
const BUCKET_SUBRESOURCES: [string, { GET?: string; PUT?: string; DELETE?: string }][] = [
  ['policyStatus', { GET: 'GetBucketPolicyStatus' }],
  ['policy', { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' }],
  [
    'publicAccessBlock',
    { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' }
  ],
  [
    'encryption',
    {
      GET: 'GetBucketEncryption',
      PUT: 'PutBucketEncryption',
      DELETE: 'DeleteBucketEncryption'
    }
  ],
  [
    'ownershipControls',
    {
      GET: 'GetBucketOwnershipControls',
      PUT: 'PutBucketOwnershipControls',
      DELETE: 'DeleteBucketOwnershipControls'
    }
  ],
  ['tagging', { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' }],
  ['location', { GET: 'GetBucketLocation' }],
  ['versioning', { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' }],
  ['acl', { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' }],
  ['cors', { GET: 'GetBucketCors', PUT: 'PutBucketCors', DELETE: 'DeleteBucketCors' }],
  [
    'lifecycle',
    {
      GET: 'GetBucketLifecycleConfiguration',
      PUT: 'PutBucketLifecycleConfiguration',
      DELETE: 'DeleteBucketLifecycle'
    }
  ],
  ['logging', { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' }],
  [
    'notification',
    {
      GET: 'GetBucketNotificationConfiguration',
      PUT: 'PutBucketNotificationConfiguration'
    }
  ],
  ['website', { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' }],
  [
    'replication',
    { GET: 'GetBucketReplication', PUT: 'PutBucketReplication', DELETE: 'DeleteBucketReplication' }
  ],
  [
    'accelerate',
    { GET: 'GetBucketAccelerateConfiguration', PUT: 'PutBucketAccelerateConfiguration' }
  ],
  ['requestPayment', { GET: 'GetBucketRequestPayment', PUT: 'PutBucketRequestPayment' }],
  ['object-lock', { GET: 'GetObjectLockConfiguration', PUT: 'PutObjectLockConfiguration' }],
  ['uploads', { GET: 'ListMultipartUploads' }],
  ['versions', { GET: 'ListObjectVersions' }]
]

const OBJECT_SUBRESOURCES: [string, { GET?: string; PUT?: string; DELETE?: string }][] = [
  ['tagging', { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' }],
  ['acl', { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' }],
  ['retention', { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' }],
  ['legal-hold', { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' }],
  ['attributes', { GET: 'GetObjectAttributes' }],
  ['torrent', { GET: 'GetObjectTorrent' }]
]

// Query parameters that are arguments, not subresources.
const S3_ARGUMENTS = new Set([
  'x-id',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'encoding-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'list-type',
  'versionId',
  'partNumber',
  'max-buckets',
  'bucket-region',
  'expected-bucket-owner'
])

/**
 * The S3 API name of a path-style request (the first path segment is the bucket). The SDK names
 * some operations itself (`?x-id=GetObject`); the others are recognised by method, path and
 * subresource. Unknown requests give `${method} ${subresource}`.
 */
export function s3Action(method: string, url: URL, copySource = false): string {
  const q = url.searchParams
  const named = q.get('x-id')
  if (named) return named
  const segments = url.pathname.split('/').slice(1)
  const bucket = segments[0] ?? ''
  const key = segments.slice(1).join('/')
  const m = method.toUpperCase()
  const sub =
    [...q.keys()].find(
      k => !S3_ARGUMENTS.has(k) && !k.startsWith('response-') && !/^x-amz-/i.test(k)
    ) ?? ''
  const fallback = `${m} ${sub}`.trimEnd()

  if (!bucket) return m === 'GET' && !sub ? 'ListBuckets' : fallback

  if (!key) {
    for (const [name, actions] of BUCKET_SUBRESOURCES) {
      if (q.has(name)) return actions[m as keyof typeof actions] ?? fallback
    }
    if (m === 'POST' && q.has('delete')) return 'DeleteObjects'
    if (sub) return fallback
    if (m === 'HEAD') return 'HeadBucket'
    if (m === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
    if (m === 'PUT') return 'CreateBucket'
    if (m === 'DELETE') return 'DeleteBucket'
    if (m === 'POST') return 'PostObject'
    return fallback
  }

  if (m === 'PUT' && q.has('uploadId') && q.has('partNumber'))
    return copySource ? 'UploadPartCopy' : 'UploadPart'
  if (m === 'POST' && q.has('uploads')) return 'CreateMultipartUpload'
  if (m === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload'
  if (m === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload'
  if (m === 'GET' && q.has('uploadId')) return 'ListParts'
  if (m === 'POST' && q.has('restore')) return 'RestoreObject'
  if (m === 'POST' && q.has('select')) return 'SelectObjectContent'
  for (const [name, actions] of OBJECT_SUBRESOURCES) {
    if (q.has(name)) return actions[m as keyof typeof actions] ?? fallback
  }
  if (sub) return fallback
  if (m === 'GET') return 'GetObject'
  if (m === 'HEAD') return 'HeadObject'
  if (m === 'PUT') return copySource ? 'CopyObject' : 'PutObject'
  if (m === 'DELETE') return 'DeleteObject'
  return fallback
}

// ---------------------------------------------------------------------------------------------
// Authorization

/** What the authorizer needs of a request: parameters (query protocol), bucket and key (S3). */
function authorizationRequest(
  req: IncomingMessage,
  c: Classified,
  body: Buffer | undefined
): AuthorizationRequest {
  const service = c.service === 'other' ? 'iam' : c.service
  const base = {
    service,
    action: c.action,
    accessKeyId: c.accessKeyId ?? '',
    ...(c.region === undefined ? {} : { region: c.region })
  }
  const url = new URL(req.url ?? '/', 'http://proxy')
  if (service !== 's3') {
    const params: Record<string, string> = {}
    for (const [k, v] of url.searchParams) params[k] = v
    if (body && body.length > 0) {
      try {
        const form = new URLSearchParams(
          decode(body, req.headers['content-encoding']).toString('utf8')
        )
        for (const [k, v] of form) params[k] = v
      } catch {
        // not a form: no parameters
      }
    }
    return { ...base, params }
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-') && value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(',') : value
    }
  }
  return { ...base, params: {}, headers, ...s3Location(req.headers.host, url) }
}

/**
 * Bucket and key of an S3 request: virtual-hosted style (`bucket.s3.<region>.amazonaws.com`,
 * `bucket.localhost`) or else path style (`/bucket/key`).
 */
export function s3Location(host: string | undefined, url: URL): { bucket?: string; key?: string } {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase()
  const segments = url.pathname.split('/').slice(1).map(safeDecode)
  const virtual = /^(.+?)\.(?:s3[.-]|localhost$)/.exec(hostname)?.[1]
  if (virtual) {
    const key = segments.join('/')
    return { bucket: virtual, ...(key ? { key } : {}) }
  }
  const bucket = segments[0] ?? ''
  const key = segments.slice(1).join('/')
  return { ...(bucket ? { bucket } : {}), ...(key ? { key } : {}) }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const QUERY_NAMESPACES: Partial<Record<AwsService, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/'
}

/**
 * AWS's answer to a request its policies deny: IAM and STS name the principal, action, resource
 * and the policy type in the message; S3 answers "Access Denied" (the message AWS gives outside
 * the bucket owner's account, and the one the SDKs and tools expect).
 */
function accessDeniedReply(c: Classified, message: string): Reply {
  const requestId = randomUUID()
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId }
  if (c.protocol === 'rest-xml') {
    return {
      status: 403,
      headers: { ...headers, 'content-type': 'application/xml' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<Error><Code>AccessDenied</Code><Message>Access Denied</Message>' +
        `<RequestId>${requestId}</RequestId><HostId>aws-proxy</HostId></Error>`
    }
  }
  if (c.protocol === 'json') return errorReply(c, 403, 'AccessDeniedException', message, 'Sender')
  const xmlns = QUERY_NAMESPACES[c.service]
  return {
    status: 403,
    headers: { ...headers, 'content-type': 'text/xml' },
    body:
      `<ErrorResponse${xmlns ? ` xmlns="${xmlns}"` : ''}><Error><Type>Sender</Type>` +
      `<Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`
  }
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

// ---------------------------------------------------------------------------------------------
// Answers made by the proxy itself

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

function answer(res: ServerResponse, reply: Reply): number {
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-length': String(Buffer.byteLength(reply.body))
  })
  res.end(reply.body)
  return reply.status
}

function faultReply(c: Classified, fault: Exclude<AwsFault, { drop: true }>): Reply {
  if ('code' in fault)
    return errorReply(c, fault.status, fault.code, fault.message ?? fault.code, 'Sender')
  if ('throttle' in fault) {
    return c.protocol === 'rest-xml'
      ? errorReply(c, 503, 'SlowDown', 'Please reduce your request rate.', 'Receiver')
      : errorReply(c, 400, 'Throttling', 'Rate exceeded', 'Sender')
  }
  if (c.protocol === 'rest-xml') {
    return fault.status === 503
      ? errorReply(c, 503, 'ServiceUnavailable', 'Service is unable to handle request.', 'Receiver')
      : errorReply(c, 500, 'InternalError', 'We encountered an internal error.', 'Receiver')
  }
  return fault.status === 503
    ? errorReply(c, 503, 'ServiceUnavailable', 'Service is unavailable.', 'Receiver')
    : errorReply(c, 500, 'InternalFailure', 'An internal error occurred.', 'Receiver')
}

/**
 * S3's answer to a request sent to the wrong region's endpoint: 301 PermanentRedirect naming the
 * bucket's region in x-amz-bucket-region (a HEAD request gets no body, so an SDK sees no error
 * code, only the status and the header).
 */
function regionRedirectReply(
  bucket: string,
  placed: { region: string; headStatus: 301 | 400 },
  head: boolean
): Reply {
  const requestId = randomUUID()
  const headers = { 'x-amz-request-id': requestId, 'x-amz-bucket-region': placed.region }
  if (head) return { status: placed.headStatus, headers, body: '' }
  return {
    status: 301,
    headers: { ...headers, 'content-type': 'application/xml' },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message>' +
      `<Endpoint>${bucket}.s3.${placed.region}.amazonaws.com</Endpoint><Bucket>${bucket}</Bucket>` +
      `<RequestId>${requestId}</RequestId><HostId>aws-proxy</HostId></Error>`
  }
}

function refusedReply(c: Classified): Reply {
  return c.protocol === 'rest-xml'
    ? errorReply(
        c,
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        'Sender'
      )
    : errorReply(
        c,
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        'Sender'
      )
}

function errorReply(
  c: Classified,
  status: number,
  code: string,
  message: string,
  type: 'Sender' | 'Receiver'
): Reply {
  const requestId = randomUUID()
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId }
  if (c.protocol === 'json') {
    return {
      status,
      headers: { ...headers, 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: code, message })
    }
  }
  if (c.protocol === 'rest-xml') {
    return {
      status,
      headers: { ...headers, 'content-type': 'application/xml' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${code}</Code><Message>${message}</Message>` +
        (code === 'InvalidAccessKeyId' && c.accessKeyId
          ? `<AWSAccessKeyId>${c.accessKeyId}</AWSAccessKeyId>`
          : '') +
        `<RequestId>${requestId}</RequestId><HostId>aws-proxy</HostId></Error>`
    }
  }
  return {
    status,
    headers: { ...headers, 'content-type': 'text/xml' },
    body:
      '<ErrorResponse><Error>' +
      `<Type>${type}</Type><Code>${code}</Code><Message>${message}</Message>` +
      `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function insertInOrder(records: AwsRequestRecord[], record: AwsRequestRecord): void {
  let i = records.length
  while (i > 0 && (records[i - 1]?.seq ?? 0) > record.seq) i--
  records.splice(i, 0, record)
}

function withoutHopByHop(raw: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? ''
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? '')
  }
  return out
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('end', () => resolve(Buffer.concat(chunks)))
    stream.once('error', reject)
  })
}

/** An IAM answer with no result (PutUserPermissionsBoundary, DeleteUserPermissionsBoundary). */
function iamEmptyReply(action: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  }
}

/** GetUser's or CreateUser's answer, with the user's boundary as IAM shows it. */
function withBoundary(xml: Buffer, boundaryArn: string): Buffer {
  const element = `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${escapeXml(boundaryArn)}</PermissionsBoundaryArn></PermissionsBoundary>`
  return Buffer.from(xml.toString('utf8').replace(/<User>/, `<User>${element}`))
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
      return gunzipSync(body)
    case 'deflate':
      return inflateSync(body)
    case 'br':
      return brotliDecompressSync(body)
    default:
      return body
  }
}

function createdKeyId(
  payload: Buffer,
  encoding: string | string[] | undefined
): string | undefined {
  let text: string
  try {
    text = decode(payload, Array.isArray(encoding) ? encoding[0] : encoding).toString('utf8')
  } catch {
    return undefined
  }
  return (
    /<AccessKeyId>\s*([^<\s]+)\s*<\/AccessKeyId>/.exec(text)?.[1] ??
    /"AccessKeyId"\s*:\s*"([^"]+)"/.exec(text)?.[1]
  )
}
