// Unit tests of what differs on GitHub Enterprise Server (issue 14): how GITHUB_SERVER_URL is
// recognized, and the Codespaces store, which GHES lacks (its REST description has no Codespaces
// secrets routes), refused before anything is looked up.
import { InputErrors } from '../../src/errors.js'
import { githubServerKind } from '../../src/inputs/rules.js'
import { oidcIssuer } from '../../src/plan/trust.js'
import { configFrom } from '../../__fixtures__/config.js'

describe('githubServerKind', () => {
  test.each([
    ['https://github.com', 'github.com'],
    ['https://GitHub.com/', 'github.com'],
    ['https://octo.ghe.com', 'ghe.com'],
    ['https://ghe.example.com', 'enterprise-server'],
    ['http://127.0.0.1:8080', 'enterprise-server'],
    ['https://github.com.evil.example', 'enterprise-server']
  ])('%s is %s', (url, kind) => {
    expect(githubServerKind(url)).toBe(kind)
  })

  test('the OIDC issuer follows it', () => {
    expect(oidcIssuer('https://github.com')).toBe('https://token.actions.githubusercontent.com')
    expect(oidcIssuer('https://Octo.ghe.com')).toBe('https://token.actions.octo.ghe.com')
    expect(oidcIssuer('https://ghe.example.com/')).toBe('https://ghe.example.com/_services/token')
  })
})

describe('secret-store on GitHub Enterprise Server', () => {
  const GHES = { GITHUB_SERVER_URL: 'https://ghe.example.com' }

  test('codespaces is refused, naming the input and the server', () => {
    let error: unknown
    try {
      configFrom({ 'secret-store': 'codespaces' }, GHES)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputErrors)
    expect((error as InputErrors).errors.map(e => e.message)).toEqual([
      "Input 'secret-store': codespaces secrets do not exist on GitHub Enterprise Server (GITHUB_SERVER_URL is https://ghe.example.com)."
    ])
  })

  test('actions and dependabot are accepted there, codespaces on github.com and GHE.com', () => {
    expect(configFrom({ 'secret-store': 'actions' }, GHES).secretStore).toBe('actions')
    expect(configFrom({ 'secret-store': 'dependabot' }, GHES).secretStore).toBe('dependabot')
    for (const server of ['https://github.com', 'https://octo.ghe.com'])
      expect(
        configFrom({ 'secret-store': 'codespaces' }, { GITHUB_SERVER_URL: server }).secretStore
      ).toBe('codespaces')
    expect(configFrom({ 'secret-store': 'codespaces' }).secretStore).toBe('codespaces')
  })
})
