// Table-driven tests of the naming and format rules in src/rules.ts. Each table lists values that
// must pass and values that must fail, with a fragment of the rule the failure must name.
import * as rules from '../../src/inputs/rules.js'

type Check = (value: string) => string | undefined

/** Asserts a check accepts a value. */
function accepts(check: Check, value: string): void {
  expect({ value, problem: check(value) }).toEqual({ value, problem: undefined })
}

/** Asserts a check rejects a value with a message containing the fragment. */
function rejects(check: Check, value: string, fragment: string): void {
  const problem = check(value)
  expect(problem).toEqual(expect.any(String))
  expect(problem).toContain(fragment)
}

describe('checkBucketName', () => {
  test.each([
    ['abc'],
    ['a'.repeat(63)],
    ['my-bucket'],
    ['my.bucket.name'],
    ['0bucket9'],
    ['123'],
    ['a-b-c'],
    ['a--b'],
    ['1.2.3'],
    ['1.2.3.4.5'],
    ['256.1.1.a'],
    ['xn-ok'],
    ['sthree'],
    ['amzn-s3-demo'],
    ['my-xn--bucket'],
    ['bucket-s3alias-not-at-end'],
    ['bucket-ol-s3'],
    ['bucket-mrap'],
    ['bucket-x-s3'],
    ['bucket-table-s3']
  ])('accepts %j', name => accepts(rules.checkBucketName, name))

  test.each([
    ['', '3 to 63 characters'],
    ['ab', '3 to 63 characters'],
    ['a'.repeat(64), '3 to 63 characters'],
    ['My-Bucket', 'only lowercase letters'],
    ['my_bucket', 'only lowercase letters'],
    ['my bucket', 'only lowercase letters'],
    ['bucket!', 'only lowercase letters'],
    ['bücket', 'only lowercase letters'],
    ['-bucket', 'starts and ends'],
    ['bucket-', 'starts and ends'],
    ['.bucket', 'starts and ends'],
    ['bucket.', 'starts and ends'],
    ['my..bucket', 'two adjacent dots'],
    ['my.-bucket', 'dot next to a hyphen'],
    ['my-.bucket', 'dot next to a hyphen'],
    ['192.168.5.4', 'IP address'],
    ['1.2.3.4', 'IP address'],
    ['999.999.999.999', 'IP address'],
    ['xn--bucket', "reserved prefix 'xn--'"],
    ['sthree-bucket', "reserved prefix 'sthree-'"],
    ['sthree-configurator', "reserved prefix 'sthree-'"],
    ['amzn-s3-demo-bucket', "reserved prefix 'amzn-s3-demo-'"],
    ['bucket-s3alias', "reserved suffix '-s3alias'"],
    ['bucket--ol-s3', "reserved suffix '--ol-s3'"],
    ['bucket.mrap', "reserved suffix '.mrap'"],
    ['bucket--x-s3', "reserved suffix '--x-s3'"],
    ['bucket--table-s3', "reserved suffix '--table-s3'"]
  ])('rejects %j (%s)', (name, fragment) => rejects(rules.checkBucketName, name, fragment))
})

describe('checkUserName', () => {
  test.each([['a'], ['a'.repeat(64)], ['ci-user'], ['Deploy_Bot'], ['a+b=c,d.e@f-g_h'], ['123']])(
    'accepts %j',
    name => accepts(rules.checkUserName, name)
  )

  test.each([
    ['', '1 to 64 characters'],
    ['a'.repeat(65), '1 to 64 characters'],
    ['has space', 'only letters, digits'],
    ['slash/name', 'only letters, digits'],
    ['colon:name', 'only letters, digits'],
    ['ümlaut', 'only letters, digits'],
    ['star*', 'only letters, digits']
  ])('rejects %j (%s)', (name, fragment) => rejects(rules.checkUserName, name, fragment))
})

describe('checkUserPath', () => {
  test.each([['/'], ['/ci/'], ['/a/b/c/'], ['/with-!~chars/'], [`/${'a'.repeat(510)}/`]])(
    'accepts %j',
    path => accepts(rules.checkUserPath, path)
  )

  test.each([
    ['', "starts and ends with '/'"],
    ['ci', "starts and ends with '/'"],
    ['/ci', "starts and ends with '/'"],
    ['ci/', "starts and ends with '/'"],
    ['/c i/', "starts and ends with '/'"],
    ['/cï/', "starts and ends with '/'"],
    ['//', "starts and ends with '/'"],
    ['///', 'empty segment'],
    ['/a//b/', 'empty segment'],
    [`/${'a'.repeat(511)}/`, 'at most 512 characters']
  ])('rejects %j (%s)', (path, fragment) => rejects(rules.checkUserPath, path, fragment))
})

describe('checkRegion', () => {
  test.each([
    ['us-east-1'],
    ['eu-central-2'],
    ['ap-southeast-4'],
    ['cn-north-1'],
    ['us-gov-west-1'],
    ['us-iso-east-1'],
    ['us-isob-east-1'],
    ['il-central-1'],
    ['me-south-12'],
    // aws-eusc, the European Sovereign Cloud (issue 14), and the ISO-E/F partitions.
    ['eusc-de-east-1'],
    ['eu-isoe-west-1'],
    ['us-isof-south-1']
  ])('accepts %j', region => accepts(rules.checkRegion, region))

  test.each([
    [''],
    ['us-east'],
    ['US-EAST-1'],
    ['useast1'],
    ['us-east-123'],
    ['us-east-1 '],
    ['usa-east-1'],
    ['euse-de-east-1'],
    ['us-east-1a'],
    ['eu_central_1']
  ])('rejects %j', region => rejects(rules.checkRegion, region, 'a region looks like'))
})

describe('checkPolicyArn', () => {
  test.each([
    ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
    ['arn:aws:iam::aws:policy/service-role/AWSLambdaRole'],
    ['arn:aws:iam::123456789012:policy/MyPolicy'],
    ['arn:aws:iam::123456789012:policy/path/to/My+Policy=1,2.3@x_y-z'],
    ['arn:aws-cn:iam::123456789012:policy/P'],
    ['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess']
  ])('accepts %j', arn => accepts(rules.checkPolicyArn, arn))

  test.each([
    [''],
    ['AmazonS3FullAccess'],
    ['arn:aws:iam::12345678901:policy/Short'],
    ['arn:aws:iam::1234567890123:policy/Long'],
    ['arn:aws:iam::123456789012:role/NotAPolicy'],
    ['arn:aws:s3:::bucket'],
    ['arn:aws:iam::aws:policy/'],
    ['arn:aws:iam::aws:policy/Has Space'],
    [`arn:aws:iam::aws:policy/${'p'.repeat(129)}`],
    ['arn:gcp:iam::aws:policy/P']
  ])('rejects %j', arn => rejects(rules.checkPolicyArn, arn, 'a managed policy ARN looks like'))
})

describe('checkAccessKeyId', () => {
  test.each([
    ['AKIAIOSFODNN7EXAMPLE'],
    ['A'.repeat(16)],
    ['9'.repeat(128)],
    ['ASIAXXXXXXXXXXXXXXXX']
  ])('accepts %j', id => accepts(rules.checkAccessKeyId, id))

  test.each([
    [''],
    ['A'.repeat(15)],
    ['A'.repeat(129)],
    ['akiaiosfodnn7example'],
    ['AKIA-IOSFODNN7EXAMPLE'],
    ['AKIA IOSFODNN7EXAMPLE'],
    ['${{ secrets.AWS_ACCESS_KEY_ID }}']
  ])('rejects %j', id => rejects(rules.checkAccessKeyId, id, 'an access key id has 16 to 128'))
})

describe('checkLogin', () => {
  test.each([['a'], ['octo-org'], ['Octocat'], ['a1-b2-c3'], ['x'.repeat(39)], ['0day']])(
    'accepts %j',
    login => accepts(rules.checkLogin, login)
  )

  test.each([
    [''],
    ['x'.repeat(40)],
    ['-leading'],
    ['trailing-'],
    ['double--hyphen'],
    ['dot.ted'],
    ['sp ace'],
    ['slash/ed']
  ])('rejects %j', login => rejects(rules.checkLogin, login, 'a GitHub account name has 1 to 39'))
})

describe('checkRepository', () => {
  test.each([
    ['octo-org/app'],
    ['a/b'],
    ['octo-org/my.repo_name-2'],
    ['octo-org/.github'],
    ['octo-org/...'],
    [`octo-org/${'r'.repeat(100)}`]
  ])('accepts %j', full => accepts(rules.checkRepository, full))

  test.each([
    ['', "written 'owner/name'"],
    ['octo-org', "written 'owner/name'"],
    ['a/b/c', "written 'owner/name'"],
    ['-bad/app', "in '-bad/app', a GitHub account name"],
    ['/app', "in '/app', a GitHub account name"],
    ['octo-org/', 'a repository name has 1 to 100'],
    ['octo-org/.', 'a repository name has 1 to 100'],
    ['octo-org/..', 'a repository name has 1 to 100'],
    ['octo-org/has space', 'a repository name has 1 to 100'],
    [`octo-org/${'r'.repeat(101)}`, 'a repository name has 1 to 100'],
    ['octo-org/app!', 'a repository name has 1 to 100']
  ])('rejects %j (%s)', (full, fragment) => rejects(rules.checkRepository, full, fragment))
})

describe('checkSecretName', () => {
  test.each([
    ['AWS_ACCESS_KEY_ID'],
    ['_PRIVATE'],
    ['prod_AWS'],
    ['A1'],
    ['GITHUBX_TOKEN'],
    ['MY_GITHUB_']
  ])('accepts %j', name => accepts(rules.checkSecretName, name))

  test.each([
    ['', 'only letters, digits'],
    ['1AWS', 'does not start with a digit'],
    ['AWS-KEY', 'only letters, digits'],
    ['AWS KEY', 'only letters, digits'],
    ['AWS.KEY', 'only letters, digits'],
    ['GITHUB_TOKEN', 'does not start with GITHUB_'],
    ['github_aws', 'does not start with GITHUB_'],
    ['GitHub_AWS', 'does not start with GITHUB_']
  ])('rejects %j (%s)', (name, fragment) => rejects(rules.checkSecretName, name, fragment))

  test('names the offending secret in the message', () => {
    expect(rules.checkSecretName('GITHUB_X')).toContain("'GITHUB_X'")
  })
})

describe('checkEnvironmentName', () => {
  test.each([['production'], ['staging / eu'], ['Prod Env'], ['e'.repeat(255)], ['ünïcødé']])(
    'accepts %j',
    name => accepts(rules.checkEnvironmentName, name)
  )

  test.each([
    ['e'.repeat(256), 'at most 255 characters'],
    [' production', 'no surrounding spaces'],
    ['production ', 'no surrounding spaces'],
    ['prod\tuction', 'no control characters'],
    ['prod\nuction', 'no control characters'],
    ['prod\u0000', 'no control characters'],
    ['prod\u001fx', 'no control characters']
  ])('rejects %j (%s)', (name, fragment) => rejects(rules.checkEnvironmentName, name, fragment))
})

describe('checkTag', () => {
  test.each([
    ['team', 'storage'],
    ['cost-center', ''],
    ['k'.repeat(128), 'v'.repeat(256)],
    ['path/to:key', 'a=b+c@d_e.f'],
    ['Ünicode Key', 'välue 1'],
    ['awsome', 'not the aws: prefix'],
    ['my:aws:key', 'x'],
    ['s3-credentials-action', 'no colon so not reserved']
  ])('accepts %j=%j', (key, value) => expect(rules.checkTag(key, value)).toBeUndefined())

  test.each([
    ['', 'v', 'a tag key has 1 to 128 characters'],
    ['k'.repeat(129), 'v', 'a tag key has 1 to 128 characters'],
    ['key', 'v'.repeat(257), 'a tag value has at most 256 characters'],
    ['bad*key', 'v', 'tags have only letters'],
    ['key', 'bad|value', 'tags have only letters'],
    ['key', 'semi;colon', 'tags have only letters'],
    ['aws:createdBy', 'me', "does not start with 'aws:'"],
    ['AWS:CreatedBy', 'me', "does not start with 'aws:'"],
    ['s3-credentials-action:rotation', 'x', 'which the action reserves'],
    ['s3-credentials-action:anything', 'x', 'which the action reserves'],
    // IAM compares tag keys without case: the markers are read so, and refused so.
    ['S3-Credentials-Action:rotation', 'x', 'which the action reserves'],
    ['S3-CREDENTIALS-ACTION:pending', 'x', 'which the action reserves']
  ])('rejects %j=%j (%s)', (key, value, fragment) =>
    expect(rules.checkTag(key, value)).toContain(fragment)
  )

  test('the reserved prefix and the tag limit are what the action relies on', () => {
    expect(rules.RESERVED_TAG_PREFIX).toBe('s3-credentials-action:')
    expect(rules.MAX_USER_TAGS).toBe(44)
  })
})

describe('values that could write to the log (issue 15)', () => {
  const breakers = ['\n', '\r', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029']

  test.each(breakers.map(ch => [JSON.stringify(ch), ch]))(
    'a tag key or value with %s is refused',
    (_, ch) => {
      expect(rules.checkTag(`team${ch}x`, 'v')).toContain('no control characters')
      expect(rules.checkTag('team', `v${ch}x`)).toContain('no control characters')
    }
  )

  test('the refusal of a tag with a line break does not quote the key', () => {
    expect(rules.checkTag('a\n::error::forged', 'v')).not.toContain('forged')
  })

  test.each(breakers.map(ch => [JSON.stringify(ch), ch]))(
    'an environment name with %s is refused',
    (_, ch) => rejects(rules.checkEnvironmentName, `prod${ch}x`, 'no control characters')
  )

  test.each([['ghp_abcDEF0123456789'], ['github_pat_11AB_cd-ef'], ['ghs_x.y~z!']])(
    'a token of printable ASCII (%s) passes',
    token => accepts(rules.checkToken, token)
  )

  test.each([
    ['ghp_abc\ndef'],
    ['ghp abc'],
    ['ghp_\tabc'],
    ['ghp_é'],
    ['ghp_\u2028x'],
    ['ghp_\u0085x']
  ])('a token %j is refused without being quoted', token => {
    const problem = rules.checkToken(token)
    rejects(rules.checkToken, token, 'printable ASCII')
    expect(problem).not.toContain('ghp')
  })
})
