/** Who the action runs as: the account id names the default bucket and every ARN. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { Identity } from '../plan/observed.js'
import { awsCall } from './errors.js'

export async function callerIdentity(client: STSClient): Promise<Identity> {
  const out = await awsCall('sts:GetCallerIdentity', () =>
    client.send(new GetCallerIdentityCommand({}))
  )
  const arn = out.Arn ?? ''
  return { accountId: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' }
}
