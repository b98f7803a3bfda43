// GitHub's published OpenAPI description (from the installed @octokit/openapi package), used by the
// stand-in to route requests to operations and to validate request bodies. Loaded lazily, once per
// process; body validators are compiled only for operations actually exercised, cached by operationId.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

type JsonObject = { [key: string]: unknown }

export interface OpenApiOperation {
  operationId: string
  externalDocs?: { url?: string }
  parameters?: JsonObject[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonObject }> }
}

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>
  components?: JsonObject
}

interface CompiledTemplate {
  template: string
  pattern: RegExp
  literalMask: number[] // 1 for each segment without parameters: more literal segments win
}

export interface RouteMatch {
  template: string
  params: Record<string, string>
  operation: OpenApiOperation | undefined // undefined: path described, method not
}

export interface OpenApiDescription {
  match(method: string, pathname: string): RouteMatch | undefined
  validateBody(operation: OpenApiOperation, body: unknown): string[]
  perPage(operation: OpenApiOperation): { fallback: number; max: number }
}

/** GitHub.com's description, or a GitHub Enterprise Server release's (`ghes-3.19`). */
export type DescriptionName = 'api.github.com' | `ghes-${number}.${number}`

const descriptions = new Map<DescriptionName, Promise<OpenApiDescription>>()

export function openApiFile(name: DescriptionName = 'api.github.com'): string {
  const require = createRequire(import.meta.url)
  const packageJson = require.resolve('@octokit/openapi/package.json')
  return path.join(path.dirname(packageJson), 'generated', `${name}.json`)
}

export function loadOpenApiDescription(
  name: DescriptionName = 'api.github.com'
): Promise<OpenApiDescription> {
  let loaded = descriptions.get(name)
  if (!loaded) {
    loaded = readFile(openApiFile(name), 'utf8').then(
      text => new Description(JSON.parse(text) as OpenApiDocument)
    )
    descriptions.set(name, loaded)
  }
  return loaded
}

class Description implements OpenApiDescription {
  private readonly doc: OpenApiDocument
  private readonly templates: CompiledTemplate[]
  private readonly ajv: Ajv
  private readonly validators = new Map<string, ValidateFunction | null>()

  constructor(doc: OpenApiDocument) {
    this.doc = doc
    this.templates = Object.keys(doc.paths).map(compileTemplate)
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false })
    addFormatsModule.default(this.ajv)
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    let best: { compiled: CompiledTemplate; params: Record<string, string> } | undefined
    for (const compiled of this.templates) {
      const found = compiled.pattern.exec(pathname)
      if (!found) continue
      if (best && compareMasks(compiled.literalMask, best.compiled.literalMask) <= 0) continue
      best = { compiled, params: decodeParams(found.groups ?? {}) }
    }
    if (!best) return undefined
    const pathItem = this.doc.paths[best.compiled.template] ?? {}
    const operation = pathItem[method.toLowerCase()] as OpenApiOperation | undefined
    return { template: best.compiled.template, params: best.params, operation }
  }

  validateBody(operation: OpenApiOperation, body: unknown): string[] {
    const validate = this.validatorFor(operation)
    if (!validate || validate(body)) return []
    return (validate.errors ?? []).map(describeError)
  }

  perPage(operation: OpenApiOperation): { fallback: number; max: number } {
    const parameter = (operation.parameters ?? [])
      .map(p => this.resolve(p))
      .find(p => p.name === 'per_page' && p.in === 'query')
    const schema = (parameter?.schema ?? {}) as JsonObject
    const max = /\(max (\d+)\)/.exec(String(parameter?.description ?? ''))
    return {
      fallback: typeof schema.default === 'number' ? schema.default : 30,
      max: max ? Number(max[1]) : 100
    }
  }

  private validatorFor(operation: OpenApiOperation): ValidateFunction | null {
    const cached = this.validators.get(operation.operationId)
    if (cached !== undefined) return cached
    const schema = operation.requestBody?.content?.['application/json']?.schema
    const validate = schema ? this.ajv.compile(this.inline(schema, []) as JsonObject) : null
    this.validators.set(operation.operationId, validate)
    return validate
  }

  // Replaces local $refs by their targets so that each operation compiles on its own; a cyclic
  // reference is cut to an empty (accept-anything) schema.
  private inline(node: unknown, trail: string[]): unknown {
    if (Array.isArray(node)) return node.map(item => this.inline(item, trail))
    if (!isObject(node)) return node
    const ref = node.$ref
    if (typeof ref === 'string') {
      if (trail.includes(ref)) return {}
      return this.inline(this.pointer(ref), [...trail, ref])
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.inline(v, trail)]))
  }

  private resolve(node: JsonObject): JsonObject {
    return typeof node.$ref === 'string' ? this.resolve(this.pointer(node.$ref)) : node
  }

  private pointer(ref: string): JsonObject {
    let current: unknown = this.doc
    for (const raw of ref.replace(/^#\//, '').split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
      current = isObject(current) ? current[key] : undefined
    }
    if (!isObject(current)) throw new Error(`unresolvable $ref ${ref} in the OpenAPI description`)
    return current
  }
}

function compileTemplate(template: string): CompiledTemplate {
  const segments = template.split('/').slice(1)
  const source = segments
    .map(segment =>
      segment
        .split(/(\{[^}]+\})/)
        .map(part =>
          /^\{[^}]+\}$/.test(part)
            ? `(?<${groupName(part.slice(1, -1))}>[^/]+)`
            : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        )
        .join('')
    )
    .join('/')
  return {
    template,
    pattern: new RegExp(`^/${source}/?$`),
    literalMask: segments.map(segment => (segment.includes('{') ? 0 : 1))
  }
}

// Named groups must be identifiers; OpenAPI parameter names here are snake_case already.
function groupName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_')
}

function decodeParams(groups: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, value]) => [name, safeDecode(value)])
  )
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function compareMasks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Mimics the wording of GitHub's own 422 "Invalid request." details.
function describeError(error: ErrorObject): string {
  const where = error.instancePath.split('/').filter(Boolean)
  const at = where.length ? `'${where.map(p => `properties/${p}`).join('/')}'` : `'links/0/schema'`
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" wasn't supplied.`
    case 'enum':
      return `For ${at}, ${JSON.stringify(error.data)} is not a member of ${JSON.stringify(params.allowedValues)}.`
    case 'type':
      return `For ${at}, ${JSON.stringify(error.data)} is not ${article(String(params.type))}.`
    case 'pattern':
      return `For ${at}, ${JSON.stringify(error.data)} does not match /${String(params.pattern)}/.`
    case 'additionalProperties':
      return `For ${at}, "${String(params.additionalProperty)}" is not a permitted key.`
    default:
      return `For ${at}, ${JSON.stringify(error.data)} ${error.message ?? 'is invalid'}.`
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
