import { BENCH_PASSWORD, ME_QUERY, USERS_QUERY } from './shared';

/** The GraphQL request bodies the runner sends, each serialised once. */
export const ME_BODY = JSON.stringify({ query: ME_QUERY });
export const USERS_BODY = JSON.stringify({ query: USERS_QUERY });
export const LOGIN_BODY = JSON.stringify({
  query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
  variables: { e: 'user@bench.test', p: BENCH_PASSWORD },
});

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
