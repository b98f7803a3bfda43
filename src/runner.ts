/**
 * The part of @actions/core this action uses, with the same names, output and file formats:
 * workflow commands on stdout (log, annotations, groups, masking), the GITHUB_OUTPUT file and the
 * job summary. @actions/core itself also carries an OIDC client whose HTTP stack (undici, about a
 * megabyte) is parsed and run at every start-up, a third of the bundle the action never calls.
 * Only strings are passed here, so no value needs JSON conversion.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync } from 'node:fs'
import { access, appendFile, constants, writeFile } from 'node:fs/promises'
import { EOL } from 'node:os'

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

function issue(command: string, message = ''): void {
  process.stdout.write(`::${command}::${escapeData(message)}${EOL}`)
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function debug(message: string): void {
  issue('debug', message)
}

export function warning(message: string | Error): void {
  issue('warning', message instanceof Error ? message.toString() : message)
}

export function error(message: string | Error): void {
  issue('error', message instanceof Error ? message.toString() : message)
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

/** Masks `secret` in the log from now on. */
export function setSecret(secret: string): void {
  issue('add-mask', secret)
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue('group', name)
  try {
    return await fn()
  } finally {
    issue('endgroup')
  }
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT || ''
  if (!file) {
    process.stdout.write(EOL)
    process.stdout.write(`::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`)
    return
  }
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: the output ${name} contains the delimiter ${delimiter}`)
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`)
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
}

const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

export type SummaryTableCell =
  string | { data: string; header?: boolean; colspan?: string; rowspan?: string }

/** The job summary (GITHUB_STEP_SUMMARY): HTML built up in a buffer, then appended at once. */
class Summary {
  private buffer = ''

  private wrap(tag: string, content: string, attrs: Record<string, string> = {}): string {
    const html = Object.entries(attrs)
      .map(([key, value]) => ` ${key}="${value}"`)
      .join('')
    return content ? `<${tag}${html}>${content}</${tag}>` : `<${tag}${html}>`
  }

  addRaw(text: string, addEOL = false): this {
    this.buffer += text
    return addEOL ? this.addEOL() : this
  }

  addEOL(): this {
    return this.addRaw(EOL)
  }

  addHeading(text: string, level: number | string = 1): this {
    const tag = `h${level}`
    const allowed = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag) ? tag : 'h1'
    return this.addRaw(this.wrap(allowed, text)).addEOL()
  }

  addList(items: string[], ordered = false): this {
    const list = items.map(item => this.wrap('li', item)).join('')
    return this.addRaw(this.wrap(ordered ? 'ol' : 'ul', list)).addEOL()
  }

  addTable(rows: SummaryTableCell[][]): this {
    const body = rows
      .map(row =>
        this.wrap(
          'tr',
          row
            .map(cell => {
              if (typeof cell === 'string') return this.wrap('td', cell)
              const { header, data, colspan, rowspan } = cell
              return this.wrap(header ? 'th' : 'td', data, {
                ...(colspan ? { colspan } : {}),
                ...(rowspan ? { rowspan } : {})
              })
            })
            .join('')
        )
      )
      .join('')
    return this.addRaw(this.wrap('table', body)).addEOL()
  }

  async write(options: { overwrite?: boolean } = {}): Promise<this> {
    const file = process.env.GITHUB_STEP_SUMMARY
    if (!file)
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.'
      )
    try {
      await access(file, constants.R_OK | constants.W_OK)
    } catch {
      throw new Error(
        `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`
      )
    }
    await (options.overwrite ? writeFile : appendFile)(file, this.buffer, { encoding: 'utf8' })
    this.buffer = ''
    return this
  }
}

export const summary = new Summary()
