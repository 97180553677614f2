// Lists a resource collection page by page (limit/continue), so a 10,000-Service cluster never
// arrives as one huge response.

import type { KubeClient } from './kube-client.js';

type Raw = Record<string, unknown>;

// `convert` runs on each page as it arrives (the record index's trimming), so only one page of
// full API objects is ever held: at 10,000 Services the whole list would be most of the heap.
export async function listAllPages<T = Raw>(
  client: KubeClient,
  path: string,
  kind: string,
  options: { pageSize?: number; signal?: AbortSignal; convert?: (item: Raw) => T | undefined } = {},
): Promise<{ items: T[]; resourceVersion: string | undefined }> {
  const items: T[] = [];
  let continueToken: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await client.json<{ items?: Raw[]; metadata?: Raw }>(path, {
      query: { limit: options.pageSize ?? 500, continue: continueToken },
      signal: options.signal,
    });
    for (const item of page.items ?? []) {
      // List items carry no kind; the trimmer needs it.
      item.kind ??= kind;
      const converted = options.convert ? options.convert(item) : (item as T);
      if (converted !== undefined) items.push(converted);
    }
    continueToken = typeof page.metadata?.continue === 'string' && page.metadata.continue ? page.metadata.continue : undefined;
    resourceVersion = page.metadata?.resourceVersion as string | undefined;
  } while (continueToken);
  return { items, resourceVersion };
}
