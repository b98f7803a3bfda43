// What src/inputs/rules.ts's mutation run of 2026-12-04 found untested in the unit tier
// (docs/mutation.md): the trust inputs' branch, tag and environment rules, the role-name text,
// the partition of a region, the opt-in regions, and a GitHub host under ghe.com.
import type { STSClient } from '@aws-sdk/client-sts'
import { callerIdentity } from '../../src/aws/sts.js'
import { isActionError } from '../../src/errors.js'
import {
  checkRefName,
  checkRoleName,
  checkTrustedEnvironment,
  githubServerKind,
  regionPartition
} from '../../src/inputs/rules.js'

const BRANCH_CHARS = 'a branch name is 1 to 255 letters, digits and . _ - / +'
const TAG_CHARS = 'a tag pattern is 1 to 255 letters, digits and . _ - / + with * and ? wildcards'
const GIT_REF =
  "is a valid git ref: no leading or trailing '/' or '.', no '..' or '//', no '.lock' ending"

describe('checkRefName: a branch name or a tag pattern of a trust', () => {
  test.each(['main', 'release/v2', 'v1.2+build', 'a_b-c', 'x'.repeat(255)])(
    'branch %s: accepted',
    name => {
      expect(checkRefName(name, false)).toBeUndefined()
    }
  )

  test.each(['v*', 'v?.?', 'release/*'])('tag pattern %s: accepted', name => {
    expect(checkRefName(name, true)).toBeUndefined()
  })

  test.each(['a b', 'x$y', 'v*', '${aws:username}', 'x'.repeat(256), ''])(
    'branch %j: refused, naming the characters',
    name => {
      expect(checkRefName(name, false)).toBe(BRANCH_CHARS)
    }
  )

  test.each(['a b', '$x', 'x'.repeat(256)])(
    'tag pattern %j: refused, naming the wildcards',
    name => {
      expect(checkRefName(name, true)).toBe(TAG_CHARS)
    }
  )

  test.each(['/main', 'main/', '.main', 'main.', 'a..b', 'a//b', 'main.lock'])(
    '%s: refused as git refuses it',
    name => {
      expect(checkRefName(name, false)).toBe(`a branch name ${GIT_REF}`)
      expect(checkRefName(name, true)).toBe(`a tag pattern ${GIT_REF}`)
    }
  )

  test('a dot or a slash inside, and .lock not at the end, are fine', () => {
    expect(checkRefName('a.b/c', false)).toBeUndefined()
    expect(checkRefName('a.locked', false)).toBeUndefined()
  })
})

describe('checkTrustedEnvironment', () => {
  test('a name: accepted; empty, or with $ * ?: refused, saying which rule', () => {
    expect(checkTrustedEnvironment('production')).toBeUndefined()
    expect(checkTrustedEnvironment('')).toBe('an environment name is given')
    for (const name of ['prod*', 'p?', '${x}'])
      expect(checkTrustedEnvironment(name)).toBe(
        "an environment name a trust policy names has no '$', '*' or '?'"
      )
  })
})

test('a role name is refused in the words of a role, not a user', () => {
  const why = checkRoleName('a b')
  expect(why).toMatch(/role/)
  expect(why).not.toMatch(/user/)
})

describe('regionPartition: by the prefix of the name only', () => {
  test.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['eu-west-1', 'aws']
  ])('%s: %s', (region, partition) => {
    expect(regionPartition(region)).toBe(partition)
  })

  test.each([
    'xcn-1',
    'xus-gov-1',
    'xus-iso-1',
    'xus-isob-1',
    'xeu-isoe-1',
    'xus-isof-1',
    'xeusc-1'
  ])('%s: the prefix elsewhere in the name is not the partition', region => {
    expect(regionPartition(region)).toBe('aws')
  })
})

test('a host under ghe.com only when it ends there', () => {
  expect(githubServerKind('https://octo.ghe.com')).toBe('ghe.com')
  expect(githubServerKind('https://octo.ghe.com.example.org')).toBe('enterprise-server')
  expect(githubServerKind('https://a.b.ghe.com')).toBe('enterprise-server')
})

// AWS's opt-in regions (AWS Account Management guide, "Enable or disable AWS Regions").
const OPT_IN = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1'
]

describe('STS refusing the credentials in an opt-in region', () => {
  const refusedIn = async (region: string) => {
    const error = Object.assign(
      new Error('The security token included in the request is invalid'),
      {
        name: 'InvalidClientTokenId',
        $metadata: { httpStatusCode: 403 }
      }
    )
    const client = { send: () => Promise.reject(error) } as unknown as STSClient
    try {
      await callerIdentity(client, region)
    } catch (e) {
      return isActionError(e) ? e.message : String(e)
    }
    throw new Error('expected a refusal')
  }

  test.each(OPT_IN)('%s: explained as a region the account may not have enabled', async region => {
    expect(await refusedIn(region)).toContain(`${region} is an opt-in region`)
  })

  test('in a region enabled for every account: no such explanation', async () => {
    expect(await refusedIn('eu-west-1')).not.toContain('opt-in region')
  })
})
