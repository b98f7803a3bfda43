// Unit tests of the job summary's HTML (render/report.ts summaryHtml) and its links (links.ts).
import { summaryHtml, verdict, type SummaryInput } from '../../src/render/report.js'
import { iamUserUrl, s3BucketUrl, secretsSettingsUrl } from '../../src/render/links.js'
import { buildPlan } from '../../src/plan/plan.js'
import { configFrom, type Inputs } from '../../__fixtures__/config.js'
import { freshObserved, identity, KEY_A, NOW, steadyObserved } from '../../__fixtures__/observed.js'
import { hrefs, htmlProblems } from '../support/html.js'

function input(inputs: Inputs, steady: boolean, partition = 'aws'): SummaryInput {
  const config = configFrom(inputs, { GITHUB_SERVER_URL: 'https://ghe.example.com' })
  const o = (steady ? steadyObserved : freshObserved)(config, { identity: identity({ partition }) })
  return {
    config,
    plan: buildPlan(config, o, NOW),
    keys: o.user?.keys ?? [],
    warnings: ['a <warning> & more'],
    timingsMs: { lookup: 12, total: 40 },
    now: NOW
  }
}

describe('summaryHtml', () => {
  test('well-formed, every link absolute, verdict first, timings folded away', () => {
    const html = summaryHtml(input({ rotate: 'true', 'max-key-age-days': '30' }, true))
    expect(htmlProblems(html)).toEqual([])
    expect(hrefs(html).length).toBeGreaterThan(0)
    for (const href of hrefs(html)) expect(href).toMatch(/^https:\/\//)
    expect(html.split('\n')[0]).toBe('<h2>S3 credentials: nothing to do</h2>')
    expect(html).toContain('<details><summary>Timings</summary>')
    expect(html).toContain('a &lt;warning&gt; &amp; more')
    expect(html).toContain(
      `${KEY_A} (kept), created 2025-06-05 (10 days old), rotation due 2025-07-05`
    )
    expect(html).toContain('href="https://ghe.example.com/octo-org/app/settings/secrets/actions"')
  })

  test('a failure: verdict failed and the remedy', () => {
    const i = input({}, true)
    const html = summaryHtml({
      ...i,
      error: { code: 'AWS_CALL_FAILED', line: 'x. To fix: y', remedy: 'do y.' }
    })
    expect(htmlProblems(html)).toEqual([])
    expect(verdict({ ...i, error: { code: 'PARTIAL_WRITE', line: '' } })).toBe('partly done')
    expect(html).toContain('<h2>S3 credentials: failed</h2>')
    expect(html).toContain('What to do: do y.')
  })

  test('a partition without a console gets no console link', () => {
    const html = summaryHtml(input({}, true, 'aws-iso'))
    expect(htmlProblems(html)).toEqual([])
    expect(hrefs(html).some(h => h.includes('console'))).toBe(false)
  })
})

test('the checker finds misnested, unclosed and stray markup', () => {
  expect(htmlProblems('<p><b>x</p></b>')).toHaveLength(2)
  expect(htmlProblems('<details><p>x</p>')).toEqual(['<details> is never closed'])
  expect(htmlProblems('a < b & c')).toHaveLength(2)
})

describe('links', () => {
  test.each([
    ['aws', 'https://console.aws.amazon.com'],
    ['aws-cn', 'https://console.amazonaws.cn'],
    ['aws-us-gov', 'https://console.amazonaws-us-gov.com'],
    ['aws-iso', undefined]
  ])('console of partition %s', (partition, base) => {
    expect(iamUserUrl(partition, 'o+r')).toBe(base && `${base}/iam/home#/users/details/o%2Br`)
    expect(s3BucketUrl(partition, 'b', 'eu-west-1')).toBe(
      base && `${base}/s3/buckets/b?region=eu-west-1`
    )
  })

  test('secrets settings per destination and store', () => {
    const s = 'https://github.com/'
    expect(secretsSettingsUrl(s, { kind: 'repository', owner: 'o', repo: 'r' }, 'dependabot')).toBe(
      'https://github.com/o/r/settings/secrets/dependabot'
    )
    expect(
      secretsSettingsUrl(
        s,
        { kind: 'repository', owner: 'o', repo: 'r', environment: 'e' },
        'actions'
      )
    ).toBe('https://github.com/o/r/settings/environments')
    expect(
      secretsSettingsUrl(
        s,
        { kind: 'organization', org: 'o', visibility: 'selected', selectedRepositories: [] },
        'codespaces'
      )
    ).toBe('https://github.com/organizations/o/settings/secrets/codespaces')
  })
})
