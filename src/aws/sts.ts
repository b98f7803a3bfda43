/** Who the action runs as: the account id names the default bucket and every ARN. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { Identity } from '../plan/observed.js'
import { ActionError } from '../errors.js'
import { OPT_IN_REGIONS } from '../inputs/rules.js'
import { awsCall, errorName } from './errors.js'

export async function callerIdentity(client: STSClient, region: string): Promise<Identity> {
  const out = await awsCall('sts:GetCallerIdentity', async () => {
    try {
      return await client.send(new GetCallerIdentityCommand({}))
    } catch (e) {
      if (OPT_IN_REGIONS.has(region) && /^InvalidClientTokenId/.test(errorName(e)))
        throw new ActionError(
          'AWS_CREDENTIALS',
          `STS in ${region} rejected the action's credentials (InvalidClientTokenId): ${region} is an opt-in region, which may not be enabled for this account.`,
          `enable ${region} for the account (AWS console, Account, AWS Regions) or choose an enabled aws-region; if it is enabled, check the credentials configured before this step.`,
          { cause: e }
        )
      throw e
    }
  })
  const arn = out.Arn ?? ''
  return { accountId: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' }
}
