// Unit tests of src/render/permissions.ts: GitHub's x-accepted-github-permissions header, parsed
// as "Troubleshooting the REST API" describes it and said as GitHub's settings pages name them.
import {
  parseAcceptedPermissions,
  permissionText,
  permissionsText
} from '../../src/render/permissions.js'

describe('parseAcceptedPermissions', () => {
  test('sets separated by ";", permissions of a set by ","', () => {
    expect(
      parseAcceptedPermissions('pull_requests=read,contents=read; issues=read,contents=read')
    ).toEqual([
      [
        { name: 'pull_requests', level: 'read' },
        { name: 'contents', level: 'read' }
      ],
      [
        { name: 'issues', level: 'read' },
        { name: 'contents', level: 'read' }
      ]
    ])
  })

  test('no header, an empty one or stray separators: nothing', () => {
    expect(parseAcceptedPermissions(undefined)).toEqual([])
    expect(parseAcceptedPermissions('')).toEqual([])
    expect(parseAcceptedPermissions(' ; ,')).toEqual([])
  })

  test('spaces around names and levels are ignored', () => {
    expect(parseAcceptedPermissions(' secrets = write ')).toEqual([
      [{ name: 'secrets', level: 'write' }]
    ])
  })
})

describe('permissionText', () => {
  test.each([
    ['secrets', 'write', '"Secrets: read and write"'],
    ['secrets', 'read', '"Secrets: read-only"'],
    ['environments', 'write', '"Environments: read and write"'],
    ['actions_variables', 'read', '"Variables: read-only"'],
    ['organization_secrets', 'write', 'organization "Secrets: read and write"'],
    ['organization_actions_variables', 'write', 'organization "Variables: read and write"'],
    ['dependabot_secrets', 'write', '"Dependabot secrets: read and write"'],
    ['organization_projects', 'admin', 'organization "Projects: admin"'],
    ['repository_hooks', 'none', '"Repository hooks: none"']
  ])('%s=%s is %s', (name, level, text) => {
    expect(permissionText({ name, level })).toBe(text)
  })

  test('several sets read as alternatives', () => {
    expect(
      permissionsText(parseAcceptedPermissions('secrets=read,environments=read; metadata=read'))
    ).toBe('"Secrets: read-only" and "Environments: read-only", or "Metadata: read-only"')
  })
})
