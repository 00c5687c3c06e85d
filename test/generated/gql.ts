/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      displayName\n      email\n      roles\n      createdAt\n      lastLoginAt\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      email\n      roles\n      lastLoginAt\n    }\n  }\n}": typeof types.SignUpDocument,
    "query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.MeDocument,
};
const documents: Documents = {
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      displayName\n      email\n      roles\n      createdAt\n      lastLoginAt\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      email\n      roles\n      lastLoginAt\n    }\n  }\n}": types.SignUpDocument,
    "query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.MeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      displayName\n      email\n      roles\n      createdAt\n      lastLoginAt\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      email\n      roles\n      lastLoginAt\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      displayName\n      email\n      roles\n      createdAt\n      lastLoginAt\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    accessToken\n    tokenType\n    expiresIn\n    user {\n      id\n      email\n      roles\n      lastLoginAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;