/**
 * The writes to GitHub: every planned secret and variable of every destination, sealed and written
 * at once, a few destinations at a time; per destination, the access key pair so that it never
 * ends up mismatched where it held a working pair.
 */
import type { NewAccessKey } from '../aws/iam.js'
import type { Destination } from '../inputs/config.js'
import { describe } from '../github/destinations.js'
import { isUnanswered } from '../github/errors.js'
import { sealer } from '../github/seal.js'
import { errorText, type Context, type WriteResult } from './outcome.js'
import type { DestinationWrite, Plan, SecretField } from '../plan/plan.js'
import { Slots } from '../github/slots.js'
import type { ObservedDestination } from '../plan/observed.js'

/** The value each field is written with (the secret access key only where a key was made). */
export type FieldValues = Record<SecretField, string>

/** What a writer needs: the writes planned, their values, and the key they replace (if any). */
export interface WriteJob {
  writes: DestinationWrite[]
  values: FieldValues
  /** The key the destinations' pairs refer to now, put back where a new pair fails halfway. */
  replacedKeyId?: string
}

/** The key mode's job: the new key's pair (if any), the region and the bucket. */
export function keyWriteJob(plan: Plan, key: NewAccessKey | undefined): WriteJob {
  return {
    writes: plan.writes,
    values: {
      accessKeyId: key?.id ?? '',
      secretAccessKey: key?.secret ?? '',
      region: plan.region,
      bucket: plan.bucketName,
      roleArn: ''
    },
    ...(plan.key.action === 'create' && plan.key.replaces
      ? { replacedKeyId: plan.key.replaces.keyId }
      : {})
  }
}

/** What the writes read of the apply context (either mode's). */
export type WriterContext = Pick<
  Context,
  'config' | 'github' | 'observed' | 'selectedRepositoryIds' | 'log'
>

/** Seals and writes every planned secret and variable of every destination, all at once. */
export async function writeAll(ctx: WriterContext, job: WriteJob): Promise<WriteResult[]> {
  const seal = job.writes.some(w => w.secrets.length > 0) ? await sealer() : undefined
  // A few destinations at a time, in order: each one's writes then queue together in the GitHub
  // client's write pacer, so a destination's secret access key follows its key id closely even
  // when hundreds of writes are paced, instead of after every other destination's first writes.
  const destinations = new Slots(DESTINATIONS_IN_FLIGHT)
  return Promise.all(
    job.writes.map((write, i) =>
      destinations.run(() => writeDestination(ctx, job, write, ctx.observed[i]!, seal))
    )
  )
}

/** Destinations written at once: enough to keep the client's four write slots busy. */
const DESTINATIONS_IN_FLIGHT = 4

async function writeDestination(
  ctx: WriterContext,
  job: WriteJob,
  write: DestinationWrite,
  observed: ObservedDestination,
  seal: ((value: string, publicKey: string) => string) | undefined
): Promise<WriteResult> {
  const { config, github } = ctx
  const d = write.destination
  const selectedIds = d.kind === 'organization' ? ctx.selectedRepositoryIds[d.org] : undefined
  const result: WriteResult = {
    destination: d,
    written: [],
    failed: [],
    restored: [],
    uncertain: []
  }
  const putSecret = (field: SecretField, value = job.values[field]) =>
    github.putSecret(
      d,
      config.names[field],
      seal!(value, observed.publicKey.key),
      observed.publicKey.keyId,
      selectedIds
    )
  /**
   * Runs one write and records how it went; never throws. A secret GitHub gave no answer for is
   * read back: it may have been written all the same.
   */
  const attempt = async (
    name: string,
    run: () => Promise<void>,
    secret = false
  ): Promise<boolean> => {
    try {
      await run()
      result.written.push(name)
      return true
    } catch (e) {
      const landed = secret && isUnanswered(e) ? await secretLanded(ctx, d, name, observed) : 'no'
      if (landed === 'yes') {
        ctx.log.info(`${describe(d)}: ${name} was written, though GitHub's answer was lost.`)
        result.written.push(name)
        return true
      }
      result.failed.push({ name, error: errorText(e) })
      if (landed === 'unknown') result.uncertain.push(name)
      return false
    }
  }
  const others = [
    ...write.secrets
      .filter(field => !KEY_FIELDS.includes(field))
      .map(field => attempt(config.names[field], () => putSecret(field), true)),
    ...write.access.map(field =>
      attempt(config.names[field], () =>
        github.putSecretRepositories(d, config.names[field], selectedIds ?? [])
      )
    ),
    ...write.variables.map(v =>
      attempt(config.names[v.field], () =>
        github.putVariable(d, config.names[v.field], job.values[v.field], v.exists, selectedIds)
      )
    )
  ]
  const pair = write.secrets.includes('accessKeyId')
    ? writeKeyPair(ctx, observed, job, putSecret, attempt, result)
    : undefined
  await Promise.all([pair, ...others])
  return result
}

const KEY_FIELDS: SecretField[] = ['accessKeyId', 'secretAccessKey']

/**
 * Whether a secret write GitHub did not answer took effect: its updated_at has moved from the one
 * listed at the start of the run ('no' when it stayed, or the secret is still missing). 'unknown'
 * when it cannot be read. A
 * secret written twice within one second (GitHub's timestamps are whole seconds) reads as 'no'.
 */
async function secretLanded(
  ctx: WriterContext,
  d: Destination,
  name: string,
  observed: ObservedDestination
): Promise<'yes' | 'no' | 'unknown'> {
  let now: string | undefined
  try {
    now = await ctx.github.secretUpdatedAt(d, name)
  } catch (e) {
    ctx.log.debug(`${describe(d)}: could not read back ${name}: ${errorText(e)}`)
    return 'unknown'
  }
  if (now === undefined) return 'no'
  const before = observed.secretsUpdatedAt
  if (!before) return 'unknown'
  return now !== before[name] ? 'yes' : 'no'
}

/**
 * Where the destination holds a pair of the key being replaced: the id first, then the secret. If
 * the id cannot be written the secret is left alone, and if the secret cannot be written the id is
 * put back (a secret cannot be: GitHub never gives it back), so the destination keeps a working
 * pair. That costs a round trip; a destination with no such pair has nothing to keep working, so
 * both are written at once.
 */
async function writeKeyPair(
  ctx: WriterContext,
  observed: ObservedDestination,
  job: WriteJob,
  putSecret: (field: SecretField, value?: string) => Promise<void>,
  attempt: (name: string, run: () => Promise<void>, secret?: boolean) => Promise<boolean>,
  result: WriteResult
): Promise<void> {
  const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names
  const writeId = () => attempt(idName, () => putSecret('accessKeyId'), true)
  const writeSecret = () => attempt(secretName, () => putSecret('secretAccessKey'), true)
  const previous = job.replacedKeyId
  if (!previous || !observed.secretNames.includes(idName)) {
    await Promise.all([writeId(), writeSecret()])
    return
  }
  const where = describe(result.destination)
  /** The id back to the key whose secret the destination still holds. */
  const putBack = async (since: string) => {
    try {
      await putSecret('accessKeyId', previous)
      result.written = result.written.filter(n => n !== idName)
      result.uncertain = result.uncertain.filter(n => n !== idName)
      result.restored.push(idName)
      ctx.log.info(`${where}: ${idName} put back to ${previous}, since ${since}.`)
    } catch (e) {
      const holds = result.uncertain.includes(idName) ? 'may hold' : 'holds'
      ctx.log.warning(
        `${where}: ${idName} ${holds} the new key ${job.values.accessKeyId} and could not be put back to ${previous} (${errorText(e)}).`
      )
    }
  }
  if (!(await writeId())) {
    result.failed.push({ name: secretName, error: `not written, since ${idName} failed` })
    // GitHub may have taken the new id without saying so: make sure it holds the old one.
    if (result.uncertain.includes(idName)) await putBack(`GitHub did not confirm ${idName}`)
    return
  }
  if (await writeSecret()) return
  await putBack(`${secretName} failed`)
}
