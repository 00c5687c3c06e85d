import { describeError } from '../errors/describe-error';

/** A query that failed, in words, with a way to try again. Not focused: nothing was asked for yet. */
export function QueryProblem({ error, retry }: { error: unknown; retry?: () => void }) {
  const problem = describeError(error);
  return (
    <div className="alert" role="alert">
      <p>{problem.message}</p>
      {problem.reference ? <p className="alert__reference">Reference: {problem.reference}</p> : null}
      {retry ? (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
