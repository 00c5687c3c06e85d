import { parse as parseCookie } from 'cookie';

export const REFRESH_COOKIE = '__Host-tollgate-refresh';

/** One request the page sent, as the server saw it. */
export interface SentRequest {
  readonly operationName: string | null;
  readonly authorization: string | null;
  readonly cookie: string | null;
  readonly status: number;
}

/**
 * What Node's fetch lacks to stand in for a browser: a cookie jar (one per browser, shared by
 * its tabs, as the refresh cookie is) and a log of every request, to count refreshes.
 */
export class TestBrowser {
  readonly requests: SentRequest[] = [];
  private readonly jar = new Map<string, string>();
  private refreshesInFlight = 0;
  /** The most refreshes that were on the wire at one moment. */
  maxConcurrentRefreshes = 0;

  readonly fetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.set('cookie', cookie);
    const operationName = operationNameOf(init?.body);
    const isRefresh = operationName === 'TollgateRefresh';
    if (isRefresh) {
      this.refreshesInFlight += 1;
      this.maxConcurrentRefreshes = Math.max(this.maxConcurrentRefreshes, this.refreshesInFlight);
    }
    try {
      const response = await fetch(input, { ...init, headers });
      for (const line of response.headers.getSetCookie()) this.store(line);
      this.requests.push({
        operationName,
        authorization: headers.get('authorization'),
        cookie: cookie || null,
        status: response.status,
      });
      return response;
    } finally {
      if (isRefresh) this.refreshesInFlight -= 1;
    }
  };

  get refreshCookie(): string | undefined {
    return this.jar.get(REFRESH_COOKIE);
  }

  set refreshCookie(value: string | undefined) {
    if (value === undefined) this.jar.delete(REFRESH_COOKIE);
    else this.jar.set(REFRESH_COOKIE, value);
  }

  count(operationName: string): number {
    return this.requests.filter((request) => request.operationName === operationName).length;
  }

  private store(setCookie: string): void {
    const [pair, ...attributes] = setCookie.split(';');
    const [name, value] = Object.entries(parseCookie(pair ?? ''))[0] ?? [];
    if (!name) return;
    const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
    if (expired || !value) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}

function operationNameOf(body: unknown): string | null {
  if (typeof body !== 'string') return null;
  try {
    const parsed = JSON.parse(body) as { operationName?: unknown; query?: unknown };
    if (typeof parsed.operationName === 'string') return parsed.operationName;
    const match =
      typeof parsed.query === 'string' ? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(parsed.query) : null;
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}
