// Unit tests of src/config.ts: parseConfig over a reader built from a record, and the derived
// user and bucket names.
import {
  type Config,
  deriveBucketName,
  deriveUserName,
  parseConfig
} from '../../src/inputs/config.js'
import { InputError, InputErrors } from '../../src/errors.js'
import { checkBucketName, checkUserName } from '../../src/inputs/rules.js'
import { configFrom, type Inputs, MINIMAL_INPUTS, reader } from '../../__fixtures__/config.js'

/** Parses inputs that must fail and returns the collected errors. */
function errorsOf(inputs: Inputs, env: NodeJS.ProcessEnv = {}): InputErrors {
  try {
    configFrom(inputs, env)
  } catch (e) {
    expect(e).toBeInstanceOf(InputErrors)
    return e as InputErrors
  }
  throw new Error(`expected parseConfig to reject ${JSON.stringify(inputs)}`)
}

/** The names of the inputs the errors blame, sorted. */
function blamed(inputs: Inputs, env: NodeJS.ProcessEnv = {}): string[] {
  return errorsOf(inputs, env)
    .errors.map(e => e.input)
    .sort()
}

/** Asserts exactly one error, on the given input, with a message containing the fragment. */
function expectOneError(inputs: Inputs, input: string, fragment: string): void {
  const { errors } = errorsOf(inputs)
  expect(errors.map(e => e.input)).toEqual([input])
  expect(errors[0]!.message).toMatch(new RegExp(`^Input '${escapeRegExp(input)}': `))
  expect(errors[0]!.message).toContain(fragment)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('parseConfig defaults', () => {
  test('minimal inputs give the documented defaults', () => {
    const expected: Config = {
      githubToken: 'github_pat_test',
      credentials: 'access-key',
      roleName: 'octo-org+app',
      trust: [{ kind: 'default-branch' }],
      region: 'us-east-1',
      userName: 'octo-org+app',
      userPath: '/s3-credentials-action/',
      policy: { kind: 'bucket-read-write' },
      permissionsBoundary: 's3-credentials-action-boundary',
      tags: [],
      homeRepository: { owner: 'octo-org', repo: 'app' },
      destinations: [{ kind: 'repository', owner: 'octo-org', repo: 'app' }],
      maxWrites: 500,
      secretStore: 'actions',
      regionAndBucketAs: 'secrets',
      names: {
        accessKeyId: 'AWS_ACCESS_KEY_ID',
        secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
        region: 'AWS_REGION',
        bucket: 'AWS_BUCKET_NAME',
        roleArn: 'AWS_ROLE_ARN'
      },
      rotate: false,
      oldKey: 'delete',
      oldKeyGraceHours: 6,
      verifyTimeoutSeconds: 60,
      dryRun: false,
      remove: false,
      removeBucket: false,
      failOnChanges: false,
      run: { id: `local-${process.pid}`, serverUrl: 'https://github.com' },
      warnings: []
    }
    // toStrictEqual: optional fields (bucketName, permissionsBoundary, ...) must be absent.
    expect(configFrom()).toStrictEqual(expected)
  })

  test('the defaults action.yml declares parse to the same config as empty inputs', () => {
    const declared: Inputs = {
      'user-path': '/s3-credentials-action/',
      policy: 'bucket-read-write',
      'permissions-boundary': 's3-credentials-action-boundary',
      'secret-store': 'actions',
      'region-and-bucket-as': 'secrets',
      'max-writes': '500',
      rotate: 'false',
      'old-key': 'delete',
      'old-key-grace-hours': '6',
      'verify-timeout-seconds': '60',
      'dry-run': 'false',
      remove: 'false',
      'remove-bucket': 'false',
      'fail-on-changes': 'false'
    }
    expect(configFrom(declared)).toStrictEqual(configFrom())
  })

  test.each([
    ['the input', { 'aws-region': 'eu-west-3' }, { AWS_REGION: 'us-west-2' }, 'eu-west-3'],
    ['AWS_REGION', {}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-west-2'],
    ['AWS_DEFAULT_REGION', {}, { AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1'],
    [
      'AWS_DEFAULT_REGION when AWS_REGION is empty',
      {},
      { AWS_REGION: '', AWS_DEFAULT_REGION: 'ca-central-1' },
      'ca-central-1'
    ],
    ['us-east-1 when nothing is set', {}, {}, 'us-east-1']
  ])('region comes from %s', (_source, inputs: Inputs, env: NodeJS.ProcessEnv, region) => {
    expect(configFrom(inputs, env).region).toBe(region)
  })

  test.each([
    [{ 'aws-region': 'mars-1' }, {}, 'aws-region'],
    [{}, { AWS_REGION: 'mars-1' }, 'aws-region (from AWS_REGION)'],
    [{}, { AWS_DEFAULT_REGION: 'Moon' }, 'aws-region (from AWS_DEFAULT_REGION)']
  ])('an invalid region from %j / %j blames %s', (inputs: Inputs, env, input) => {
    const { errors } = errorsOf(inputs, env)
    expect(errors.map(e => e.input)).toEqual([input])
    expect(errors[0]!.message).toContain('a region looks like us-east-1')
  })

  test('the repository defaults to GITHUB_REPOSITORY', () => {
    const config = parseConfig(reader({ 'github-token': 't' }), {
      GITHUB_REPOSITORY: 'someone/thing'
    })
    expect(config.homeRepository).toEqual({ owner: 'someone', repo: 'thing' })
    expect(config.userName).toBe('someone+thing')
    expect(config.destinations).toEqual([{ kind: 'repository', owner: 'someone', repo: 'thing' }])
  })

  test('the workflow run comes from the runner environment (issue 15)', () => {
    const config = parseConfig(reader(MINIMAL_INPUTS), {
      GITHUB_REPOSITORY: 'someone/thing',
      GITHUB_RUN_ID: '123',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_SERVER_URL: 'https://ghe.example.com'
    })
    expect(config.run).toEqual({
      id: 'run-123-2',
      repository: 'someone/thing',
      serverUrl: 'https://ghe.example.com'
    })
  })

  test('the repository input wins over GITHUB_REPOSITORY', () => {
    const config = parseConfig(reader(MINIMAL_INPUTS), { GITHUB_REPOSITORY: 'someone/thing' })
    expect(config.homeRepository).toEqual({ owner: 'octo-org', repo: 'app' })
  })

  test('no repository at all is an error', () => {
    const e = (() => {
      try {
        parseConfig(reader({ 'github-token': 't' }), {})
      } catch (error) {
        return error as InputErrors
      }
      throw new Error('expected an error')
    })()
    expect(e.errors.map(x => x.input)).toEqual(['repository'])
    expect(e.message).toContain('GITHUB_REPOSITORY is not set either')
  })

  test('a missing github-token is an error naming the input', () => {
    expectOneError({ 'github-token': '' }, 'github-token', 'is required')
  })

  test('a github-token with a line break is refused and its value is not in the error', () => {
    const { errors } = errorsOf({ 'github-token': 'ghp_first\nghp_second' })
    expect(errors.map(e => e.input)).toEqual(['github-token'])
    expect(errors[0]!.message).toContain('printable ASCII')
    expect(errors[0]!.message).not.toMatch(/ghp_/)
  })

  test('the user name is derived from the repository unless given', () => {
    expect(configFrom({ repository: 'Acme/Web.App' }).userName).toBe('acme+web.app')
    expect(configFrom({ 'user-name': 'ci-bot' }).userName).toBe('ci-bot')
  })

  test.each([
    ['', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_BUCKET_NAME'],
    [
      'PROD_',
      'PROD_AWS_ACCESS_KEY_ID',
      'PROD_AWS_SECRET_ACCESS_KEY',
      'PROD_AWS_REGION',
      'PROD_AWS_BUCKET_NAME'
    ],
    // GitHub stores names in upper case: so does the config, so that listed names match.
    ['x', 'XAWS_ACCESS_KEY_ID', 'XAWS_SECRET_ACCESS_KEY', 'XAWS_REGION', 'XAWS_BUCKET_NAME'],
    [
      'prod_',
      'PROD_AWS_ACCESS_KEY_ID',
      'PROD_AWS_SECRET_ACCESS_KEY',
      'PROD_AWS_REGION',
      'PROD_AWS_BUCKET_NAME'
    ]
  ])(
    'secret-prefix %j names the secrets',
    (prefix, accessKeyId, secretAccessKey, region, bucket) => {
      expect(configFrom({ 'secret-prefix': prefix }).names).toEqual({
        accessKeyId,
        secretAccessKey,
        region,
        bucket,
        roleArn: bucket.replace('BUCKET_NAME', 'ROLE_ARN')
      })
    }
  )

  test.each([['GITHUB_'], ['github_'], ['1PROD_'], ['PROD-'], ['PROD '], ['ÄRGER_']])(
    'secret-prefix %j is rejected',
    prefix => expectOneError({ 'secret-prefix': prefix }, 'secret-prefix', 'a secret name')
  )
})

describe('parseConfig single inputs', () => {
  test.each([
    ['bucket-read-write', { kind: 'bucket-read-write' }],
    ['bucket-read-only', { kind: 'bucket-read-only' }],
    ['s3-full-access', { kind: 's3-full-access' }],
    [
      'arn:aws:iam::123456789012:policy/team/S3Writer',
      { kind: 'managed', arn: 'arn:aws:iam::123456789012:policy/team/S3Writer' }
    ],
    [
      'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      { kind: 'managed', arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }
    ]
  ])('policy %j', (policy, expected) => {
    expect(configFrom({ policy }).policy).toEqual(expected)
  })

  test('policy s3-full-access warns, the others do not', () => {
    expect(configFrom({ policy: 's3-full-access' }).warnings).toEqual([
      expect.stringContaining("'s3-full-access' grants the user every S3 action")
    ])
    expect(configFrom({ policy: 'bucket-read-only' }).warnings).toEqual([])
  })

  test.each([
    [
      'admin',
      'must be bucket-read-write, bucket-read-only, s3-full-access or a managed policy ARN'
    ],
    ['Bucket-Read-Write', 'must be bucket-read-write'],
    ['arn:aws:iam::123:policy/X', 'a managed policy ARN looks like'],
    ['arn:aws:s3:::bucket', 'a managed policy ARN looks like']
  ])('policy %j is rejected', (policy, fragment) => expectOneError({ policy }, 'policy', fragment))

  test.each([
    ['secret-store', 'actions', 'secretStore'],
    ['secret-store', 'dependabot', 'secretStore'],
    ['secret-store', 'codespaces', 'secretStore'],
    ['old-key', 'delete', 'oldKey'],
    ['old-key', 'deactivate', 'oldKey'],
    ['old-key', 'keep', 'oldKey'],
    ['region-and-bucket-as', 'secrets', 'regionAndBucketAs'],
    ['region-and-bucket-as', 'variables', 'regionAndBucketAs']
  ] as const)('%s: %s', (input, value, field) => {
    expect(configFrom({ [input]: value })[field]).toBe(value)
  })

  test.each([
    ['secret-store', 'vault', 'must be one of actions, dependabot, codespaces'],
    ['secret-store', 'Actions', 'must be one of actions, dependabot, codespaces'],
    ['old-key', 'shred', 'must be one of delete, deactivate, keep'],
    ['region-and-bucket-as', 'env', 'must be one of secrets, variables'],
    ['visibility', 'public', 'must be one of all, private, selected']
  ])('%s %j is rejected', (input, value, fragment) => {
    expectOneError({ [input]: value }, input, `${fragment} (got '${value}')`)
  })

  test.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', false]
  ])('booleans: %j is %s', (value, expected) => {
    const config = configFrom({ rotate: value, 'dry-run': value })
    expect(config.rotate).toBe(expected)
    expect(config.dryRun).toBe(expected)
  })

  test.each([['yes'], ['no'], ['1'], ['0'], ['on'], ['truee'], [' true']])(
    'booleans: %j is rejected for rotate and dry-run',
    value => {
      const { errors } = errorsOf({ rotate: value, 'dry-run': value })
      expect(errors.map(e => e.input).sort()).toEqual(['dry-run', 'rotate'])
      for (const e of errors) expect(e.message).toContain(`must be true or false (got '${value}')`)
    }
  )

  test('fail-on-changes is a check of a dry run: refused without dry-run, naming both', () => {
    expect(configFrom({ 'dry-run': 'true', 'fail-on-changes': 'true' }).failOnChanges).toBe(true)
    const { errors } = errorsOf({ 'fail-on-changes': 'true' })
    expect(errors.map(e => e.message)).toEqual([
      "Input 'fail-on-changes': applies only with dry-run: 'true' (a drift check changes nothing)."
    ])
  })

  test.each([
    ['1', 1],
    ['90', 90],
    ['3650', 3650],
    ['007', 7]
  ])('max-key-age-days %j', (value, days) => {
    expect(configFrom({ rotate: 'true', 'max-key-age-days': value }).maxKeyAgeDays).toBe(days)
  })

  test.each([
    ['0'],
    ['3651'],
    ['-1'],
    ['1.5'],
    ['ninety'],
    ['1e3'],
    [' 5'],
    ['99999999999999999999']
  ])('max-key-age-days %j is rejected', value =>
    expectOneError(
      { rotate: 'true', 'max-key-age-days': value },
      'max-key-age-days',
      `must be a whole number from 1 to 3650 (got '${value}')`
    )
  )

  test('max-key-age-days without rotate is kept but warned about', () => {
    const config = configFrom({ 'max-key-age-days': '30' })
    expect(config.maxKeyAgeDays).toBe(30)
    expect(config.warnings).toEqual([expect.stringContaining('no effect without rotate')])
    expect(configFrom({ 'max-key-age-days': '30', rotate: 'true' }).warnings).toEqual([])
  })

  test.each([
    ['', 60],
    ['1', 1],
    ['900', 900],
    ['120', 120]
  ])('verify-timeout-seconds %j', (value, seconds) => {
    expect(configFrom({ 'verify-timeout-seconds': value }).verifyTimeoutSeconds).toBe(seconds)
  })

  test.each([['0'], ['901'], ['-5'], ['sixty'], ['60s']])(
    'verify-timeout-seconds %j is rejected',
    value =>
      expectOneError(
        { 'verify-timeout-seconds': value },
        'verify-timeout-seconds',
        'must be a whole number from 1 to 900'
      )
  )

  test.each([
    ['', 6],
    ['0', 0],
    ['1', 1],
    ['120', 120]
  ])('old-key-grace-hours %j', (value, hours) => {
    expect(configFrom({ 'old-key-grace-hours': value }).oldKeyGraceHours).toBe(hours)
  })

  test.each([['121'], ['-1'], ['6h'], ['1.5']])('old-key-grace-hours %j is rejected', value =>
    expectOneError(
      { 'old-key-grace-hours': value },
      'old-key-grace-hours',
      'must be a whole number from 0 to 120'
    )
  )

  test('bucket-name is kept when valid, and dots are warned about', () => {
    expect(configFrom({ 'bucket-name': 'my-bucket' })).toMatchObject({
      bucketName: 'my-bucket',
      warnings: []
    })
    expect(configFrom({ 'bucket-name': 'my.bucket' }).warnings).toEqual([
      expect.stringContaining("Bucket name 'my.bucket' has dots")
    ])
  })

  test.each([
    ['bucket-name', 'My_Bucket', 'only lowercase letters'],
    ['bucket-name', 'xn--bucket', 'reserved prefix'],
    ['user-name', 'has space', 'an IAM user name has only'],
    ['user-name', 'u'.repeat(65), '1 to 64 characters'],
    ['user-path', 'ci', "starts and ends with '/'"],
    ['permissions-boundary', 'my boundary', 'a managed policy name'],
    ['permissions-boundary', 'arn:aws:iam::aws:policy/PowerUserAccess', 'customer-managed'],
    ['policy', 'arn:aws:iam::aws:policy/AdministratorAccess', 'AdministratorAccess is not allowed'],
    ['policy', 'arn:aws:iam::aws:policy/IAMFullAccess', 'IAMFullAccess is not allowed'],
    ['policy', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', 'is not allowed'],
    ['current-access-key-id', 'not-a-key', 'an access key id'],
    ['repository', 'no-slash', "written 'owner/name'"],
    ['environment', ' prod', 'no surrounding spaces']
  ])('%s %j is rejected', (input, value, fragment) =>
    expectOneError({ [input]: value }, input, fragment)
  )

  test('optional values appear in the config only when given', () => {
    const config = configFrom({
      'user-path': '/ci/',
      'permissions-boundary': 'arn:aws:iam::123456789012:policy/Boundary',
      'current-access-key-id': 'AKIAIOSFODNN7EXAMPLE'
    })
    expect(config).toMatchObject({
      userPath: '/ci/',
      permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary',
      currentAccessKeyId: 'AKIAIOSFODNN7EXAMPLE'
    })
  })
})

describe('parseConfig tags', () => {
  test('key=value lines, blanks, comments, spaces and CRLF', () => {
    const tags = configFrom({
      tags: '# owners\nteam=storage\r\n\n  cost-center = 42  \nformula=a=b\nempty=\n   # indented comment'
    }).tags
    expect(tags).toEqual([
      { key: 'team', value: 'storage' },
      { key: 'cost-center', value: '42' },
      { key: 'formula', value: 'a=b' },
      { key: 'empty', value: '' }
    ])
  })

  test.each([
    ['no-equals', "('no-equals' has no '=')"],
    ['=value', 'a tag key has 1 to 128 characters'],
    ['team=a\nteam=b', "tag key 'team' is given twice"],
    ['aws:cloudformation:stack-name=x', "does not start with 'aws:'"],
    ['AWS:Thing=x', "does not start with 'aws:'"],
    ['s3-credentials-action:rotation=run', 'which the action reserves'],
    ['bad*key=x', 'tags have only letters'],
    [`k=${'v'.repeat(257)}`, 'a tag value has at most 256 characters']
  ])('%j is rejected', (tags, fragment) => expectOneError({ tags }, 'tags', fragment))

  const lines = (n: number): string =>
    Array.from({ length: n }, (_, i) => `key${i}=value${i}`).join('\n')

  // 50 per user, less the ownership tag, the three markers and the two keys' origin records.
  test('44 tags are allowed', () => {
    expect(configFrom({ tags: lines(44) }).tags).toHaveLength(44)
  })

  test('45 tags are too many', () => {
    expectOneError({ tags: lines(45) }, 'tags', 'at most 44 tags (got 45)')
  })

  test('every bad tag line is reported, not only the first', () => {
    const { errors } = errorsOf({ tags: 'a\naws:b=1\nc=1\nc=2\nd*=1' })
    expect(errors.map(e => e.input)).toEqual(['tags', 'tags', 'tags', 'tags'])
  })

  // Was a bug: IAM treats tag keys of users as case-insensitive (CreateUser/TagUser fail with
  // "Duplicate tag keys found. Please note that Tag keys are case insensitive."), but parseTags
  // only rejects exact duplicates, so the error surfaces mid-run instead of at input validation.
  test('tag keys that differ only in case are duplicates', () => {
    expectOneError({ tags: 'Team=a\nteam=b' }, 'tags', 'given twice')
  })
})

describe('parseConfig destinations', () => {
  const repo = (owner: string, name: string, environment?: string) =>
    environment
      ? { kind: 'repository', owner, repo: name, environment }
      : { kind: 'repository', owner, repo: name }

  test('repositories replace the home repository, split on commas and newlines, deduped', () => {
    const config = configFrom({ repositories: 'a/x, b/y\n\nc/z,a/x\n  b/y  ' })
    expect(config.destinations).toEqual([repo('a', 'x'), repo('b', 'y'), repo('c', 'z')])
    expect(config.homeRepository).toEqual({ owner: 'octo-org', repo: 'app' })
  })

  test('each invalid repository in the list is reported', () => {
    const { errors } = errorsOf({ repositories: 'a/x,bad,c/d/e,-x/y' })
    expect(errors.map(e => e.input)).toEqual(['repositories', 'repositories', 'repositories'])
    for (const e of errors) expect(e.message).toMatch(/^Input 'repositories': /)
  })

  test('an organization alone replaces the home repository, visible to it alone (issue 15)', () => {
    const config = configFrom({ organization: 'octo-org' })
    expect(config.destinations).toEqual([
      {
        kind: 'organization',
        org: 'octo-org',
        visibility: 'selected',
        selectedRepositories: ['app']
      }
    ])
    expect(config.warnings).toEqual([])
  })

  test('without visibility, the repositories named are the ones selected', () => {
    expect(
      configFrom({ organization: 'octo-org', 'selected-repositories': 'app,web' }).destinations
    ).toEqual([
      {
        kind: 'organization',
        org: 'octo-org',
        visibility: 'selected',
        selectedRepositories: ['app', 'web']
      }
    ])
  })

  test('without visibility, an organization that is not the home repository owner needs one', () => {
    expectOneError({ organization: 'other-org' }, 'visibility', "'octo-org/app' is not in")
  })

  test('an organization with repositories writes to both', () => {
    expect(
      configFrom({ organization: 'octo-org', visibility: 'private', repositories: 'a/x' })
        .destinations
    ).toEqual([
      { kind: 'organization', org: 'octo-org', visibility: 'private', selectedRepositories: [] },
      repo('a', 'x')
    ])
  })

  test.each([['all'], ['private']] as const)('organization visibility %s', visibility => {
    const config = configFrom({ organization: 'o', visibility })
    expect(config.destinations).toEqual([
      { kind: 'organization', org: 'o', visibility, selectedRepositories: [] }
    ])
    // The warning, with how many repositories can read the key, is the plan's (lock-run.test.ts).
    expect(config.warnings).toEqual([])
  })

  test('organization visibility selected with repositories', () => {
    expect(
      configFrom({
        organization: 'o',
        visibility: 'selected',
        'selected-repositories': 'app, lib\nlib\n.github'
      }).destinations
    ).toEqual([
      {
        kind: 'organization',
        org: 'o',
        visibility: 'selected',
        selectedRepositories: ['app', 'lib', '.github']
      }
    ])
  })

  test.each([
    [
      'selected without repositories',
      { organization: 'o', visibility: 'selected' },
      'selected-repositories',
      'is required when visibility is selected'
    ],
    [
      'repositories without visibility selected',
      { organization: 'o', visibility: 'all', 'selected-repositories': 'app' },
      'selected-repositories',
      'applies only with visibility selected'
    ],
    [
      'selected repositories without organization',
      { 'selected-repositories': 'app' },
      'selected-repositories',
      'applies only with organization'
    ],
    [
      'visibility selected without organization',
      { visibility: 'selected' },
      'selected-repositories',
      'applies only with organization'
    ],
    [
      'a full name as selected repository',
      { organization: 'o', visibility: 'selected', 'selected-repositories': 'o/app' },
      'selected-repositories',
      "('o/app')"
    ],
    ['an invalid organization', { organization: '-org-' }, 'organization', 'a GitHub account name'],
    [
      'environment with an organization alone',
      { organization: 'octo-org', environment: 'prod' },
      'environment',
      'with organization alone there is none'
    ],
    [
      'environment with the dependabot store',
      { environment: 'prod', 'secret-store': 'dependabot' },
      'environment',
      "only in the actions store (secret-store is 'dependabot')"
    ],
    [
      'environment with the codespaces store',
      { environment: 'prod', 'secret-store': 'codespaces' },
      'environment',
      "only in the actions store (secret-store is 'codespaces')"
    ],
    [
      'variables with the dependabot store',
      { 'region-and-bucket-as': 'variables', 'secret-store': 'dependabot' },
      'region-and-bucket-as',
      "variables exist only beside the actions store (secret-store is 'dependabot')"
    ],
    [
      'variables with the codespaces store',
      { 'region-and-bucket-as': 'variables', 'secret-store': 'codespaces' },
      'region-and-bucket-as',
      'variables exist only beside the actions store'
    ]
  ])('%s is rejected', (_case, inputs: Inputs, input, fragment) =>
    expectOneError(inputs, input, fragment)
  )

  test('environment applies to the home repository', () => {
    expect(configFrom({ environment: 'production' }).destinations).toEqual([
      repo('octo-org', 'app', 'production')
    ])
  })

  test('environment applies to every listed repository, next to an organization', () => {
    expect(
      configFrom({
        environment: 'prod eu',
        repositories: 'a/x\nb/y',
        organization: 'o',
        visibility: 'private'
      }).destinations
    ).toEqual([
      { kind: 'organization', org: 'o', visibility: 'private', selectedRepositories: [] },
      repo('a', 'x', 'prod eu'),
      repo('b', 'y', 'prod eu')
    ])
  })

  test.each([['dependabot'], ['codespaces']])(
    'the %s store works for repositories and organizations',
    store => {
      const config = configFrom({
        'secret-store': store,
        organization: 'octo-org',
        repositories: 'a/x'
      })
      expect(config.secretStore).toBe(store)
      expect(config.destinations.map(d => d.kind)).toEqual(['organization', 'repository'])
    }
  )

  test('variables with the actions store are accepted for every destination kind', () => {
    const config = configFrom({
      'region-and-bucket-as': 'variables',
      organization: 'octo-org',
      repositories: 'a/x',
      environment: 'prod'
    })
    expect(config.regionAndBucketAs).toBe('variables')
    expect(config.destinations).toHaveLength(2)
  })
})

describe('parseConfig collects every error at once', () => {
  const everythingWrong: Inputs = {
    'github-token': '',
    repository: 'not-a-repository',
    'aws-region': 'mars-north-one',
    'bucket-name': 'Not_A_Bucket',
    'user-name': 'not a user',
    'user-path': 'no-slashes',
    policy: 'admin',
    'permissions-boundary': 'no such boundary',
    tags: 'aws:x=1\nnoequals',
    'secret-store': 'vault',
    'region-and-bucket-as': 'env',
    visibility: 'public',
    'secret-prefix': '1_',
    'current-access-key-id': 'short',
    rotate: 'yes',
    'max-key-age-days': '0',
    'old-key': 'shred',
    'verify-timeout-seconds': '9000',
    'dry-run': 'maybe'
  }

  test('one error per bad input (two for two bad tag lines)', () => {
    expect(blamed(everythingWrong)).toEqual(
      [
        'github-token',
        'repository',
        'aws-region',
        'bucket-name',
        'user-name',
        'user-path',
        'policy',
        'permissions-boundary',
        'tags',
        'tags',
        'secret-store',
        'region-and-bucket-as',
        'visibility',
        'secret-prefix',
        'current-access-key-id',
        'rotate',
        'max-key-age-days',
        'old-key',
        'verify-timeout-seconds',
        'dry-run'
      ].sort()
    )
  })

  test('each message names its input, and the combined error carries them all', () => {
    const e = errorsOf(everythingWrong)
    expect(e.errors).toHaveLength(20)
    expect(e.code).toBe('INVALID_INPUT')
    for (const error of e.errors) {
      expect(error).toBeInstanceOf(InputError)
      expect(error.message.startsWith(`Input '${error.input}': `)).toBe(true)
      expect(e.message).toContain(error.message)
    }
    expect(e.remedy).toBe('correct the inputs named above.')
  })

  test('a single error keeps its own remedy', () => {
    const e = errorsOf({ rotate: 'yes' })
    expect(e.errors).toHaveLength(1)
    expect(e.remedy).toBe("set the input 'rotate' to a value that follows this rule.")
    expect(e.message).toBe("Input 'rotate': must be true or false (got 'yes').")
  })

  test('destination errors are collected with the others', () => {
    expect(
      blamed({
        organization: 'o',
        visibility: 'selected',
        environment: 'prod',
        'secret-store': 'dependabot',
        'region-and-bucket-as': 'variables'
      })
    ).toEqual(['environment', 'environment', 'region-and-bucket-as', 'selected-repositories'])
  })
})

/** A small deterministic generator (mulberry32), so the property loops are reproducible. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ODD_CHARS = 'abcXYZ019-_.+=,@ /:!*~ü😀\t'
function randomName(next: () => number, maxLength: number): string {
  const length = Math.floor(next() * (maxLength + 1))
  const chars = [...ODD_CHARS]
  return Array.from({ length }, () => chars[Math.floor(next() * chars.length)]!).join('')
}

const OWNERS = [
  '',
  'a',
  'octo-org',
  'Octo-Org',
  'o'.repeat(39),
  'sthree',
  'xn',
  'amzn-s3-demo',
  'UPPER_case',
  '0day',
  '---',
  'émoji😀'
]
const REPOS = [
  '',
  'a',
  '.',
  '...',
  '.github',
  'app',
  'My.Repo_Name-2',
  'r'.repeat(100),
  '-x-',
  'sthree-configurator',
  'x--ol-s3',
  'repo.mrap',
  'thing-s3alias',
  '192.168.1.1',
  'a b c',
  'ünïcødé',
  `${'long-'.repeat(20)}end`
]
const ACCOUNTS = ['123456789012', '000000000000', '999999999999', '111122223333']

function combos(): [string, string, string][] {
  const out: [string, string, string][] = []
  for (const owner of OWNERS)
    for (const repo of REPOS) for (const account of ACCOUNTS) out.push([owner, repo, account])
  const next = random(20250615)
  for (let i = 0; i < 2000; i++)
    out.push([randomName(next, 45), randomName(next, 120), ACCOUNTS[i % ACCOUNTS.length]!])
  return out
}

describe('derived names', () => {
  const all = combos()

  test('deriveUserName is always a valid IAM user name of at most 64 characters', () => {
    const bad = all
      .map(([owner, repo]) => ({ owner, repo, name: deriveUserName(owner, repo) }))
      .filter(({ name }) => name.length > 64 || checkUserName(name) !== undefined)
    expect(bad).toEqual([])
  })

  test('deriveBucketName is always a valid bucket name of at most 63 characters', () => {
    const bad = all
      .map(([owner, repo, account]) => ({
        owner,
        repo,
        name: deriveBucketName(owner, repo, account)
      }))
      .filter(({ name }) => name.length > 63 || checkBucketName(name) !== undefined)
    expect(bad).toEqual([])
  })

  test('derived names are deterministic', () => {
    for (const [owner, repo, account] of all) {
      expect(deriveUserName(owner, repo)).toBe(deriveUserName(owner, repo))
      expect(deriveBucketName(owner, repo, account)).toBe(deriveBucketName(owner, repo, account))
    }
  })

  test.each([
    // Every derived bucket starts with the action's prefix (issue 13), which no reserved prefix
    // (xn--, sthree-, amzn-s3-demo-) and no AWS service's default bucket shares.
    ['octo-org', 'app', '123456789012', 'octo-org+app', 's3ca-octo-org-app-edfc67-123456789012'],
    ['Acme', 'Web.App', '123456789012', 'acme+web.app', 's3ca-acme-web-app-a5352b-123456789012'],
    ['a', 'b c/d', '123456789012', 'a+b-c-d-7035c762', 's3ca-a-b-c-d-3e228c-123456789012'],
    ['', '', '123456789012', '+', 's3ca-bucket-8a5eda-123456789012'],
    ['sthree', 'x', '123456789012', 'sthree+x', 's3ca-sthree-x-92c49d-123456789012'],
    [
      'amzn-s3-demo',
      'x',
      '123456789012',
      'amzn-s3-demo+x',
      's3ca-amzn-s3-demo-x-25f940-123456789012'
    ]
  ])('%j/%j in %s', (owner, repo, account, user, bucket) => {
    expect(deriveUserName(owner, repo)).toBe(user)
    expect(deriveBucketName(owner, repo, account)).toBe(bucket)
  })

  test('short names are kept whole, long names are cut to the limit with a hash', () => {
    expect(deriveUserName('o', 'r'.repeat(62))).toBe(`o+${'r'.repeat(62)}`)
    expect(deriveUserName('o', 'r'.repeat(62))).toHaveLength(64)
    const long = deriveUserName('o', 'r'.repeat(63))
    expect(long).toHaveLength(64)
    expect(long).toMatch(/^o\+r+-[0-9a-f]{8}$/)
    const bucket = deriveBucketName('o', 'r'.repeat(80), '123456789012')
    expect(bucket.length).toBeLessThanOrEqual(63)
    expect(bucket).toMatch(/^s3ca-o-r+-[0-9a-f]{6}-123456789012$/)
  })

  test('distinct long names give distinct user and bucket names', () => {
    const next = random(42)
    const users = new Map<string, string>()
    const buckets = new Map<string, string>()
    for (let i = 0; i < 500; i++) {
      // Same 70-character head, so only the part that is cut off differs.
      const repo = `${'shared-prefix-'.repeat(5)}${randomName(next, 20)}-${i}`.toLowerCase()
      const user = deriveUserName('octo-org', repo)
      const bucket = deriveBucketName('octo-org', repo, '123456789012')
      expect(users.get(user) ?? repo).toBe(repo)
      expect(buckets.get(bucket) ?? repo).toBe(repo)
      users.set(user, repo)
      buckets.set(bucket, repo)
    }
    expect(users.size).toBe(500)
    expect(buckets.size).toBe(500)
  })

  test('distinct accounts give distinct bucket names for ordinary repositories', () => {
    for (const repo of ['app', 'r'.repeat(100)])
      expect(deriveBucketName('octo-org', repo, '123456789012')).not.toBe(
        deriveBucketName('octo-org', repo, '123456789013')
      )
  })

  // Was a bug: when the derived name hits a reserved prefix (owner 'sthree' or 'amzn-s3-demo') and is
  // 63 characters long, deriveBucketName prepends 'gh-' and slices to 63, cutting the last three
  // digits of the account id: accounts that differ only there derive the same global bucket name.
  test('distinct accounts give distinct bucket names for reserved-prefix owners', () => {
    const repo = 'r'.repeat(60)
    expect(deriveBucketName('sthree', repo, '123456789012')).not.toBe(
      deriveBucketName('sthree', repo, '123456789999')
    )
  })

  // Was a bug: short derived bucket names replace '.', '_' and other characters with '-' without a hash,
  // so distinct repositories of one owner (web.app, web_app, web-app) share one bucket in the
  // account, and each repository's user is granted the other's data.
  test('distinct repositories of one owner derive distinct bucket names', () => {
    const names = ['web.app', 'web_app', 'web-app'].map(r =>
      deriveBucketName('acme', r, '123456789012')
    )
    expect(new Set(names).size).toBe(3)
  })

  // Was a bug: deriveUserName joins owner and repository with '-', which both may contain, so
  // acme/web-app and acme-web/app share the user 'acme-web-app-s3' (and rotate each other's keys).
  test('distinct repositories derive distinct user names', () => {
    expect(deriveUserName('acme', 'web-app')).not.toBe(deriveUserName('acme-web', 'app'))
  })
})

describe('remove and remove-bucket', () => {
  test('parse to booleans', () => {
    expect(configFrom({ remove: 'true', 'remove-bucket': 'true' })).toMatchObject({
      remove: true,
      removeBucket: true
    })
  })

  test('remove-bucket applies only with remove', () => {
    expectOneError({ 'remove-bucket': 'true' }, 'remove-bucket', "applies only with remove: 'true'")
  })

  test('rotate and remove exclude each other', () => {
    expectOneError({ remove: 'true', rotate: 'true' }, 'rotate', 'exclude each other')
  })

  test('remove must be true or false', () => {
    expectOneError({ remove: 'yes' }, 'remove', 'must be true or false')
  })
})
