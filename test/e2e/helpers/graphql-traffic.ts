import type { Page } from 'playwright-core';

export interface GraphQLExchange {
  readonly operationName: string | null;
  readonly status: number;
  /** `extensions.reason` (or the code when there is no reason) of each error in the answer. */
  readonly reasons: readonly string[];
}

/**
 * Every /graphql exchange of a tab, with the reasons its errors gave: how a scenario shows
 * that a path it claims was really taken (a 401 TOKEN_STALE, then the refresh, then success).
 */
export function recordGraphQLTraffic(page: Page): { exchanges: GraphQLExchange[]; settled(): Promise<void> } {
  const exchanges: GraphQLExchange[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (!new URL(request.url()).pathname.endsWith('/graphql')) return;
    pending.push(
      (async () => {
        const operationName = operationNameOf(request.postData());
        let reasons: string[] = [];
        try {
          const body = (await response.json()) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
          reasons = (body.errors ?? []).map((e) => e.extensions?.reason ?? e.extensions?.code ?? 'UNKNOWN');
        } catch {
          // The page went away before the body was read.
        }
        exchanges.push({ operationName, status: response.status(), reasons });
      })(),
    );
  });
  return { exchanges, settled: async () => void (await Promise.all(pending)) };
}

/** The body's `operationName`, else the name in the document itself (`mutation TollgateRefresh {…}`). */
function operationNameOf(body: string | null): string | null {
  try {
    const { operationName, query } = JSON.parse(body ?? '{}') as { operationName?: string; query?: string };
    return operationName ?? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query ?? '')?.[1] ?? null;
  } catch {
    return null; // Not JSON.
  }
}
