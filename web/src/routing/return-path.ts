/** Where a sign-in returns to: the private page that sent the visitor to log in, else the profile. */
export interface ReturnState {
  readonly from?: string;
}

export function returnPathFrom(state: unknown): string {
  const from = (state as ReturnState | null)?.from;
  // Only a path of this app: never an absolute or protocol-relative URL (an open redirect).
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/profile';
}
