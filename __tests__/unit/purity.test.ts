// The architecture as checks: decisions (src/inputs/, src/plan/) import nothing that does I/O, and
// no module of src/ imports itself through others (an import cycle).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { spawnSync } from 'node:child_process'

const ROOT = join(import.meta.dirname, '..', '..')

describe('decisions do no I/O (eslint no-restricted-imports)', () => {
  // The project's own eslint, as the lint step runs it (its ESM config does not load inside jest).
  const lint = async (file: string, code: string): Promise<(string | null)[]> => {
    const eslint = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js')
    const args = [eslint, '--format', 'json', '--stdin', '--stdin-filename', join(ROOT, file)]
    const out = spawnSync(process.execPath, args, { cwd: ROOT, input: code, encoding: 'utf8' })
    const [result] = JSON.parse(out.stdout) as { messages: { ruleId: string | null }[] }[]
    return result!.messages.map(m => m.ruleId)
  }

  test.each([
    ['src/plan/plan.ts', "import { IAMClient } from '@aws-sdk/client-iam'"],
    ['src/plan/keys.ts', "import * as core from '@actions/core'"],
    ['src/inputs/config.ts', "import { request } from 'node:http'"],
    ['src/plan/plan.ts', "import { Iam } from '../aws/iam.js'"],
    ['src/inputs/rules.ts', "import { Destinations } from '../github/destinations.js'"],
    ['src/plan/keys.ts', "import { execute } from '../apply/execute.js'"]
  ])('%s may not: %s', async (file, line) => {
    expect(
      await lint(
        file,
        `${line}
`
      )
    ).toContain('no-restricted-imports')
  })

  test('the same import is allowed where I/O lives', async () => {
    expect(
      await lint(
        'src/aws/example.ts',
        "import { IAMClient } from '@aws-sdk/client-iam'\nexport const x = [IAMClient]\n"
      )
    ).not.toContain('no-restricted-imports')
  })
})

/** Every .ts file of src/ and the src/ files it imports (relative imports, types included). */
function importGraph(): Map<string, string[]> {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(dir, entry.name))
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
        files.push(join(dir, entry.name))
  }
  walk(join(ROOT, 'src'))
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const source = readFileSync(file, 'utf8')
    const targets = [...source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)].map(m =>
      relative(ROOT, normalize(join(dirname(file), `${m[1]}.ts`)))
    )
    graph.set(relative(ROOT, file), [...new Set(targets)])
  }
  return graph
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node]
    state.set(node, 'open')
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    path.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return undefined
}

describe('import cycles', () => {
  test('src/ has none', () => {
    expect(findCycle(importGraph())).toBeUndefined()
  })

  test('the check finds one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']]
    ])
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts'])
  })
})
