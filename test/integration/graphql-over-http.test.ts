import { isNonNullType, print } from 'graphql';
import { buildSchemaForPrinting } from '../../src/app';
import { LoginDocument, MeDocument, UserProfileDocument } from '../generated/graphql';
import { capturingLogger } from '../helpers/capturing-logger';
import { answerFor } from '../../src/http/acceptable-answer';
import { TEST_PASSWORD, startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';
import {
  GRAPHQL_RESPONSE_MEDIA_TYPE,
  PARTIAL_SUCCESS,
  graphqlResponseStatus,
} from '../../src/http/graphql-response-status';

/*
 * The GraphQL-over-HTTP specification, Stage 2 draft as of 2026-08-06 (graphql/graphql-over-http
 * e1e46e7), for clients that ask for `application/graphql-response+json`; Apollo Server's own
 * status codes for clients that ask for `application/json`. HTTP semantics do not depend on
 * the store, so this suite runs on SQLite only.
 */

const GRAPHQL_RESPONSE = GRAPHQL_RESPONSE_MEDIA_TYPE;
const LEGACY_JSON = 'application/json';
const CSRF_REFUSAL = /^This operation has been blocked as a potential Cross-Site Request Forgery/;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: unknown;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

describe('GraphQL over HTTP', () => {
  let server: TestServer;
  let ann: SignedIn;
  const log = capturingLogger('info');

  beforeAll(async () => {
    server = await startTestServer('sqlite', { logger: log.logger, env: { LOG_LEVEL: 'info' } });
    ann = await server.signIn('ann@example.com');
  });
  afterAll(() => server.close());

  const post = async (body: string | object, accept: string, headers: Record<string, string> = {}) =>
    answer(await server.post(body, { accept, ...headers }));

  const get = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
    const url = `${server.url}?${new URLSearchParams(params).toString()}`;
    return answer(await fetch(url, { headers }));
  };

  describe('requests that fail before execution', () => {
    // [what, body, status under application/graphql-response+json, status under application/json, code]
    it.each([
      ['a document that does not parse', { query: '{ me { id ' }, 400, 400, 'GRAPHQL_PARSE_FAILED'],
      ['a document that does not validate', { query: '{ nope }' }, 422, 400, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'a document past our limits (a validation rule of ours)',
        { query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ')} }` },
        422,
        400,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'two operations and no operationName',
        { query: 'query A { me { id } } query B { me { id } }' },
        422,
        400,
        'OPERATION_RESOLUTION_FAILURE',
      ],
      [
        'variables that cannot be coerced',
        { query: 'query ($id: ID!) { user(id: $id) { id } }', variables: {} },
        422,
        400,
        'BAD_USER_INPUT',
      ],
      [
        'variables holding a NUL character (our own check)',
        { query: 'query ($id: ID!) { user(id: $id) { id } }', variables: { id: 'a\u0000b' } },
        422,
        400,
        'BAD_USER_INPUT',
      ],
      ['variables that are not a map', { query: '{ me { id } }', variables: [7] }, 422, 400, 'BAD_REQUEST'],
      ['no query parameter (a typo)', { qeury: '{ me { id } }' }, 422, 400, 'BAD_REQUEST'],
    ])(
      '%s: the spec’s status under graphql-response+json, Apollo’s under json',
      async (_what, body, spec, legacy, code) => {
        const modern = await post(body, GRAPHQL_RESPONSE);
        expect(modern.status).toBe(spec);
        expect(modern.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
        expect(modern.body.data).toBeUndefined();
        expect(modern.body.errors![0]!.extensions!.code).toBe(code);

        const old = await post(body, LEGACY_JSON);
        expect(old.status).toBe(legacy);
        expect(old.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(old.body.errors!.map((e) => e.extensions!.code)).toEqual(
          modern.body.errors!.map((e) => e.extensions!.code),
        );
      },
    );

    it.each([GRAPHQL_RESPONSE, LEGACY_JSON])(
      'answers a refused bearer token 401 with WWW-Authenticate (%s)',
      async (accept) => {
        const res = await post({ query: print(MeDocument) }, accept, { authorization: 'Bearer not.a.token' });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(res.headers.get('content-type')).toBe(`${accept}; charset=utf-8`);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      },
    );

    it.each([GRAPHQL_RESPONSE, LEGACY_JSON])(
      'answers a body in a media type it does not read 415 (%s)',
      async (accept) => {
        const res = await server.post('<query>{ me { id } }</query>', { accept, 'content-type': 'application/xml' });
        expect(res.status).toBe(415);
      },
    );

    it('answers a GET parameter given twice as a malformed request (422 under graphql-response+json)', async () => {
      const url = `${server.url}?query=${encodeURIComponent('{ me { id } }')}&query=${encodeURIComponent('{ __typename }')}`;
      const headers = { 'apollo-require-preflight': 'true' };
      const modern = await answer(await fetch(url, { headers: { ...headers, accept: GRAPHQL_RESPONSE } }));
      expect(modern.status).toBe(422);
      expect(modern.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      expect((await fetch(url, { headers: { ...headers, accept: LEGACY_JSON } })).status).toBe(400);
    });

    it.each([GRAPHQL_RESPONSE, LEGACY_JSON])(
      'answers a body that is not JSON 400, before GraphQL (%s)',
      async (accept) => {
        const res = await post('NONSENSE', accept);
        expect(res.status).toBe(400);
        expect(res.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      },
    );
  });

  describe('requests that execute', () => {
    it('answers a full success 200 under both media types', async () => {
      for (const accept of [GRAPHQL_RESPONSE, LEGACY_JSON]) {
        const res = await post({ query: print(MeDocument) }, accept, { authorization: `Bearer ${ann.accessToken}` });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(`${accept}; charset=utf-8`);
        expect(res.body).toEqual({ data: { me: expect.objectContaining({ id: ann.id, email: 'ann@example.com' }) } });
      }
    });

    it('answers partial data with errors 294 under graphql-response+json, 200 under json', async () => {
      const body = { query: print(UserProfileDocument), variables: { id: ann.id } };
      const headers = { authorization: `Bearer ${ann.accessToken}` };
      const modern = await post(body, GRAPHQL_RESPONSE, headers);
      expect(modern.status).toBe(PARTIAL_SUCCESS);
      expect(modern.body.data).toEqual({ user: expect.objectContaining({ id: ann.id, disabled: null }) });
      expect(modern.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      const old = await post(body, LEGACY_JSON, headers);
      expect(old.status).toBe(200);
      expect(old.body).toEqual(modern.body);
    });

    it('answers data null with errors (a failed login) 294 under graphql-response+json, 200 under json', async () => {
      const body = {
        query: print(LoginDocument),
        variables: { email: 'ann@example.com', password: 'not her password' },
      };
      const modern = await post(body, GRAPHQL_RESPONSE);
      expect(modern.status).toBe(PARTIAL_SUCCESS);
      expect(modern.body.data).toBeNull();
      expect(modern.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
      expect((await post(body, LEGACY_JSON)).status).toBe(200);
    });
  });

  describe('content negotiation', () => {
    it.each([
      ['the spec’s recommended header', `${GRAPHQL_RESPONSE}, ${LEGACY_JSON};q=0.9`, GRAPHQL_RESPONSE],
      ['Apollo Client 4’s header', `${GRAPHQL_RESPONSE},${LEGACY_JSON};q=0.9`, GRAPHQL_RESPONSE],
      ['json preferred', `${LEGACY_JSON}, ${GRAPHQL_RESPONSE};q=0.5`, LEGACY_JSON],
      ['anything', '*/*', LEGACY_JSON],
    ])('answers %s with the media type it prefers', async (_what, accept, expected) => {
      const res = await post({ query: '{ nope }' }, accept);
      expect(res.headers.get('content-type')).toBe(`${expected}; charset=utf-8`);
      expect(res.status).toBe(expected === GRAPHQL_RESPONSE ? 422 : 400);
    });

    it.each([
      ['text/csv', 'text/csv'],
      ['JSON refused by weight', 'application/json;q=0, application/graphql-response+json;q=0, */*;q=0.1'],
      ['only HTML, on a POST', 'text/html'],
      // Apollo's negotiator matches parameters: none of these admits `application/json; charset=utf-8`.
      ['JSON in another charset', 'application/json;charset=latin1'],
      ['another version of graphql-response+json', 'application/graphql-response+json;version=2'],
      ['JSON with a parameter Apollo does not offer', 'application/json;a=b'],
      ['a wildcard subtype with a parameter', 'application/*;x=y'],
      ['anything, with a parameter', '*/*;level=1'],
    ])('answers 406 to %s before running anything: the mutation does not happen', async (_what, accept) => {
      const users = await server.countUsers();
      const signUp = `mutation { signUp(input: { email: "csv@example.com", password: "${TEST_PASSWORD}", displayName: "Csv" }) { accessToken } }`;
      const res = await answer(await server.post({ query: signUp }, { accept }));
      expect(res.status).toBe(406);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      // Our refusal (Apollo's own 406 comes after execution, and names no request id).
      expect(res.body.errors![0]!.extensions!.requestId).toEqual(expect.any(String));
      expect(await server.countUsers()).toBe(users);
    });

    it.each([
      ['an empty header', ''],
      ['a media type with parameters', 'application/json; charset=utf-8'],
      ['a wildcard subtype', 'application/*'],
      ['JSON in utf-8, as Apollo writes it', 'application/json;charset=utf-8'],
      ['graphql-response+json in utf-8', 'application/graphql-response+json; charset=UTF-8'],
    ])('serves %s', async (_what, accept) => {
      const res = await server.post({ query: '{ me { id } }' }, { accept });
      expect(res.status).toBe(200);
    });
  });

  describe('GET', () => {
    const preflighted = { 'apollo-require-preflight': 'true' };

    it('runs a query, with its variables, when a header forces a CORS preflight', async () => {
      const res = await get(
        { query: print(UserProfileDocument), variables: JSON.stringify({ id: ann.id }) },
        { ...preflighted, accept: LEGACY_JSON, authorization: `Bearer ${ann.accessToken}` },
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ user: expect.objectContaining({ id: ann.id, email: 'ann@example.com' }) });
    });

    it('accepts a non-simple content type as the preflight-forcing header', async () => {
      const res = await get(
        { query: '{ me { id } }' },
        { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE },
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { me: null } });
    });

    it.each([GRAPHQL_RESPONSE, LEGACY_JSON])(
      'refuses a GET a page on another site could send without a preflight: 400, nothing runs (%s)',
      async (accept) => {
        const res = await get({ query: '{ me { id } }' }, { accept, authorization: `Bearer ${ann.accessToken}` });
        expect(res.status).toBe(400);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors![0]!.message).toMatch(CSRF_REFUSAL);
        expect(res.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      },
    );

    it('refuses a text/plain POST (a form could send it) the same way, and runs nothing', async () => {
      const users = await server.countUsers();
      const signUp = `mutation { signUp(input: { email: "plain@example.com", password: "${TEST_PASSWORD}", displayName: "Plain" }) { accessToken } }`;
      const res = await answer(
        await server.post(JSON.stringify({ query: signUp }), {
          'content-type': 'text/plain',
          accept: GRAPHQL_RESPONSE,
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.message).toMatch(CSRF_REFUSAL);
      expect(await server.countUsers()).toBe(users);
    });

    it.each([GRAPHQL_RESPONSE, LEGACY_JSON])(
      'answers a mutation over GET 405 with Allow: POST, and does not run it (%s)',
      async (accept) => {
        const users = await server.countUsers();
        const signUp = `mutation { signUp(input: { email: "get@example.com", password: "${TEST_PASSWORD}", displayName: "Get" }) { accessToken } }`;
        const res = await get({ query: signUp }, { ...preflighted, accept });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
        expect(await server.countUsers()).toBe(users);
      },
    );

    // Not 405 with `Allow: POST`: POST does not serve subscriptions either (they need a connection
    // that stays open, src/subscriptions/), so every HTTP method refuses them as invalid.
    it('never runs a subscription over GET: refused in validation, as over POST', async () => {
      const schema = await buildSchemaForPrinting();
      const field = Object.values(schema.getSubscriptionType()?.getFields() ?? {}).find((f) =>
        f.args.every((arg) => !isNonNullType(arg.type)),
      );
      const query = `subscription { ${field?.name ?? 'nothing'} { __typename } }`;
      for (const accept of [GRAPHQL_RESPONSE, LEGACY_JSON]) {
        const res = await get({ query }, { ...preflighted, accept });
        expect(res.status).toBe(accept === GRAPHQL_RESPONSE ? 422 : 400);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    });

    it('answers 405 for the mutation chosen by operationName, even beside a query', async () => {
      const document = 'query Q { me { id } } mutation M { logout }';
      const query = await get({ query: document, operationName: 'Q' }, { ...preflighted, accept: GRAPHQL_RESPONSE });
      expect(query.status).toBe(200);
      const mutation = await get(
        { query: document, operationName: 'M' },
        { ...preflighted, accept: GRAPHQL_RESPONSE, authorization: `Bearer ${ann.accessToken}` },
      );
      expect(mutation.status).toBe(405);
      expect(mutation.headers.get('allow')).toBe('POST');
      // The session is still alive: logout never ran.
      const me = await post({ query: '{ me { id } }' }, LEGACY_JSON, { authorization: `Bearer ${ann.accessToken}` });
      expect(me.body).toEqual({ data: { me: { id: ann.id } } });
    });

    it('never reads a token from the URL', async () => {
      for (const name of ['access_token', 'token', 'authorization']) {
        const res = await get(
          { query: '{ me { id } }', [name]: ann.accessToken },
          { ...preflighted, accept: LEGACY_JSON },
        );
        expect(res.body).toEqual({ data: { me: null } });
      }
    });

    it('never logs the query string, which can carry variables', async () => {
      const marker = 'secret-variable-value-7f3a';
      log.lines.length = 0;
      await get(
        { query: 'query ($id: ID!) { user(id: $id) { id } }', variables: JSON.stringify({ id: marker }) },
        { ...preflighted, accept: LEGACY_JSON, authorization: `Bearer ${ann.accessToken}` },
      );
      const requestLine = log.lines.find((line) => line.msg === 'request' && line.method === 'GET');
      expect(requestLine).toMatchObject({ path: '/graphql', status: 200 });
      expect(JSON.stringify(log.lines)).not.toContain(marker);
      expect(JSON.stringify(log.lines)).not.toContain(encodeURIComponent(marker).slice(0, 10) + '%');
    });
  });
});

describe('the status of an answer under application/graphql-response+json', () => {
  const error = (code: string, message = 'x') => ({ message, extensions: { code } });

  it.each([
    ['full success', 200, 200, { data: { a: 1 } }],
    ['partial data', 200, 294, { data: { a: null }, errors: [error('FORBIDDEN')] }],
    [
      'partial data while a store is down (MUST be 2xx)',
      503,
      294,
      { data: { a: 1, b: null }, errors: [error('SERVICE_UNAVAILABLE')] },
    ],
    [
      'partial data, every root field throttled but nullable',
      429,
      294,
      { data: { a: null }, errors: [error('TOO_MANY_REQUESTS')] },
    ],
    [
      'data null, refused as a whole as too many requests',
      429,
      429,
      { data: null, errors: [error('TOO_MANY_REQUESTS')] },
    ],
    ['data null, a store is down', 503, 503, { data: null, errors: [error('SERVICE_UNAVAILABLE')] }],
    ['data null, a resolver error', 200, 294, { data: null, errors: [error('UNAUTHENTICATED')] }],
    ['no data, parse failure', 400, 400, { errors: [error('GRAPHQL_PARSE_FAILED')] }],
    [
      'no data, validation failure',
      400,
      422,
      { errors: [error('GRAPHQL_VALIDATION_FAILED'), error('GRAPHQL_VALIDATION_FAILED')] },
    ],
    [
      'no data, a mix of validation and an unknown code',
      400,
      400,
      { errors: [error('GRAPHQL_VALIDATION_FAILED'), error('X')] },
    ],
    [
      'no data, CSRF refusal',
      400,
      400,
      {
        errors: [
          error('BAD_REQUEST', 'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF).'),
        ],
      },
    ],
    ['no data, refused token', 401, 401, { errors: [error('UNAUTHENTICATED')] }],
    ['no data, mutation over GET', 405, 405, { errors: [error('BAD_REQUEST')] }],
    ['no data, revocation store down', 503, 503, { errors: [error('SERVICE_UNAVAILABLE')] }],
    [
      'no data yet a 2xx (persisted query not supported)',
      200,
      400,
      { errors: [error('PERSISTED_QUERY_NOT_SUPPORTED')] },
    ],
  ])('%s: %i → %i', (_what, current, expected, body) => {
    expect(graphqlResponseStatus(current, body)).toBe(expected);
  });
});

describe('reading the Accept header as Apollo does', () => {
  const outside = { landingPage: true };
  const production = { landingPage: false };
  it.each([
    ['POST', undefined, outside, 'result'],
    ['POST', '', outside, 'result'],
    ['POST', 'application/json', outside, 'result'],
    ['POST', '*/*', outside, 'result'],
    ['POST', 'application/*;q=0.5', outside, 'result'],
    ['POST', 'APPLICATION/JSON', outside, 'result'],
    ['POST', 'application/json;q=0', outside, 'notAcceptable'],
    ['POST', 'application/json;q=0, */*', outside, 'result'],
    // The most specific range decides each offered type, and the JSONP-style type Apollo offers is application/json too.
    ['POST', 'application/json;q=0, application/graphql-response+json;q=0, */*', outside, 'notAcceptable'],
    ['POST', 'application/json;q=nonsense', outside, 'notAcceptable'],
    ['POST', 'text/html, application/xhtml+xml', outside, 'notAcceptable'],
    ['POST', 'application/graphql-response+json', outside, 'result'],
    ['POST', 'application/json;charset=latin1', outside, 'notAcceptable'],
    ['POST', 'application/graphql-response+json;version=2', outside, 'notAcceptable'],
    ['POST', 'application/json;a=b', outside, 'notAcceptable'],
    ['POST', 'application/*;x=y', outside, 'notAcceptable'],
    ['POST', '*/*;level=1', outside, 'notAcceptable'],
    ['GET', 'text/html', outside, 'page'],
    ['GET', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', outside, 'page'],
    ['GET', 'text/html', production, 'notAcceptable'],
    ['GET', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', production, 'result'],
    ['GET', 'application/json, text/html', outside, 'result'],
  ] as const)('%s with Accept %j (%o): %s', (method, accept, options, expected) => {
    expect(answerFor(method, accept, options)).toBe(expected);
  });
});

describe('Accept in production, where no landing page is served', () => {
  let server: TestServer;
  beforeAll(async () => {
    // No mail server here: production needs SMTP_URL unless the flows that send mail are off.
    server = await startTestServer('sqlite', {
      env: { NODE_ENV: 'production', EMAIL_VERIFICATION: 'false', PASSWORD_RESET: 'false' },
    });
  });
  afterAll(() => server.close());

  it('answers 406 to a GET that admits only HTML, before running its query', async () => {
    const url = `${server.url}?${new URLSearchParams({ query: '{ me { id } }' }).toString()}`;
    const res = await answer(
      await fetch(url, { headers: { accept: 'text/html', 'apollo-require-preflight': 'true' } }),
    );
    expect(res.status).toBe(406);
    // Ours, from before execution: Apollo's own 406 comes after it and names no request id.
    expect(res.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }),
    ]);
  });
});

describe('a request refused as a whole, under graphql-response+json', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { LOGIN_MAX_FAILURES_PER_EMAIL_IP: '1' } });
    await server.createUser('bob@example.com');
  });
  afterAll(() => server.close());

  it('keeps 429 and Retry-After (data null), since nothing ran', async () => {
    const login = (password: string) =>
      server.post(
        { query: print(LoginDocument), variables: { email: 'bob@example.com', password } },
        { accept: GRAPHQL_RESPONSE },
      );
    expect((await login('not his password')).status).toBe(PARTIAL_SUCCESS);
    const refused = await answer(await login(TEST_PASSWORD));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(refused.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors![0]!.extensions!.code).toBe('TOO_MANY_REQUESTS');
  });
});
