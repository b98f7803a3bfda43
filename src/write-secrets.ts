/**
 * The writes to GitHub: every planned secret and variable of every destination, sealed and written
 * at once, a few destinations at a time; per destination, the access key pair so that it never
 * ends up mismatched where it held a working pair.
 */
import type { NewAccessKey } from './aws/iam.js'
import { describe } from './github/destinations.js'
import { sealer } from './github/seal.js'
import { errorText, type Context, type WriteResult } from './outcome.js'
import type { DestinationWrite, Plan, SecretField } from './plan.js'
import { Slots } from './slots.js'
import type { ObservedDestination } from './state.js'

function valueOf(field: SecretField, plan: Plan, key: NewAccessKey | undefined): string {
  switch (field) {
    case 'accessKeyId':
      return key?.id ?? ''
    case 'secretAccessKey':
      return key?.secret ?? ''
    case 'region':
      return plan.region
    case 'bucket':
      return plan.bucketName
  }
}

/** Seals and writes every planned secret and variable of every destination, all at once. */
export async function writeAll(
  ctx: Context,
  key: NewAccessKey | undefined
): Promise<WriteResult[]> {
  const seal = ctx.plan.writes.some(w => w.secrets.length > 0) ? await sealer() : undefined
  // A few destinations at a time, in order: each one's writes then queue together in the GitHub
  // client's write pacer, so a destination's secret access key follows its key id closely even
  // when hundreds of writes are paced, instead of after every other destination's first writes.
  const destinations = new Slots(DESTINATIONS_IN_FLIGHT)
  return Promise.all(
    ctx.plan.writes.map((write, i) =>
      destinations.run(() => writeDestination(ctx, write, ctx.observed[i]!, key, seal))
    )
  )
}

/** Destinations written at once: enough to keep the client's four write slots busy. */
const DESTINATIONS_IN_FLIGHT = 4

async function writeDestination(
  ctx: Context,
  write: DestinationWrite,
  observed: ObservedDestination,
  key: NewAccessKey | undefined,
  seal: ((value: string, publicKey: string) => string) | undefined
): Promise<WriteResult> {
  const { plan, config, github } = ctx
  const d = write.destination
  const selectedIds = d.kind === 'organization' ? ctx.selectedRepositoryIds[d.org] : undefined
  const result: WriteResult = { destination: d, written: [], failed: [], restored: [] }
  const putSecret = (field: SecretField, value = valueOf(field, plan, key)) =>
    github.putSecret(
      d,
      config.names[field],
      seal!(value, observed.publicKey.key),
      observed.publicKey.keyId,
      selectedIds
    )
  /** Runs one write and records how it went; never throws. */
  const attempt = async (name: string, run: () => Promise<void>): Promise<boolean> => {
    try {
      await run()
      result.written.push(name)
      return true
    } catch (e) {
      result.failed.push({ name, error: errorText(e) })
      return false
    }
  }
  const others = [
    ...write.secrets
      .filter(field => !KEY_FIELDS.includes(field))
      .map(field => attempt(config.names[field], () => putSecret(field))),
    ...write.access.map(field =>
      attempt(config.names[field], () =>
        github.putSecretAccess(d, config.names[field], selectedIds)
      )
    ),
    ...write.variables.map(v =>
      attempt(config.names[v.field], () =>
        github.putVariable(
          d,
          config.names[v.field],
          valueOf(v.field, plan, key),
          v.exists,
          selectedIds
        )
      )
    )
  ]
  const pair = write.secrets.includes('accessKeyId')
    ? writeKeyPair(ctx, observed, key, putSecret, attempt, result)
    : undefined
  await Promise.all([pair, ...others])
  return result
}

const KEY_FIELDS: SecretField[] = ['accessKeyId', 'secretAccessKey']

/**
 * Where the destination holds a pair of the key being replaced: the id first, then the secret. If
 * the id cannot be written the secret is left alone, and if the secret cannot be written the id is
 * put back (a secret cannot be: GitHub never gives it back), so the destination keeps a working
 * pair. That costs a round trip; a destination with no such pair has nothing to keep working, so
 * both are written at once.
 */
async function writeKeyPair(
  ctx: Context,
  observed: ObservedDestination,
  key: NewAccessKey | undefined,
  putSecret: (field: SecretField, value?: string) => Promise<void>,
  attempt: (name: string, run: () => Promise<void>) => Promise<boolean>,
  result: WriteResult
): Promise<void> {
  const { accessKeyId: idName, secretAccessKey: secretName } = ctx.config.names
  const writeId = () => attempt(idName, () => putSecret('accessKeyId'))
  const writeSecret = () => attempt(secretName, () => putSecret('secretAccessKey'))
  const previous = ctx.plan.key.action === 'create' ? ctx.plan.key.replaces?.keyId : undefined
  if (!previous || !observed.secretNames.includes(idName)) {
    await Promise.all([writeId(), writeSecret()])
    return
  }
  if (!(await writeId())) {
    result.failed.push({ name: secretName, error: `not written, since ${idName} failed` })
    return
  }
  if (await writeSecret()) return
  const where = describe(result.destination)
  try {
    await putSecret('accessKeyId', previous)
    result.written = result.written.filter(n => n !== idName)
    result.restored.push(idName)
    ctx.log.info(`${where}: ${idName} put back to ${previous}, since ${secretName} failed.`)
  } catch (e) {
    ctx.log.warning(
      `${where}: ${idName} holds the new key ${key?.id ?? ''} but could not be put back to ${previous} (${errorText(e)}).`
    )
  }
}
