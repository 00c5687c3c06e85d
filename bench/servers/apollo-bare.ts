import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { HOST, announceReady } from '../shared';

// Bare Apollo Server 5, standalone, the same schema shape, no authentication at all.
const typeDefs = `#graphql
  enum Role { USER EDITOR ADMIN }
  type User { id: ID! displayName: String! email: String roles: [Role!] }
  type Query { me: User }
`;
const me = { id: process.env.BENCH_USER_ID ?? 'u1', displayName: 'Bench', email: 'user@bench.test', roles: ['USER'] };
const resolvers = { Query: { me: () => me } };

async function main() {
  const server = new ApolloServer({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, { listen: { host: HOST, port: 0 } });
  announceReady({ port: Number(new URL(url).port) });
}
void main();
