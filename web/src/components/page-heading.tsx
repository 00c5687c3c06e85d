import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The page's h1. A client-side navigation does not move focus the way a page load does, so the
 * heading takes it: keyboard and screen-reader users start reading the new page from its title.
 */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
