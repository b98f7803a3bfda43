// Mutation tests of src/inputs/config.ts (issue 12), written against what the Stryker run of
// 2026-12-04 left alive or never reached: role mode's inputs (trust, role-name, its defaults and
// refusals), the inputs whose name a mutant could blank, codespaces on GitHub Enterprise Server,
// the boundary opt-out, the runner's input variables and the derived names' trimming.
import { deriveBucketName, deriveUserName, envInputReader } from '../../src/inputs/config.js'
import { InputErrors } from '../../src/errors.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'

function errorsOf(
  inputs: Inputs,
  env: NodeJS.ProcessEnv = {}
): { input: string; message: string }[] {
  try {
    configFrom(inputs, env)
  } catch (e) {
    if (!(e instanceof InputErrors)) throw e
    return e.errors.map(({ input, message }) => ({ input, message }))
  }
  throw new Error(`expected parseConfig to reject ${JSON.stringify(inputs)}`)
}

const blamed = (inputs: Inputs, env: NodeJS.ProcessEnv = {}) =>
  errorsOf(inputs, env).map(e => e.input)

const ROLE: Inputs = { credentials: 'role' }

describe('trust', () => {
  test('each kind of entry parses, a line given twice once, in the order given', () => {
    const config = configFrom({
      ...ROLE,
      trust: 'branch:main\nenvironment:prod, tag:v*\nbranch:main\npull-request\nenvironment:prod'
    })
    expect(config.trust).toEqual([
      { kind: 'branch', name: 'main' },
      { kind: 'environment', name: 'prod' },
      { kind: 'tag', pattern: 'v*' },
      { kind: 'pull-request' }
    ])
  })

  test('a name may hold colons and slashes: only the first colon separates the kind', () => {
    expect(configFrom({ ...ROLE, trust: 'branch:release/1.x' }).trust).toEqual([
      { kind: 'branch', name: 'release/1.x' }
    ])
    expect(configFrom({ ...ROLE, trust: 'environment:prod:eu' }).trust).toEqual([
      { kind: 'environment', name: 'prod:eu' }
    ])
  })

  test('no trust input trusts the default branch alone, without a warning', () => {
    const config = configFrom(ROLE)
    expect(config.trust).toEqual([{ kind: 'default-branch' }])
    expect(config.warnings).toEqual([])
  })

  test('pull-request is warned about; other entries are not', () => {
    expect(configFrom({ ...ROLE, trust: 'pull-request' }).warnings).toEqual([
      expect.stringMatching(/^trust pull-request: the workflow of any pull request/)
    ])
    expect(configFrom({ ...ROLE, trust: 'branch:main' }).warnings).toEqual([])
  })

  test.each([
    ['repo:other/repo:ref:refs/heads/main', 'each line is branch:NAME, environment:NAME'],
    ['branch', 'a branch name is 1 to 255'],
    ['branch:', 'a branch name is 1 to 255'],
    ['tag:', 'a tag pattern is 1 to 255'],
    ['environment:', 'an environment name'],
    ['environment', 'an environment name is given'],
    ['pull-request:x', 'each line is branch:NAME'],
    ['main', 'another repository, owner or organization cannot be named']
  ])('%j is refused, naming trust, the rule and the line', (line, fragment) => {
    const errors = errorsOf({ ...ROLE, trust: line })
    expect(errors).toHaveLength(1)
    expect(errors[0]!.input).toBe('trust')
    expect(errors[0]!.message).toContain(fragment)
    expect(errors[0]!.message).toContain(`(got '${line}')`)
  })

  test('a tag entry is a pattern (wildcards allowed); a branch is a name (none)', () => {
    expect(configFrom({ ...ROLE, trust: 'tag:v?.*' }).trust).toEqual([
      { kind: 'tag', pattern: 'v?.*' }
    ])
    expect(blamed({ ...ROLE, trust: 'branch:v*' })).toEqual(['trust'])
  })
})

describe('role-name', () => {
  test('given, it names the role and is checked; not given, the role is named like the user', () => {
    expect(configFrom({ ...ROLE, 'role-name': 'deployer' }).roleName).toBe('deployer')
    expect(configFrom(ROLE).roleName).toBe('octo-org+app')
    expect(blamed({ ...ROLE, 'role-name': 'no spaces allowed' })).toEqual(['role-name'])
  })

  test.each<[string, Inputs, boolean]>([
    ['trust', { trust: 'branch:main' }, true],
    ['role-name', { 'role-name': 'deployer' }, true],
    ['both', { trust: 'branch:main', 'role-name': 'deployer' }, true],
    ['both, with credentials role', { ...ROLE, trust: 'branch:main', 'role-name': 'r' }, false],
    ['neither', {}, false]
  ])('%s without credentials role: warned %s', (_, inputs, warned) => {
    const warning = "trust and role-name have no effect without credentials: 'role'."
    expect(configFrom(inputs).warnings.includes(warning)).toBe(warned)
  })
})

describe('credentials role', () => {
  test('parses to role mode, with region and bucket as variables by default', () => {
    const config = configFrom(ROLE)
    expect(config.credentials).toBe('role')
    expect(config.regionAndBucketAs).toBe('variables')
    expect(configFrom({ ...ROLE, 'region-and-bucket-as': 'secrets' }).regionAndBucketAs).toBe(
      'secrets'
    )
  })

  test('an unknown mode is refused, naming credentials', () => {
    const errors = errorsOf({ credentials: 'keyless' })
    expect(errors.map(e => e.input)).toEqual(['credentials'])
    expect(errors[0]!.message).toContain("must be one of access-key, role (got 'keyless')")
  })

  test.each(['dependabot', 'codespaces'])('secret-store %s is refused in role mode', store => {
    const errors = errorsOf({ ...ROLE, 'secret-store': store, 'region-and-bucket-as': 'secrets' })
    expect(errors).toEqual([
      {
        input: 'secret-store',
        message: expect.stringContaining(
          `credentials role writes for GitHub Actions workflows, which alone can assume a role through OIDC (got '${store}')`
        )
      }
    ])
    expect(configFrom({ 'secret-store': store }).secretStore).toBe(store)
  })

  test.each(['all', 'private'])(
    'organization visibility %s is refused in role mode',
    visibility => {
      const errors = errorsOf({ ...ROLE, organization: 'octo-org', visibility })
      expect(errors).toEqual([
        {
          input: 'visibility',
          message: expect.stringContaining(
            `credentials role trusts named repositories only: visibility '${visibility}' would need a trust for every repository of 'octo-org'`
          )
        }
      ])
    }
  )

  test('organization visibility selected is accepted in role mode', () => {
    const config = configFrom({
      ...ROLE,
      organization: 'octo-org',
      visibility: 'selected',
      'selected-repositories': 'app'
    })
    expect(config.destinations).toEqual([
      {
        kind: 'organization',
        org: 'octo-org',
        visibility: 'selected',
        selectedRepositories: ['app']
      }
    ])
  })
})

describe('codespaces on GitHub Enterprise Server', () => {
  const ghes = { GITHUB_SERVER_URL: 'https://ghe.example.com' }
  test('is refused there, naming secret-store and the server', () => {
    expect(errorsOf({ 'secret-store': 'codespaces' }, ghes)).toEqual([
      {
        input: 'secret-store',
        message: expect.stringContaining(
          'codespaces secrets do not exist on GitHub Enterprise Server (GITHUB_SERVER_URL is https://ghe.example.com)'
        )
      }
    ])
  })

  test('is accepted on github.com and GHE.com; the other stores are accepted on the server', () => {
    expect(configFrom({ 'secret-store': 'codespaces' }).secretStore).toBe('codespaces')
    expect(
      configFrom({ 'secret-store': 'codespaces' }, { GITHUB_SERVER_URL: 'https://acme.ghe.com' })
        .secretStore
    ).toBe('codespaces')
    expect(configFrom({ 'secret-store': 'dependabot' }, ghes).secretStore).toBe('dependabot')
  })
})

describe('permissions-boundary', () => {
  test('none opts out, with a warning', () => {
    const config = configFrom({ 'permissions-boundary': 'none' })
    expect(config).not.toHaveProperty('permissionsBoundary')
    expect(config.warnings).toEqual([
      expect.stringMatching(/^permissions-boundary none: the user gets no permissions boundary/)
    ])
  })

  test('a malformed ARN is one error, on permissions-boundary', () => {
    const errors = errorsOf({
      'permissions-boundary': 'arn:aws:iam::123456789012:policy/x/arn:aws:iam::aws:y'
    })
    expect(errors).toEqual([
      { input: 'permissions-boundary', message: expect.stringContaining('a managed policy ARN') }
    ])
  })
})

describe('policy', () => {
  test('an AWS-managed policy beyond S3 is refused, naming the two allowed', () => {
    const errors = errorsOf({ policy: 'arn:aws:iam::aws:policy/AdministratorAccess' })
    expect(errors).toEqual([
      {
        input: 'policy',
        message: expect.stringContaining(
          'the AWS-managed policy AdministratorAccess is not allowed: only AmazonS3FullAccess and AmazonS3ReadOnlyAccess'
        )
      }
    ])
  })
})

describe('selected-repositories', () => {
  test('a bad name says it is a name within the organization, and names it', () => {
    const errors = errorsOf({ organization: 'octo-org', 'selected-repositories': 'octo-org/app' })
    expect(errors).toEqual([
      {
        input: 'selected-repositories',
        message: expect.stringContaining(
          "a repository name within the organization has 1 to 100 letters, digits, '.', '_' or '-' ('octo-org/app')"
        )
      }
    ])
  })
})

describe('inputs read by their names', () => {
  test('aws-account-id is kept when valid and refused by name when not', () => {
    expect(configFrom({ 'aws-account-id': '123456789012' }).awsAccountId).toBe('123456789012')
    expect(blamed({ 'aws-account-id': '12345' })).toEqual(['aws-account-id'])
  })

  test('max-writes is read and refused by name', () => {
    expect(configFrom({ 'max-writes': '7' }).maxWrites).toBe(7)
    expect(blamed({ 'max-writes': '0' })).toEqual(['max-writes'])
  })

  test('remove-bucket and fail-on-changes are read', () => {
    expect(configFrom({ remove: 'true', 'remove-bucket': 'true' }).removeBucket).toBe(true)
    expect(configFrom({ 'dry-run': 'true', 'fail-on-changes': 'true' }).failOnChanges).toBe(true)
    expect(blamed({ 'remove-bucket': 'maybe' })).toEqual(['remove-bucket'])
    expect(blamed({ 'dry-run': 'true', 'fail-on-changes': 'maybe' })).toEqual(['fail-on-changes'])
  })
})

describe('the workflow run', () => {
  test('an attempt not given is the first', () => {
    expect(configFrom({}, { GITHUB_RUN_ID: '42' }).run.id).toBe('run-42-1')
    expect(configFrom({}, { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '3' }).run.id).toBe('run-42-3')
  })
})

describe('envInputReader', () => {
  test('reads INPUT_<NAME>, upper case, spaces as underscores, trimmed; absent is empty', () => {
    const read = envInputReader({
      'INPUT_GITHUB-TOKEN': '  tok \n',
      INPUT_MY_INPUT: 'spaced',
      'INPUT_AWS-REGION': 'eu-west-1'
    })
    expect(read('github-token')).toBe('tok')
    expect(read('my input')).toBe('spaced')
    expect(read('aws-region')).toBe('eu-west-1')
    expect(read('bucket-name')).toBe('')
  })
})

describe('derived names at their cut', () => {
  test('the user name drops every trailing hyphen and dot before the hash', () => {
    const owner = `${'a'.repeat(51)}.-.-`
    const name = deriveUserName(owner, 'x'.repeat(20))
    expect(name).toMatch(new RegExp(`^${'a'.repeat(51)}-[0-9a-f]{8}$`))
  })

  test('the bucket name collapses runs of hyphens into one', () => {
    expect(deriveBucketName('a--b', 'c---d', '123456789012')).toMatch(
      /^s3ca-a-b-c-d-[0-9a-f]{6}-123456789012$/
    )
  })
})
