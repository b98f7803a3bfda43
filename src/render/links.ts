/** Where a person looks at what the action made: console and settings addresses, all absolute. */
import type { Destination, SecretStore } from '../inputs/config.js'

/** The AWS console of a partition; none for partitions without a public console (iso, eusc). */
export function consoleBase(partition: string): string | undefined {
  return {
    aws: 'https://console.aws.amazon.com',
    'aws-cn': 'https://console.amazonaws.cn',
    'aws-us-gov': 'https://console.amazonaws-us-gov.com'
  }[partition]
}

export function iamUserUrl(partition: string, userName: string): string | undefined {
  const base = consoleBase(partition)
  return base && `${base}/iam/home#/users/details/${encodeURIComponent(userName)}`
}

export function s3BucketUrl(partition: string, bucket: string, region: string): string | undefined {
  const base = consoleBase(partition)
  return base && `${base}/s3/buckets/${encodeURIComponent(bucket)}?region=${region}`
}

/** The settings page that lists a destination's secrets (GitHub.com or GitHub Enterprise Server). */
export function secretsSettingsUrl(serverUrl: string, d: Destination, store: SecretStore): string {
  const server = serverUrl.replace(/\/+$/, '')
  const enc = encodeURIComponent
  if (d.kind === 'organization')
    return `${server}/organizations/${enc(d.org)}/settings/secrets/${store}`
  const repo = `${server}/${enc(d.owner)}/${enc(d.repo)}`
  return d.environment ? `${repo}/settings/environments` : `${repo}/settings/secrets/${store}`
}
