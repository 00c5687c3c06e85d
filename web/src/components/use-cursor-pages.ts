import { useCallback, useState } from 'react';

/**
 * Forward-only cursors (`after` / `endCursor`) walked both ways: the cursors of the pages
 * already seen are kept, so "Previous" goes back to exactly the page that was shown.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<readonly (string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const next = useCallback((endCursor: string) => setCursors((seen) => [...seen, endCursor]), []);
  const previous = useCallback((): void => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)), []);
  return { after, pageNumber: cursors.length, hasPrevious: cursors.length > 1, next, previous };
}
