import { gql } from '@apollo/client';
import { createTollgateClient, type TollgateClientOptions } from '../../client/src';

/** A fetch that answers every request with `body`, recording what was sent. */
function recordingFetch(body: object) {
  const sent: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    sent.push({ url: String(input), init });
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, sent };
}

describe('createTollgateClient options', () => {
  const bad: Array<[string, Partial<TollgateClientOptions>, string]> = [
    ['no uri', { uri: '' }, '`uri`'],
    ['a negative leeway', { uri: '/graphql', refreshLeewayMs: -1 }, '`refreshLeewayMs`'],
    ['an infinite leeway', { uri: '/graphql', refreshLeewayMs: Infinity }, '`refreshLeewayMs`'],
    ['unknown credentials', { uri: '/graphql', credentials: 'omit' as never }, '`credentials`'],
  ];
  it.each(bad)('refuses %s with a TypeError naming the option', (_name, options, named) => {
    expect(() => createTollgateClient(options as TollgateClientOptions)).toThrow(TypeError);
    expect(() => createTollgateClient(options as TollgateClientOptions)).toThrow(named);
  });

  it("sends the session mutations and operations with credentials 'include' for a cross-origin API", async () => {
    const { fetch, sent } = recordingFetch({ data: { me: null } });
    const client = createTollgateClient({ uri: 'https://api.example.com/graphql', fetch, credentials: 'include' });
    try {
      await client.restore();
      await client.apollo.query({
        query: gql`
          query OptionsMe {
            me {
              id
            }
          }
        `,
      });
      expect(sent.map((request) => request.url)).toEqual([
        'https://api.example.com/graphql',
        'https://api.example.com/graphql',
      ]);
      expect(sent.map((request) => request.init?.credentials)).toEqual(['include', 'include']);
    } finally {
      client.dispose();
    }
  });

  it("defaults to credentials 'same-origin' (an API behind the app's own origin)", async () => {
    const { fetch, sent } = recordingFetch({ data: { me: null } });
    const client = createTollgateClient({ uri: '/graphql', fetch });
    try {
      await client.restore();
      expect(sent[0]?.init?.credentials).toBe('same-origin');
      // The refresh never selects the refresh token: in cookie mode it must not reach script.
      expect(String(sent[0]?.init?.body)).not.toContain('refreshToken');
    } finally {
      client.dispose();
    }
  });
});
