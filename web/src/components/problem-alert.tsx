import { useEffect, useRef } from 'react';
import type { ProblemDescription } from '../errors/describe-error';

/**
 * A failed request, in words. It takes focus when it appears so a keyboard or screen-reader
 * user hears it at once, unless the form moved focus to the input the problem is about.
 */
export function ProblemAlert({
  problem,
  takeFocus = true,
}: {
  problem: ProblemDescription | null;
  takeFocus?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem && takeFocus) ref.current?.focus();
  }, [problem, takeFocus]);
  if (!problem) return null;
  return (
    <div ref={ref} className="alert" role="alert" tabIndex={-1}>
      <p>{problem.message}</p>
      {problem.reference ? <p className="alert__reference">Reference: {problem.reference}</p> : null}
    </div>
  );
}
