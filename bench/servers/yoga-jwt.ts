import { createServer } from 'node:http';
import { createInlineSigningKeyProvider, extractFromHeader, useJWT } from '@graphql-yoga/plugin-jwt';
import { createSchema, createYoga } from 'graphql-yoga';
import { AUDIENCE, BENCH_SECRET, HOST, ISSUER, announceReady } from '../shared';

// GraphQL Yoga with its JWT plugin verifying the same HS256 token.
const yoga = createYoga({
  logging: false,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      enum Role {
        USER
        EDITOR
        ADMIN
      }
      type User {
        id: ID!
        displayName: String!
        email: String
        roles: [Role!]
      }
      type Query {
        me: User
      }
    `,
    resolvers: {
      Query: {
        me: (_root: unknown, _args: unknown, context: { jwt?: { payload: { sub: string; roles: string[] } } }) =>
          context.jwt
            ? {
                id: context.jwt.payload.sub,
                displayName: 'Bench',
                email: 'user@bench.test',
                roles: context.jwt.payload.roles,
              }
            : null,
      },
    },
  }),
  plugins: [
    useJWT({
      signingKeyProviders: [createInlineSigningKeyProvider(BENCH_SECRET)],
      tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      tokenVerification: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] },
      reject: { missingToken: false, invalidToken: true },
    }),
  ],
});

const server = createServer(yoga);
server.listen(0, HOST, () => {
  const address = server.address();
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
