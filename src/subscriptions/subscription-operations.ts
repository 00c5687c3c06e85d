import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { ErrorCode, PARSE_FAILED_MESSAGE } from '../errors/graphql-errors';
import { documentLimitsRule, documentParseOptions } from '../graphql/document-limits';
import { noNulInDocumentRule, variablesProblem } from '../graphql/input-values';
import { queryCostRule } from '../graphql/query-cost';

export const ONLY_SUBSCRIPTIONS_MESSAGE =
  'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.';

/**
 * Turns a `subscribe` message into what graphql-js executes, under the same rules as an
 * HTTP request (src/server.ts): the parser's limits, graphql-js's rules then ours in the
 * same order (document limits before the quadratic rules, query cost, no NUL, the modules'
 * own), the same bound on variables, and the same error codes. Only subscription operations
 * pass: queries and mutations belong to HTTP, where sessions, cookies and throttling live.
 */
export class SubscriptionOperations {
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    moduleRules: readonly ValidationRule[],
    /** Production strips "Did you mean …?" so the schema cannot be guessed field by field (as Apollo does). */
    private readonly hideSchemaDetails: boolean,
  ) {
    this.rules = [...specifiedRules, documentLimitsRule(), queryCostRule(), noNulInDocumentRule, ...moduleRules];
  }

  prepare(payload: SubscribePayload, contextValue: unknown): ExecutionArgs | readonly GraphQLError[] {
    if (typeof payload.query !== 'string') return [validationError('The subscription has no query.')];
    let document: DocumentNode;
    try {
      document = parse(payload.query, documentParseOptions());
    } catch (error) {
      // A syntax error (or a parser limit) in graphql-js's words; anything else (a stack overflow) in ours.
      const message = error instanceof GraphQLError ? error.message : PARSE_FAILED_MESSAGE;
      return [new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
    }
    const errors = validate(this.schema, document, this.rules, { maxErrors: 10 });
    if (errors.length > 0) return errors.map((error) => this.asValidationError(error));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [validationError('The document names no single operation to run (operationName).')];
    if (operation.operation !== 'subscription') return [validationError(ONLY_SUBSCRIPTIONS_MESSAGE)];
    const problem = variablesProblem(payload.variables);
    if (problem) return [new GraphQLError(problem, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
    return {
      schema: this.schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  }

  private asValidationError(error: GraphQLError): GraphQLError {
    const message = this.hideSchemaDetails ? error.message.replace(/ ?Did you mean(.+?)\?$/, '') : error.message;
    return new GraphQLError(message, {
      nodes: error.nodes,
      extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, ...error.extensions },
    });
  }
}

function validationError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });
}
