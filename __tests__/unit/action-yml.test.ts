/**
 * action.yml, the code and the README cannot drift: every input the code reads and every output it
 * sets is declared (with a description, defaults in action.yml), every declaration is used, the
 * README's tables are generated from action.yml, its examples are the files in examples/, its
 * policy is docs/iam-policy.json, and its troubleshooting table has one row per error code.
 * The code is read with the TypeScript parser, not with regular expressions.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { parse } from 'yaml'
import { updateReadme } from '../../scripts/readme-tables.mjs'
import { ERROR_CODES } from '../../src/errors.js'
import { ACTION_NAME, ACTION_VERSION, actionUserAgent } from '../../src/aws/clients.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

interface ActionYml {
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs: Record<string, { description?: string }>
  runs: { using: string; main: string }
}
const actionYmlText = read('action.yml')
const action = parse(actionYmlText) as ActionYml
const README = read('README.md')

function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
        ? [join(dir, entry.name)]
        : []
  )
}

interface Use {
  name: string
  where: string
}

/** What the code reads, sets and names, found by walking the syntax trees of src/. */
function scan() {
  const reads: Use[] = []
  const outputs: Use[] = []
  const blamed: Use[] = []
  const fallbacks: (Use & { fallback: string })[] = []
  const dynamic: string[] = []
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8')
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const where = (node: ts.Node) =>
      `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
    const literal = (node: ts.Node | undefined) =>
      node && ts.isStringLiteralLike(node) ? node.text : undefined
    const calleeName = (call: ts.CallExpression) =>
      ts.isIdentifier(call.expression)
        ? call.expression.text
        : ts.isPropertyAccessExpression(call.expression)
          ? call.expression.name.text
          : ''
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = calleeName(node)
        const [first, second] = node.arguments
        if (['read', 'getInput', 'getBooleanInput', 'getMultilineInput'].includes(callee)) {
          const name = literal(first)
          if (name === undefined) dynamic.push(`${callee}(…) at ${where(node)}`)
          else reads.push({ name, where: where(node) })
        }
        if (callee === 'setOutput') {
          const name = literal(first)
          if (name === undefined) dynamic.push(`setOutput(…) at ${where(node)}`)
          else outputs.push({ name, where: where(node) })
        }
        // The input an error message blames: Collector.fail/check('x', …), oneOf/boolean/integer(c, 'x', …).
        const blamedName = ['fail', 'check'].includes(callee)
          ? literal(first)
          : ['oneOf', 'boolean', 'integer'].includes(callee)
            ? literal(second)
            : undefined
        if (blamedName !== undefined) blamed.push({ name: blamedName, where: where(node) })
      }
      if (
        ts.isBinaryExpression(node) &&
        [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(
          node.operatorToken.kind
        ) &&
        ts.isCallExpression(node.left) &&
        calleeName(node.left) === 'read'
      ) {
        const name = literal(node.left.arguments[0])
        const fallback = literal(node.right)
        if (name !== undefined && fallback !== undefined)
          fallbacks.push({ name, fallback, where: where(node) })
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return { reads, outputs, blamed, fallbacks, dynamic }
}

const code = scan()
const declaredInputs = Object.keys(action.inputs)
const declaredOutputs = Object.keys(action.outputs)
const undeclared = (uses: Use[], declared: string[]) =>
  uses.filter(u => !declared.includes(u.name)).map(u => `${u.name} (${u.where})`)

describe('action.yml and the code', () => {
  test('the scan found the calls, all with literal names', () => {
    expect(code.reads.length).toBeGreaterThan(20)
    expect(code.outputs.length).toBeGreaterThanOrEqual(8)
    expect(code.dynamic).toEqual([])
  })

  test('every input the code reads is declared', () => {
    expect(undeclared(code.reads, declaredInputs)).toEqual([])
  })

  test('every declared input is read', () => {
    const read = new Set(code.reads.map(u => u.name))
    expect(declaredInputs.filter(name => !read.has(name))).toEqual([])
  })

  test('every input an error message names is declared', () => {
    expect(undeclared(code.blamed, declaredInputs)).toEqual([])
  })

  test('every output the code sets is declared, and every declared output is set', () => {
    expect(undeclared(code.outputs, declaredOutputs)).toEqual([])
    const set = new Set(code.outputs.map(u => u.name))
    expect(declaredOutputs.filter(name => !set.has(name))).toEqual([])
  })

  test('every input and output has a description', () => {
    const missing = [
      ...Object.entries(action.inputs).filter(([, spec]) => !spec.description?.trim()),
      ...Object.entries(action.outputs).filter(([, spec]) => !spec.description?.trim())
    ].map(([name]) => name)
    expect(missing).toEqual([])
  })

  test('defaults live in action.yml: every optional input has one, the required none', () => {
    const wrong = Object.entries(action.inputs)
      .filter(([, spec]) => (spec.required === true) === 'default' in spec)
      .map(([name]) => name)
    expect(wrong).toEqual([])
  })

  test("the code's fallbacks repeat action.yml's defaults", () => {
    expect(code.fallbacks.length).toBeGreaterThan(5)
    const differing = code.fallbacks
      .filter(f => String(action.inputs[f.name]?.default) !== f.fallback)
      .map(
        f =>
          `${f.name}: code says '${f.fallback}' (${f.where}), action.yml '${String(action.inputs[f.name]?.default)}'`
      )
    expect(differing).toEqual([])
  })

  test('runs on Node 24 from the bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
})

describe('README', () => {
  test('the inputs and outputs tables are generated from action.yml', () => {
    // On failure: node scripts/readme-tables.mjs
    expect(updateReadme(README, actionYmlText)).toBe(README)
  })

  const examples = readdirSync(join(ROOT, 'examples')).filter(f => f.endsWith('.yml'))
  test('there are examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['setup.yml', 'rotate.yml']))
  })
  test.each(examples)('shows examples/%s verbatim', file => {
    expect(README).toContain(`\`\`\`yaml\n${read(`examples/${file}`).trimEnd()}\n\`\`\``)
  })

  test('shows docs/iam-policy.json verbatim', () => {
    expect(README).toContain(`\`\`\`json\n${read('docs/iam-policy.json').trimEnd()}\n\`\`\``)
  })

  test('the troubleshooting table has one row per error code, in catalogue order', () => {
    const section = README.slice(README.indexOf('## Troubleshooting'))
    const body = section.slice(0, section.indexOf('\n## ', 3))
    const rows = [...body.matchAll(/^\| `([A-Z_]+)` \|/gm)].map(m => m[1])
    expect(rows).toEqual([...ERROR_CODES])
  })
})

describe('the error catalogue', () => {
  test('every code is raised somewhere (codes nobody uses are removed)', () => {
    const text = sourceFiles()
      .map(f => readFileSync(f, 'utf8'))
      .join('\n')
    // errors.ts lists each code once; a code that is used occurs at least once more.
    const unused = ERROR_CODES.filter(c => text.split(`'${c}'`).length - 1 < 2)
    expect(unused).toEqual([])
  })
})

test("the user agent's name and version are package.json's, and it names the run", () => {
  const pkg = JSON.parse(read('package.json')) as { name: string; version: string }
  expect([ACTION_NAME, ACTION_VERSION]).toEqual([pkg.name, pkg.version])
  expect(
    actionUserAgent({ id: 'run-7-1', repository: 'o/r', serverUrl: 'https://github.com' })
  ).toBe(`${pkg.name}/${pkg.version} md/run#o/r/run-7-1`)
})
