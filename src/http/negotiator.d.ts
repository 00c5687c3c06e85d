// The part of `negotiator` (Apollo Server's own dependency, hoisted to the root) that
// src/http/acceptable-answer.ts uses; the package ships no types.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { readonly headers: { readonly accept?: string | undefined } });
    /** The most preferred of `available` the request's Accept header admits, or undefined. */
    mediaType(available: readonly string[]): string | undefined;
  }
}
