/** The web app's pages that read a token from their link and POST it to the API. */
export type TokenPage = 'verify-email' | 'reset-password';

/**
 * A link to `PUBLIC_URL/<page>#token=<token>`. The token travels in the fragment: a
 * browser never sends the fragment to any server, so it stays out of web server and
 * proxy access logs, and out of the Referer header the page's own requests carry. The
 * page reads it from `location.hash`, removes it from the address bar, and sends it in
 * the body of a GraphQL POST (`verifyEmail`, `resetPassword`).
 */
export function tokenLink(publicUrl: string, page: TokenPage, token: string): string {
  return `${publicUrl}/${page}#token=${encodeURIComponent(token)}`;
}
