import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/**
 * What Apollo Sandbox opens with outside production: log in, ask who you are, renew the pair.
 * Cookie mode, because the embedded Sandbox runs its requests from the page this server serves
 * (same origin, so the SameSite=Strict refresh cookie goes along) with cookies included.
 *
 * Apollo escapes only the first `<`, `>`, `&` and `'` of this text where it writes it into the
 * page's script, so the document holds none of them: a second `</script>` would end the script
 * early. A unit test keeps it so.
 */
export const SANDBOX_DOCUMENT = `# Tollgate. Run the operations in this order (the play button offers each):
#
# 1. Login: fill in the variables below (a user from signUp or npm run user:create).
#    The refresh token goes into an HttpOnly cookie (useCookie: true), never into this page.
# 2. Copy data.login.accessToken and add a header in the Headers panel:
#    Authorization: Bearer followed by a space and the token.
# 3. Me: who the token says you are.
# 4. When the access token expires (expiresIn seconds), remove the Authorization header,
#    run Refresh (it reads the cookie and rotates it) and paste the new access token.

mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password, useCookie: true) {
    accessToken
    expiresIn
    user {
      id
      displayName
      email
      roles
    }
  }
}

query Me {
  me {
    id
    displayName
    email
    roles
    lastLoginAt
  }
}

mutation Refresh {
  refresh(useCookie: true) {
    accessToken
    expiresIn
  }
}
`;

/** Placeholders only: a real password typed here stays in the browser's Sandbox state. */
export const SANDBOX_VARIABLES = { email: 'ann@example.com', password: '' } as const;

/** The development landing page: the embedded Apollo Sandbox, with cookies and the document above. */
export function sandboxLandingPage(): ApolloServerPlugin {
  return ApolloServerPluginLandingPageLocalDefault({
    embed: true,
    includeCookies: true,
    document: SANDBOX_DOCUMENT,
    variables: { ...SANDBOX_VARIABLES },
  });
}
