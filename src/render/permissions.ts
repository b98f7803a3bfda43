/**
 * GitHub's fine-grained permissions in the words of its settings pages, from the header
 * x-accepted-github-permissions: permission sets separated by ";" (any one set suffices), each a
 * comma-separated list of `name=level` needed together ("Troubleshooting the REST API").
 */
export interface PermissionNeed {
  name: string
  level: string
}

/** The header's alternatives, each a list of permissions needed together; [] when empty. */
export function parseAcceptedPermissions(header: string | undefined): PermissionNeed[][] {
  return (header ?? '')
    .split(';')
    .map(set =>
      set
        .split(',')
        .map(entry => entry.trim())
        .filter(Boolean)
        .map(entry => {
          const [name = '', level = ''] = entry.split('=').map(part => part.trim())
          return { name, level }
        })
    )
    .filter(set => set.length > 0)
}

/** The titles GitHub shows for the permissions the action meets; others are spelled out. */
const TITLES: Record<string, string> = {
  secrets: 'Secrets',
  environments: 'Environments',
  actions_variables: 'Variables',
  dependabot_secrets: 'Dependabot secrets',
  codespaces_secrets: 'Codespaces secrets',
  actions: 'Actions',
  metadata: 'Metadata'
}

const LEVELS: Record<string, string> = {
  read: 'read-only',
  write: 'read and write',
  admin: 'admin'
}

/** One permission as GitHub's settings name it: `"Secrets: read and write"`. */
export function permissionText({ name, level }: PermissionNeed): string {
  const org = name.startsWith('organization_')
  const bare = org ? name.slice('organization_'.length) : name
  const known = TITLES[bare] ?? TITLES[name]
  const title = known ?? capitalize(bare.replaceAll('_', ' '))
  return `${org ? 'organization ' : ''}"${title}: ${LEVELS[level] ?? level}"`
}

/** The alternatives as a phrase: `"A: read-only" and "B: read-only", or "C: admin"`. */
export function permissionsText(sets: PermissionNeed[][]): string {
  return sets.map(set => set.map(permissionText).join(' and ')).join(', or ')
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
