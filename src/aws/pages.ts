/** Paging through the AWS SDK's paginators. */

/** Every item of every page a paginator yields, in order. */
export async function allItems<Page, Item>(
  pages: AsyncIterable<Page>,
  items: (page: Page) => Item[] | undefined
): Promise<Item[]> {
  const all: Item[] = []
  for await (const page of pages) all.push(...(items(page) ?? []))
  return all
}

/** The names a List*Policies paginator (inline policies of a user or a role) yields. */
export function policyNames(pages: AsyncIterable<{ PolicyNames?: string[] }>): Promise<string[]> {
  return allItems(pages, page => page.PolicyNames)
}

/** The ARNs a List*AttachedPolicies paginator yields. */
export async function attachedPolicyArns(
  pages: AsyncIterable<{ AttachedPolicies?: { PolicyArn?: string }[] }>
): Promise<string[]> {
  const attached = await allItems(pages, page => page.AttachedPolicies)
  return attached.map(p => p.PolicyArn ?? '')
}
