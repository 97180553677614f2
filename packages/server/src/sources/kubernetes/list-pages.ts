// Lists a resource collection page by page (limit/continue), so a 10,000-Service cluster never
// arrives as one huge response.

import type { KubeClient } from './kube-client.js';

type Raw = Record<string, unknown>;

export async function listAllPages(
  client: KubeClient,
  path: string,
  kind: string,
  options: { pageSize?: number; signal?: AbortSignal } = {},
): Promise<{ items: Raw[]; resourceVersion: string | undefined }> {
  const items: Raw[] = [];
  let continueToken: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await client.json<{ items?: Raw[]; metadata?: Raw }>(path, {
      query: { limit: options.pageSize ?? 500, continue: continueToken },
      signal: options.signal,
    });
    items.push(...(page.items ?? []));
    continueToken = typeof page.metadata?.continue === 'string' && page.metadata.continue ? page.metadata.continue : undefined;
    resourceVersion = page.metadata?.resourceVersion as string | undefined;
  } while (continueToken);
  // List items carry no kind; the trimmer needs it.
  for (const item of items) item.kind ??= kind;
  return { items, resourceVersion };
}
