// Unit tests of the key verification (src/aws/verify.ts): its retry schedule, its time bound, and
// the check that the new key works and belongs to the intended user.
import { jest } from '@jest/globals'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { MAX_DELAY_MS, nextDelay, verifyKey } from '../../src/aws/verify.js'

describe('nextDelay', () => {
  test('grows from the first delay and caps at 300 ms', () => {
    expect(MAX_DELAY_MS).toBe(300)
    const delays = [100]
    for (let i = 0; i < 6; i++) delays.push(nextDelay(delays.at(-1)!))
    expect(delays).toEqual([100, 150, 225, 300, 300, 300, 300])
  })

  test.each([
    [1, 2],
    [100, 150],
    [150, 225],
    [199, 299],
    [200, 300],
    [300, 300],
    [60_000, 300]
  ])('nextDelay(%s) is %s', (previous, next) => {
    expect(nextDelay(previous)).toBe(next)
  })

  test('never shrinks below the cap and never exceeds it', () => {
    for (let d = 1; d <= 5000; d += 7) {
      const next = nextDelay(d)
      expect(next).toBeLessThanOrEqual(MAX_DELAY_MS)
      expect(next).toBeGreaterThanOrEqual(Math.min(d, MAX_DELAY_MS))
      if (d < MAX_DELAY_MS) expect(next).toBeGreaterThan(d)
    }
  })
})

// verifyKey acts as the new key through real SDK clients whose `send` is replaced by a fake: no
// network. The clock (Date.now) and the sleep are fakes too, so every bound is exact.
describe('verifyKey', () => {
  const USER_ARN = 'arn:aws:iam::123456789012:user/ci/app-deployer'
  const KEY = { accessKeyId: 'AKIANEWKEY0000000001', secretAccessKey: 'new-secret' }
  const START = 1_000_000

  interface Answer {
    arn?: string
    error?: unknown
    latency?: number
  }

  let now: number
  let sleeps: number[]
  let stsCalls: { command: unknown; accessKeyId: string }[]
  let listInputs: unknown[]

  /** The STS answers, one an attempt; the last one repeats. */
  function sts(...answers: Answer[]): void {
    jest.spyOn(STSClient.prototype, 'send').mockImplementation(async function (
      this: STSClient,
      command: unknown
    ) {
      const answer = answers[Math.min(stsCalls.length, answers.length - 1)]!
      const credentials = await (
        this.config.credentials as () => Promise<{ accessKeyId: string }>
      )()
      stsCalls.push({ command, accessKeyId: credentials.accessKeyId })
      now += answer.latency ?? 0
      if ('error' in answer) throw answer.error
      return { Arn: answer.arn ?? USER_ARN }
    } as never)
  }

  /** The S3 ListObjectsV2 answers, one an attempt; the last one repeats. */
  function list(...answers: Answer[]): void {
    jest.spyOn(S3Client.prototype, 'send').mockImplementation(async (command: unknown) => {
      const answer = answers[Math.min(listInputs.length, answers.length - 1)]!
      expect(command).toBeInstanceOf(ListObjectsV2Command)
      listInputs.push((command as ListObjectsV2Command).input)
      if ('error' in answer) throw answer.error
      return { KeyCount: 0 }
    })
  }

  /** A sleep on the fake clock; `lateBy` makes every timer fire that much late. */
  function sleep(lateBy = 0): (ms: number) => Promise<void> {
    return async ms => {
      sleeps.push(ms)
      now += ms + lateBy
    }
  }

  function refused(name = 'InvalidClientTokenId'): Answer {
    return {
      error: Object.assign(new Error('The security token included in the request is invalid.'), {
        name
      })
    }
  }

  beforeEach(() => {
    now = START
    sleeps = []
    stsCalls = []
    listInputs = []
    jest.spyOn(Date, 'now').mockImplementation(() => now)
    list({})
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  const target = (timeoutMs: number, bucket?: string) => ({
    region: 'eu-west-1',
    userArn: USER_ARN,
    timeoutMs,
    ...(bucket === undefined ? {} : { bucket })
  })

  test('a key that works at once: one GetCallerIdentity as the new key, no wait', async () => {
    sts({ latency: 30 })
    await expect(verifyKey(KEY, target(5000), sleep())).resolves.toEqual({
      ok: true,
      attempts: 1,
      waitedMs: 30
    })
    expect(stsCalls).toHaveLength(1)
    expect(stsCalls[0]!.command).toBeInstanceOf(GetCallerIdentityCommand)
    expect(stsCalls[0]!.accessKeyId).toBe(KEY.accessKeyId)
    expect(listInputs).toEqual([]) // no bucket: nothing listed
    expect(sleeps).toEqual([])
  })

  test('retries, with growing waits, until IAM accepts the key', async () => {
    sts(refused(), refused(), {})
    await expect(verifyKey(KEY, target(5000), sleep())).resolves.toEqual({
      ok: true,
      attempts: 3,
      waitedMs: 250
    })
    expect(sleeps).toEqual([100, 150])
    expect(stsCalls).toHaveLength(3)
  })

  test('the wait runs from the start of an attempt: a slow answer does not add to it', async () => {
    sts({ ...refused(), latency: 40 }, { ...refused(), latency: 40 }, { latency: 40 })
    await expect(verifyKey(KEY, target(5000), sleep())).resolves.toEqual({
      ok: true,
      attempts: 3,
      waitedMs: 40 + 60 + 40 + 110 + 40
    })
    expect(sleeps).toEqual([60, 110])
  })

  test('an answer slower than the wait: the next attempt at once', async () => {
    sts({ ...refused(), latency: 250 }, { latency: 250 })
    await expect(verifyKey(KEY, target(5000), sleep())).resolves.toEqual({
      ok: true,
      attempts: 2,
      waitedMs: 500
    })
    expect(sleeps).toEqual([0])
  })

  test('with a bucket: each attempt also lists it (at most one object), and both must work', async () => {
    sts({})
    list({ error: Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }) }, {})
    await expect(verifyKey(KEY, target(5000, 'app-bucket'), sleep())).resolves.toEqual({
      ok: true,
      attempts: 2,
      waitedMs: 100
    })
    expect(listInputs).toEqual([
      { Bucket: 'app-bucket', MaxKeys: 1 },
      { Bucket: 'app-bucket', MaxKeys: 1 }
    ])
    expect(stsCalls).toHaveLength(2)
  })

  test('a bucket the key may never list: not verified, the S3 error reported', async () => {
    sts({})
    list({ error: Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }) })
    await expect(verifyKey(KEY, target(300, 'app-bucket'), sleep())).resolves.toEqual({
      ok: false,
      attempts: 3,
      waitedMs: 250,
      lastError: 'AccessDenied from S3 (ListObjectsV2 on app-bucket)'
    })
  })

  // Issue 14: STS may accept a new key before S3 does (InvalidAccessKeyId from S3).
  test('a key STS accepts and S3 does not know yet: not verified until S3 accepts it', async () => {
    sts({})
    const unknown = {
      error: Object.assign(new Error('The AWS Access Key Id you provided does not exist'), {
        name: 'InvalidAccessKeyId'
      })
    }
    list(unknown, unknown, {})
    await expect(verifyKey(KEY, target(5000, 'app-bucket'), sleep())).resolves.toEqual({
      ok: true,
      attempts: 3,
      waitedMs: 250
    })
  })

  test("'known': S3's AccessDenied shows it knows the key; InvalidAccessKeyId does not", async () => {
    sts({})
    list(
      {
        error: Object.assign(new Error('The AWS Access Key Id you provided does not exist'), {
          name: 'InvalidAccessKeyId'
        })
      },
      { error: Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }) }
    )
    await expect(
      verifyKey(KEY, { ...target(5000, 'app-bucket'), s3Access: 'known' }, sleep())
    ).resolves.toEqual({ ok: true, attempts: 2, waitedMs: 100 })
    expect(listInputs).toHaveLength(2)
  })

  test("'known' still fails on a key S3 never knows, and says so", async () => {
    sts({})
    list({
      error: Object.assign(new Error('The AWS Access Key Id you provided does not exist'), {
        name: 'InvalidAccessKeyId'
      })
    })
    await expect(
      verifyKey(KEY, { ...target(300, 'app-bucket'), s3Access: 'known' }, sleep())
    ).resolves.toEqual({
      ok: false,
      attempts: 3,
      waitedMs: 250,
      lastError: 'InvalidAccessKeyId from S3 (ListObjectsV2 on app-bucket)'
    })
  })

  test('a key that belongs to another user never counts as working', async () => {
    sts({ arn: 'arn:aws:iam::123456789012:user/ci/someone-else' })
    const result = await verifyKey(KEY, target(1000), sleep())
    expect(result).toEqual({
      ok: false,
      attempts: 5,
      waitedMs: 775,
      lastError:
        'the key belongs to arn:aws:iam::123456789012:user/ci/someone-else, not arn:aws:iam::123456789012:user/ci/app-deployer'
    })
    expect(stsCalls).toHaveLength(5)
  })

  test('the same user name in another account is another user', async () => {
    sts({ arn: 'arn:aws:iam::210987654321:user/ci/app-deployer' }, {})
    await expect(verifyKey(KEY, target(1000), sleep())).resolves.toEqual({
      ok: true,
      attempts: 2,
      waitedMs: 100
    })
  })

  test('gives up before an attempt would start past the bound; the last error is named', async () => {
    sts(refused())
    await expect(verifyKey(KEY, target(1000), sleep())).resolves.toEqual({
      ok: false,
      attempts: 5,
      waitedMs: 775,
      lastError: 'InvalidClientTokenId'
    })
    // 775 + 300 > 1000: no fifth wait.
    expect(sleeps).toEqual([100, 150, 225, 300])
  })

  test('an attempt that would start exactly at the bound is not made', async () => {
    sts(refused())
    await expect(verifyKey(KEY, target(1075), sleep())).resolves.toEqual({
      ok: false,
      attempts: 5,
      waitedMs: 1075,
      lastError: 'InvalidClientTokenId'
    })
    // 775 + 300 = 1075 is within the bound, so it waits; at 1075 no sixth attempt starts.
    expect(sleeps).toEqual([100, 150, 225, 300, 300])
    expect(stsCalls).toHaveLength(5)
  })

  test('a bound shorter than the first wait: one attempt only', async () => {
    sts(refused('ExpiredToken'))
    await expect(verifyKey(KEY, target(99), sleep())).resolves.toEqual({
      ok: false,
      attempts: 1,
      waitedMs: 0,
      lastError: 'ExpiredToken'
    })
    expect(sleeps).toEqual([])
  })

  test('a late timer (a busy machine) starts no attempt past the bound', async () => {
    sts(refused())
    await expect(verifyKey(KEY, target(1000), sleep(5000))).resolves.toEqual({
      ok: false,
      attempts: 1,
      waitedMs: 5100,
      lastError: 'InvalidClientTokenId'
    })
    expect(stsCalls).toHaveLength(1)
  })

  test('a failure without a name is reported by its text', async () => {
    sts({ error: 'socket hang up' })
    await expect(verifyKey(KEY, target(100), sleep())).resolves.toEqual({
      ok: false,
      attempts: 1,
      waitedMs: 100,
      lastError: 'socket hang up'
    })
  })

  test('without a sleep passed in, it really waits between attempts', async () => {
    jest.mocked(Date.now).mockRestore()
    sts(refused())
    const result = await verifyKey(KEY, target(150))
    expect(result.ok).toBe(false)
    expect(result.lastError).toBe('InvalidClientTokenId')
    expect(result.waitedMs).toBeGreaterThanOrEqual(90)
  })
})
