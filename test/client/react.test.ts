import { createElement, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { useApolloClient } from '@apollo/client/react';
import { createTollgateClient, type TollgateClient } from '../../client/src';
import { TollgateProvider, useCan, useSession, useTollgate, useViewer } from '../../client/src/react';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An access token as the client reads it (payload only; the client verifies nothing). */
const accessToken = (claims: object) => `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64(claims)}.signature`;

/** A client whose `refresh` answers with a token for `roles`: the session as a page restores it. */
async function restoredAs(roles: string[]): Promise<TollgateClient> {
  const fetch: typeof globalThis.fetch = async () =>
    new Response(
      JSON.stringify({
        data: {
          pair: {
            accessToken: accessToken({ sub: 'ann', sid: 's1', roles, iat: Math.floor(Date.now() / 1000) }),
            expiresIn: 900,
            user: { id: 'ann', email: null, displayName: 'Ann', roles, createdAt: '', lastLoginAt: null },
          },
        },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  const client = createTollgateClient({ uri: '/graphql', fetch });
  await client.restore();
  return client;
}

function Probe(): ReactNode {
  const session = useSession();
  const viewer = useViewer();
  const admin = useCan('Query.users');
  const ownEmail = useCan('User.email', { ownerId: 'ann' });
  const sameClient = useTollgate().apollo === useApolloClient();
  return `${session.status}|${viewer?.id ?? '-'}|admin:${admin}|ownEmail:${ownEmail}|apollo:${sameClient}`;
}

const render = (client: TollgateClient) =>
  renderToString(createElement(TollgateProvider, { client }, createElement(Probe)));

describe('@tollgate/client/react', () => {
  it('renders "restoring" before the session is known, and nothing as signed in', () => {
    const client = createTollgateClient({ uri: '/graphql', fetch: async () => new Response('{}') });
    try {
      expect(render(client)).toBe('restoring|-|admin:false|ownEmail:false|apollo:true');
    } finally {
      client.dispose();
    }
  });

  it('gives the viewer and what they may read to the components', async () => {
    const user = await restoredAs(['USER']);
    const admin = await restoredAs(['ADMIN']);
    try {
      expect(render(user)).toBe('signedIn|ann|admin:false|ownEmail:true|apollo:true');
      expect(render(admin)).toBe('signedIn|ann|admin:true|ownEmail:true|apollo:true');
    } finally {
      user.dispose();
      admin.dispose();
    }
  });

  it('refuses a hook outside the provider with a clear error', () => {
    expect(() => renderToString(createElement(Probe))).toThrow('no <TollgateProvider>');
  });
});
