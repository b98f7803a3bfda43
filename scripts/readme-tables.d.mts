// Types of scripts/readme-tables.mjs, for the TypeScript tests that import it.
export interface ActionMetadata {
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs?: Record<string, { description?: string }>
}
export function inputsTable(action: ActionMetadata): string
export function outputsTable(action: ActionMetadata): string
export function updateReadme(readme: string, actionYmlText: string): string
