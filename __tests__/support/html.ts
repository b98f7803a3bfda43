/**
 * A small well-formedness check of the HTML in a job summary: every tag closed in order (void
 * elements excepted), attributes quoted, no stray '<' or '&', and every link absolute.
 */
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr'])

/** The problems found; empty when the HTML is well-formed. */
export function htmlProblems(html: string): string[] {
  const problems: string[] = []
  const open: string[] = []
  const token = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+="[^"<>]*")*)\s*(\/?)>|<|&(?![a-zA-Z]+;|#\d+;)/g
  for (const m of html.matchAll(token)) {
    if (m[2] === undefined) {
      problems.push(`stray '${m[0]}' at ${m.index}`)
      continue
    }
    const name = m[2].toLowerCase()
    if (m[1]) {
      const top = open.pop()
      if (top !== name) problems.push(`</${name}> closes <${top ?? 'nothing'}> at ${m.index}`)
    } else if (!VOID.has(name) && !m[4]) open.push(name)
  }
  for (const name of open) problems.push(`<${name}> is never closed`)
  return problems
}

/** Every href of the HTML. */
export function hrefs(html: string): string[] {
  return [...html.matchAll(/\shref="([^"]*)"/g)].map(m => m[1]!.replace(/&amp;/g, '&'))
}
