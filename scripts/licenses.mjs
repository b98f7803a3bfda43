// Writes dist/licenses.txt: the license of every package bundled into dist/, in the format of
// ncc's --license option (license-webpack-plugin's default). ncc's own option writes one file per
// chunk under the same name, so with the lazily loaded chunks the last chunk's list would replace
// the others; this reads every chunk's source map instead. Run by `npm run build` after ncc.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')

/** node_modules/<name> or node_modules/@scope/<name>: the innermost package of a bundled file. */
function packageDir(source) {
  const parts = source.split('/')
  const last = parts.lastIndexOf('node_modules')
  if (last < 0) return undefined
  const name = parts[last + 1]?.startsWith('@')
    ? parts.slice(last + 1, last + 3)
    : [parts[last + 1]]
  return join(root, ...parts.slice(parts.indexOf('node_modules'), last + 1), ...name)
}

const packages = new Map()
for (const file of readdirSync(dist)
  .filter(f => f.endsWith('.js.map'))
  .sort()) {
  const map = JSON.parse(readFileSync(join(dist, file), 'utf8'))
  for (const source of map.sources) {
    const relative = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\.?\/)+/, '')
    const dir = packageDir(relative)
    if (!dir) continue
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (packages.has(pkg.name)) continue
    const licenseFile = readdirSync(dir)
      .sort()
      .find(f => /^licen[cs]e/i.test(f) && !statSync(join(dir, f)).isDirectory())
    packages.set(pkg.name, {
      name: pkg.name,
      id: typeof pkg.license === 'string' ? pkg.license : pkg.license?.type,
      text: licenseFile
        ? readFileSync(join(dir, licenseFile), 'utf8').replace(/\r\n/g, '\n')
        : undefined
    })
  }
}
const text = [...packages.values()]
  .sort((a, b) => (a.name < b.name ? -1 : 1))
  .reduce(
    (out, p) => `${out}${p.name}${p.id ? `\n${p.id}` : ''}${p.text ? `\n${p.text}` : ''}\n\n`,
    ''
  )
writeFileSync(join(dist, 'licenses.txt'), `${text.trim()}\n`)
console.log(`dist/licenses.txt: ${packages.size} packages`)
