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
    "\n  mutation RequestMyPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestMyPasswordResetDocument,
    "\n  mutation ResendMyVerification($email: String!) {\n    resendVerification(email: $email)\n  }\n": typeof types.ResendMyVerificationDocument,
    "\n  mutation ResetMyPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ResetMyPasswordDocument,
    "\n  mutation VerifyMyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.VerifyMyEmailDocument,
    "\n  fragment AdminUserRow_user on User {\n    id\n    displayName\n    email\n    roles\n    disabled\n  }\n": typeof types.AdminUserRow_UserFragmentDoc,
    "\n  mutation AdminSetUserRoles($userId: ID!, $roles: [Role!]!) {\n    setUserRoles(userId: $userId, roles: $roles) {\n      id\n      roles\n    }\n  }\n": typeof types.AdminSetUserRolesDocument,
    "\n  mutation AdminSetUserDisabled($userId: ID!, $disabled: Boolean!) {\n    setUserDisabled(userId: $userId, disabled: $disabled) {\n      id\n      disabled\n    }\n  }\n": typeof types.AdminSetUserDisabledDocument,
    "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...AdminUserRow_user\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  fragment AuditEventRow_event on AuditEvent {\n    at\n    type\n    userId\n    actorId\n    ip\n    userAgent\n    details\n  }\n": typeof types.AuditEventRow_EventFragmentDoc,
    "\n  query AuditLog($first: Int!, $after: String, $userId: ID) {\n    auditEvents(first: $first, after: $after, userId: $userId) {\n      edges {\n        cursor\n        node {\n          id\n          ...AuditEventRow_event\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query PublishedArticles {\n    articles(status: PUBLISHED, first: 20) {\n      edges {\n        node {\n          id\n          title\n          body\n          publishedAt\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n": typeof types.PublishedArticlesDocument,
    "\n  query ArticlesInReview {\n    articles(status: IN_REVIEW, first: 20) {\n      edges {\n        node {\n          id\n          title\n          revision\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n": typeof types.ArticlesInReviewDocument,
    "\n  subscription LiveArticles {\n    articlePublished {\n      id\n      title\n      body\n      publishedAt\n      author {\n        id\n        displayName\n      }\n    }\n  }\n": typeof types.LiveArticlesDocument,
    "\n  mutation WriteArticle($input: CreateArticleInput!) {\n    createArticle(input: $input) {\n      id\n    }\n  }\n": typeof types.WriteArticleDocument,
    "\n  mutation SubmitForReview($id: ID!) {\n    submitArticle(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.SubmitForReviewDocument,
    "\n  mutation PublishReviewed($id: ID!, $revision: Int!) {\n    publishArticle(id: $id, revision: $revision) {\n      id\n      status\n    }\n  }\n": typeof types.PublishReviewedDocument,
    "\n  fragment PasskeyRow_passkey on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    deviceType\n    backedUp\n  }\n": typeof types.PasskeyRow_PasskeyFragmentDoc,
    "\n  mutation StartMyPasskeyLogin {\n    startPasskeyLogin {\n      options\n    }\n  }\n": typeof types.StartMyPasskeyLoginDocument,
    "\n  mutation FinishMyPasskeyLogin($response: String!) {\n    finishPasskeyLogin(response: $response, useCookie: true) {\n      tokenType\n    }\n  }\n": typeof types.FinishMyPasskeyLoginDocument,
    "\n  query MyPasskeyList {\n    myPasskeys {\n      id\n      ...PasskeyRow_passkey\n    }\n    me {\n      id\n      twoFactor {\n        enabled\n      }\n    }\n  }\n": typeof types.MyPasskeyListDocument,
    "\n  mutation StartMyPasskeyRegistration($currentPassword: String!, $code: String, $recoveryCode: String) {\n    startPasskeyRegistration(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      options\n    }\n  }\n": typeof types.StartMyPasskeyRegistrationDocument,
    "\n  mutation FinishMyPasskeyRegistration($response: String!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n": typeof types.FinishMyPasskeyRegistrationDocument,
    "\n  mutation RenameMyPasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n": typeof types.RenameMyPasskeyDocument,
    "\n  mutation RemoveMyPasskey($id: ID!) {\n    removePasskey(id: $id)\n  }\n": typeof types.RemoveMyPasskeyDocument,
    "\n  mutation ChangeMyEmail($newEmail: String!, $currentPassword: String!) {\n    changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n": typeof types.ChangeMyEmailDocument,
    "\n  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": typeof types.ChangeMyPasswordDocument,
    "\n  fragment EmailStatus_user on User {\n    email\n    emailVerified\n  }\n": typeof types.EmailStatus_UserFragmentDoc,
    "\n  fragment ProfileDetails_user on User {\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n": typeof types.ProfileDetails_UserFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      ...ProfileDetails_user\n      ...EmailStatus_user\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  fragment SessionRow_session on Session {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ip\n    current\n  }\n": typeof types.SessionRow_SessionFragmentDoc,
    "\n  query MySessions {\n    mySessions {\n      id\n      ...SessionRow_session\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation RevokeMySession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeMySessionDocument,
    "\n  query StepUpTwoFactor {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n": typeof types.StepUpTwoFactorDocument,
    "\n  mutation ConfirmMyTotp($code: String!) {\n    confirmTotpEnrollment(code: $code) {\n      codes\n    }\n  }\n": typeof types.ConfirmMyTotpDocument,
    "\n  query MyTwoFactorStatus {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n": typeof types.MyTwoFactorStatusDocument,
    "\n  mutation StartMyTotp($currentPassword: String!) {\n    startTotpEnrollment(currentPassword: $currentPassword) {\n      secret\n      qrCodeSvg\n      expiresIn\n    }\n  }\n": typeof types.StartMyTotpDocument,
    "\n  mutation RegenerateMyRecoveryCodes($currentPassword: String!, $code: String, $recoveryCode: String) {\n    regenerateRecoveryCodes(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      codes\n    }\n  }\n": typeof types.RegenerateMyRecoveryCodesDocument,
    "\n  mutation DisableMyTotp($currentPassword: String!, $code: String, $recoveryCode: String) {\n    disableTotp(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode)\n  }\n": typeof types.DisableMyTotpDocument,
};
const documents: Documents = {
    "\n  mutation RequestMyPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestMyPasswordResetDocument,
    "\n  mutation ResendMyVerification($email: String!) {\n    resendVerification(email: $email)\n  }\n": types.ResendMyVerificationDocument,
    "\n  mutation ResetMyPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ResetMyPasswordDocument,
    "\n  mutation VerifyMyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.VerifyMyEmailDocument,
    "\n  fragment AdminUserRow_user on User {\n    id\n    displayName\n    email\n    roles\n    disabled\n  }\n": types.AdminUserRow_UserFragmentDoc,
    "\n  mutation AdminSetUserRoles($userId: ID!, $roles: [Role!]!) {\n    setUserRoles(userId: $userId, roles: $roles) {\n      id\n      roles\n    }\n  }\n": types.AdminSetUserRolesDocument,
    "\n  mutation AdminSetUserDisabled($userId: ID!, $disabled: Boolean!) {\n    setUserDisabled(userId: $userId, disabled: $disabled) {\n      id\n      disabled\n    }\n  }\n": types.AdminSetUserDisabledDocument,
    "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...AdminUserRow_user\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  fragment AuditEventRow_event on AuditEvent {\n    at\n    type\n    userId\n    actorId\n    ip\n    userAgent\n    details\n  }\n": types.AuditEventRow_EventFragmentDoc,
    "\n  query AuditLog($first: Int!, $after: String, $userId: ID) {\n    auditEvents(first: $first, after: $after, userId: $userId) {\n      edges {\n        cursor\n        node {\n          id\n          ...AuditEventRow_event\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query PublishedArticles {\n    articles(status: PUBLISHED, first: 20) {\n      edges {\n        node {\n          id\n          title\n          body\n          publishedAt\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n": types.PublishedArticlesDocument,
    "\n  query ArticlesInReview {\n    articles(status: IN_REVIEW, first: 20) {\n      edges {\n        node {\n          id\n          title\n          revision\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n": types.ArticlesInReviewDocument,
    "\n  subscription LiveArticles {\n    articlePublished {\n      id\n      title\n      body\n      publishedAt\n      author {\n        id\n        displayName\n      }\n    }\n  }\n": types.LiveArticlesDocument,
    "\n  mutation WriteArticle($input: CreateArticleInput!) {\n    createArticle(input: $input) {\n      id\n    }\n  }\n": types.WriteArticleDocument,
    "\n  mutation SubmitForReview($id: ID!) {\n    submitArticle(id: $id) {\n      id\n      status\n    }\n  }\n": types.SubmitForReviewDocument,
    "\n  mutation PublishReviewed($id: ID!, $revision: Int!) {\n    publishArticle(id: $id, revision: $revision) {\n      id\n      status\n    }\n  }\n": types.PublishReviewedDocument,
    "\n  fragment PasskeyRow_passkey on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    deviceType\n    backedUp\n  }\n": types.PasskeyRow_PasskeyFragmentDoc,
    "\n  mutation StartMyPasskeyLogin {\n    startPasskeyLogin {\n      options\n    }\n  }\n": types.StartMyPasskeyLoginDocument,
    "\n  mutation FinishMyPasskeyLogin($response: String!) {\n    finishPasskeyLogin(response: $response, useCookie: true) {\n      tokenType\n    }\n  }\n": types.FinishMyPasskeyLoginDocument,
    "\n  query MyPasskeyList {\n    myPasskeys {\n      id\n      ...PasskeyRow_passkey\n    }\n    me {\n      id\n      twoFactor {\n        enabled\n      }\n    }\n  }\n": types.MyPasskeyListDocument,
    "\n  mutation StartMyPasskeyRegistration($currentPassword: String!, $code: String, $recoveryCode: String) {\n    startPasskeyRegistration(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      options\n    }\n  }\n": types.StartMyPasskeyRegistrationDocument,
    "\n  mutation FinishMyPasskeyRegistration($response: String!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n": types.FinishMyPasskeyRegistrationDocument,
    "\n  mutation RenameMyPasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n": types.RenameMyPasskeyDocument,
    "\n  mutation RemoveMyPasskey($id: ID!) {\n    removePasskey(id: $id)\n  }\n": types.RemoveMyPasskeyDocument,
    "\n  mutation ChangeMyEmail($newEmail: String!, $currentPassword: String!) {\n    changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n": types.ChangeMyEmailDocument,
    "\n  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": types.ChangeMyPasswordDocument,
    "\n  fragment EmailStatus_user on User {\n    email\n    emailVerified\n  }\n": types.EmailStatus_UserFragmentDoc,
    "\n  fragment ProfileDetails_user on User {\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n": types.ProfileDetails_UserFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      ...ProfileDetails_user\n      ...EmailStatus_user\n    }\n  }\n": types.ProfileDocument,
    "\n  fragment SessionRow_session on Session {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ip\n    current\n  }\n": types.SessionRow_SessionFragmentDoc,
    "\n  query MySessions {\n    mySessions {\n      id\n      ...SessionRow_session\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation RevokeMySession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeMySessionDocument,
    "\n  query StepUpTwoFactor {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n": types.StepUpTwoFactorDocument,
    "\n  mutation ConfirmMyTotp($code: String!) {\n    confirmTotpEnrollment(code: $code) {\n      codes\n    }\n  }\n": types.ConfirmMyTotpDocument,
    "\n  query MyTwoFactorStatus {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n": types.MyTwoFactorStatusDocument,
    "\n  mutation StartMyTotp($currentPassword: String!) {\n    startTotpEnrollment(currentPassword: $currentPassword) {\n      secret\n      qrCodeSvg\n      expiresIn\n    }\n  }\n": types.StartMyTotpDocument,
    "\n  mutation RegenerateMyRecoveryCodes($currentPassword: String!, $code: String, $recoveryCode: String) {\n    regenerateRecoveryCodes(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      codes\n    }\n  }\n": types.RegenerateMyRecoveryCodesDocument,
    "\n  mutation DisableMyTotp($currentPassword: String!, $code: String, $recoveryCode: String) {\n    disableTotp(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode)\n  }\n": types.DisableMyTotpDocument,
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
export function graphql(source: "\n  mutation RequestMyPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestMyPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendMyVerification($email: String!) {\n    resendVerification(email: $email)\n  }\n"): (typeof documents)["\n  mutation ResendMyVerification($email: String!) {\n    resendVerification(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetMyPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ResetMyPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyMyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"): (typeof documents)["\n  mutation VerifyMyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AdminUserRow_user on User {\n    id\n    displayName\n    email\n    roles\n    disabled\n  }\n"): (typeof documents)["\n  fragment AdminUserRow_user on User {\n    id\n    displayName\n    email\n    roles\n    disabled\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserRoles($userId: ID!, $roles: [Role!]!) {\n    setUserRoles(userId: $userId, roles: $roles) {\n      id\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserRoles($userId: ID!, $roles: [Role!]!) {\n    setUserRoles(userId: $userId, roles: $roles) {\n      id\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserDisabled($userId: ID!, $disabled: Boolean!) {\n    setUserDisabled(userId: $userId, disabled: $disabled) {\n      id\n      disabled\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserDisabled($userId: ID!, $disabled: Boolean!) {\n    setUserDisabled(userId: $userId, disabled: $disabled) {\n      id\n      disabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...AdminUserRow_user\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...AdminUserRow_user\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditEventRow_event on AuditEvent {\n    at\n    type\n    userId\n    actorId\n    ip\n    userAgent\n    details\n  }\n"): (typeof documents)["\n  fragment AuditEventRow_event on AuditEvent {\n    at\n    type\n    userId\n    actorId\n    ip\n    userAgent\n    details\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int!, $after: String, $userId: ID) {\n    auditEvents(first: $first, after: $after, userId: $userId) {\n      edges {\n        cursor\n        node {\n          id\n          ...AuditEventRow_event\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int!, $after: String, $userId: ID) {\n    auditEvents(first: $first, after: $after, userId: $userId) {\n      edges {\n        cursor\n        node {\n          id\n          ...AuditEventRow_event\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublishedArticles {\n    articles(status: PUBLISHED, first: 20) {\n      edges {\n        node {\n          id\n          title\n          body\n          publishedAt\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PublishedArticles {\n    articles(status: PUBLISHED, first: 20) {\n      edges {\n        node {\n          id\n          title\n          body\n          publishedAt\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ArticlesInReview {\n    articles(status: IN_REVIEW, first: 20) {\n      edges {\n        node {\n          id\n          title\n          revision\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ArticlesInReview {\n    articles(status: IN_REVIEW, first: 20) {\n      edges {\n        node {\n          id\n          title\n          revision\n          author {\n            id\n            displayName\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveArticles {\n    articlePublished {\n      id\n      title\n      body\n      publishedAt\n      author {\n        id\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveArticles {\n    articlePublished {\n      id\n      title\n      body\n      publishedAt\n      author {\n        id\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WriteArticle($input: CreateArticleInput!) {\n    createArticle(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation WriteArticle($input: CreateArticleInput!) {\n    createArticle(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitForReview($id: ID!) {\n    submitArticle(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitForReview($id: ID!) {\n    submitArticle(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishReviewed($id: ID!, $revision: Int!) {\n    publishArticle(id: $id, revision: $revision) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation PublishReviewed($id: ID!, $revision: Int!) {\n    publishArticle(id: $id, revision: $revision) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PasskeyRow_passkey on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    deviceType\n    backedUp\n  }\n"): (typeof documents)["\n  fragment PasskeyRow_passkey on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    deviceType\n    backedUp\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartMyPasskeyLogin {\n    startPasskeyLogin {\n      options\n    }\n  }\n"): (typeof documents)["\n  mutation StartMyPasskeyLogin {\n    startPasskeyLogin {\n      options\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FinishMyPasskeyLogin($response: String!) {\n    finishPasskeyLogin(response: $response, useCookie: true) {\n      tokenType\n    }\n  }\n"): (typeof documents)["\n  mutation FinishMyPasskeyLogin($response: String!) {\n    finishPasskeyLogin(response: $response, useCookie: true) {\n      tokenType\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyPasskeyList {\n    myPasskeys {\n      id\n      ...PasskeyRow_passkey\n    }\n    me {\n      id\n      twoFactor {\n        enabled\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyPasskeyList {\n    myPasskeys {\n      id\n      ...PasskeyRow_passkey\n    }\n    me {\n      id\n      twoFactor {\n        enabled\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartMyPasskeyRegistration($currentPassword: String!, $code: String, $recoveryCode: String) {\n    startPasskeyRegistration(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      options\n    }\n  }\n"): (typeof documents)["\n  mutation StartMyPasskeyRegistration($currentPassword: String!, $code: String, $recoveryCode: String) {\n    startPasskeyRegistration(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      options\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FinishMyPasskeyRegistration($response: String!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n"): (typeof documents)["\n  mutation FinishMyPasskeyRegistration($response: String!, $name: String) {\n    finishPasskeyRegistration(response: $response, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameMyPasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n"): (typeof documents)["\n  mutation RenameMyPasskey($id: ID!, $name: String!) {\n    renamePasskey(id: $id, name: $name) {\n      id\n      ...PasskeyRow_passkey\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMyPasskey($id: ID!) {\n    removePasskey(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveMyPasskey($id: ID!) {\n    removePasskey(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMyEmail($newEmail: String!, $currentPassword: String!) {\n    changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n"): (typeof documents)["\n  mutation ChangeMyEmail($newEmail: String!, $currentPassword: String!) {\n    changeEmail(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EmailStatus_user on User {\n    email\n    emailVerified\n  }\n"): (typeof documents)["\n  fragment EmailStatus_user on User {\n    email\n    emailVerified\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProfileDetails_user on User {\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n"): (typeof documents)["\n  fragment ProfileDetails_user on User {\n    displayName\n    email\n    roles\n    createdAt\n    lastLoginAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      id\n      ...ProfileDetails_user\n      ...EmailStatus_user\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      id\n      ...ProfileDetails_user\n      ...EmailStatus_user\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionRow_session on Session {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ip\n    current\n  }\n"): (typeof documents)["\n  fragment SessionRow_session on Session {\n    id\n    createdAt\n    lastUsedAt\n    userAgent\n    ip\n    current\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions {\n    mySessions {\n      id\n      ...SessionRow_session\n    }\n  }\n"): (typeof documents)["\n  query MySessions {\n    mySessions {\n      id\n      ...SessionRow_session\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeMySession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeMySession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StepUpTwoFactor {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n"): (typeof documents)["\n  query StepUpTwoFactor {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmMyTotp($code: String!) {\n    confirmTotpEnrollment(code: $code) {\n      codes\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmMyTotp($code: String!) {\n    confirmTotpEnrollment(code: $code) {\n      codes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyTwoFactorStatus {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyTwoFactorStatus {\n    me {\n      id\n      twoFactor {\n        enabled\n        recoveryCodesLeft\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartMyTotp($currentPassword: String!) {\n    startTotpEnrollment(currentPassword: $currentPassword) {\n      secret\n      qrCodeSvg\n      expiresIn\n    }\n  }\n"): (typeof documents)["\n  mutation StartMyTotp($currentPassword: String!) {\n    startTotpEnrollment(currentPassword: $currentPassword) {\n      secret\n      qrCodeSvg\n      expiresIn\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateMyRecoveryCodes($currentPassword: String!, $code: String, $recoveryCode: String) {\n    regenerateRecoveryCodes(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      codes\n    }\n  }\n"): (typeof documents)["\n  mutation RegenerateMyRecoveryCodes($currentPassword: String!, $code: String, $recoveryCode: String) {\n    regenerateRecoveryCodes(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode) {\n      codes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableMyTotp($currentPassword: String!, $code: String, $recoveryCode: String) {\n    disableTotp(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode)\n  }\n"): (typeof documents)["\n  mutation DisableMyTotp($currentPassword: String!, $code: String, $recoveryCode: String) {\n    disableTotp(currentPassword: $currentPassword, code: $code, recoveryCode: $recoveryCode)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;