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
    "mutation SetUserRoles($userId: ID!, $roles: [Role!]!) {\n  setUserRoles(userId: $userId, roles: $roles) {\n    id\n    roles\n  }\n}\n\nmutation SetUserDisabled($userId: ID!, $disabled: Boolean!) {\n  setUserDisabled(userId: $userId, disabled: $disabled) {\n    id\n    disabled\n  }\n}\n\nquery AuditEvents($first: Int, $after: String, $userId: ID) {\n  auditEvents(first: $first, after: $after, userId: $userId) {\n    edges {\n      cursor\n      node {\n        id\n        at\n        type\n        userId\n        actorId\n        sessionId\n        ip\n        userAgent\n        details\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.SetUserRolesDocument,
    "fragment SignedIn on AuthPayload {\n  accessToken\n  tokenType\n  expiresIn\n  refreshToken\n  refreshExpiresIn\n  user {\n    id\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n}\n\nmutation SignUp($input: SignUpInput!, $useCookie: Boolean) {\n  signUp(input: $input, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Login($email: String!, $password: String!, $useCookie: Boolean) {\n  login(email: $email, password: $password, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Refresh($refreshToken: String, $useCookie: Boolean) {\n  refresh(refreshToken: $refreshToken, useCookie: $useCookie) {\n    accessToken\n    expiresIn\n    refreshToken\n    refreshExpiresIn\n    user {\n      id\n      roles\n    }\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}": typeof types.SignedInFragmentDoc,
    "query MySessions {\n  mySessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ip\n    current\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation LogoutAll($keepCurrent: Boolean) {\n  logoutAll(keepCurrent: $keepCurrent)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}": typeof types.MySessionsDocument,
    "query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.MeDocument,
};
const documents: Documents = {
    "mutation SetUserRoles($userId: ID!, $roles: [Role!]!) {\n  setUserRoles(userId: $userId, roles: $roles) {\n    id\n    roles\n  }\n}\n\nmutation SetUserDisabled($userId: ID!, $disabled: Boolean!) {\n  setUserDisabled(userId: $userId, disabled: $disabled) {\n    id\n    disabled\n  }\n}\n\nquery AuditEvents($first: Int, $after: String, $userId: ID) {\n  auditEvents(first: $first, after: $after, userId: $userId) {\n    edges {\n      cursor\n      node {\n        id\n        at\n        type\n        userId\n        actorId\n        sessionId\n        ip\n        userAgent\n        details\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.SetUserRolesDocument,
    "fragment SignedIn on AuthPayload {\n  accessToken\n  tokenType\n  expiresIn\n  refreshToken\n  refreshExpiresIn\n  user {\n    id\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n}\n\nmutation SignUp($input: SignUpInput!, $useCookie: Boolean) {\n  signUp(input: $input, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Login($email: String!, $password: String!, $useCookie: Boolean) {\n  login(email: $email, password: $password, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Refresh($refreshToken: String, $useCookie: Boolean) {\n  refresh(refreshToken: $refreshToken, useCookie: $useCookie) {\n    accessToken\n    expiresIn\n    refreshToken\n    refreshExpiresIn\n    user {\n      id\n      roles\n    }\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}": types.SignedInFragmentDoc,
    "query MySessions {\n  mySessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ip\n    current\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation LogoutAll($keepCurrent: Boolean) {\n  logoutAll(keepCurrent: $keepCurrent)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}": types.MySessionsDocument,
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
export function graphql(source: "mutation SetUserRoles($userId: ID!, $roles: [Role!]!) {\n  setUserRoles(userId: $userId, roles: $roles) {\n    id\n    roles\n  }\n}\n\nmutation SetUserDisabled($userId: ID!, $disabled: Boolean!) {\n  setUserDisabled(userId: $userId, disabled: $disabled) {\n    id\n    disabled\n  }\n}\n\nquery AuditEvents($first: Int, $after: String, $userId: ID) {\n  auditEvents(first: $first, after: $after, userId: $userId) {\n    edges {\n      cursor\n      node {\n        id\n        at\n        type\n        userId\n        actorId\n        sessionId\n        ip\n        userAgent\n        details\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["mutation SetUserRoles($userId: ID!, $roles: [Role!]!) {\n  setUserRoles(userId: $userId, roles: $roles) {\n    id\n    roles\n  }\n}\n\nmutation SetUserDisabled($userId: ID!, $disabled: Boolean!) {\n  setUserDisabled(userId: $userId, disabled: $disabled) {\n    id\n    disabled\n  }\n}\n\nquery AuditEvents($first: Int, $after: String, $userId: ID) {\n  auditEvents(first: $first, after: $after, userId: $userId) {\n    edges {\n      cursor\n      node {\n        id\n        at\n        type\n        userId\n        actorId\n        sessionId\n        ip\n        userAgent\n        details\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SignedIn on AuthPayload {\n  accessToken\n  tokenType\n  expiresIn\n  refreshToken\n  refreshExpiresIn\n  user {\n    id\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n}\n\nmutation SignUp($input: SignUpInput!, $useCookie: Boolean) {\n  signUp(input: $input, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Login($email: String!, $password: String!, $useCookie: Boolean) {\n  login(email: $email, password: $password, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Refresh($refreshToken: String, $useCookie: Boolean) {\n  refresh(refreshToken: $refreshToken, useCookie: $useCookie) {\n    accessToken\n    expiresIn\n    refreshToken\n    refreshExpiresIn\n    user {\n      id\n      roles\n    }\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}"): (typeof documents)["fragment SignedIn on AuthPayload {\n  accessToken\n  tokenType\n  expiresIn\n  refreshToken\n  refreshExpiresIn\n  user {\n    id\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n}\n\nmutation SignUp($input: SignUpInput!, $useCookie: Boolean) {\n  signUp(input: $input, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Login($email: String!, $password: String!, $useCookie: Boolean) {\n  login(email: $email, password: $password, useCookie: $useCookie) {\n    ...SignedIn\n  }\n}\n\nmutation Refresh($refreshToken: String, $useCookie: Boolean) {\n  refresh(refreshToken: $refreshToken, useCookie: $useCookie) {\n    accessToken\n    expiresIn\n    refreshToken\n    refreshExpiresIn\n    user {\n      id\n      roles\n    }\n  }\n}\n\nmutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MySessions {\n  mySessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ip\n    current\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation LogoutAll($keepCurrent: Boolean) {\n  logoutAll(keepCurrent: $keepCurrent)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}"): (typeof documents)["query MySessions {\n  mySessions {\n    id\n    createdAt\n    lastUsedAt\n    expiresAt\n    userAgent\n    ip\n    current\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation LogoutAll($keepCurrent: Boolean) {\n  logoutAll(keepCurrent: $keepCurrent)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    displayName\n    email\n    roles\n    lastLoginAt\n  }\n}\n\nquery UserProfile($id: ID!) {\n  user(id: $id) {\n    id\n    displayName\n    createdAt\n    email\n    roles\n    lastLoginAt\n    disabled\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        roles\n        disabled\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;