import { useCallback, useState, type RefObject } from 'react';
import { describeError, type ProblemDescription } from '../errors/describe-error';

interface FormProblem {
  readonly problem: ProblemDescription;
  /** The problem names one of this form's inputs: that input is highlighted and takes focus. */
  readonly onInput: boolean;
}

/**
 * A form's current problem, and where focus goes when one arrives: to the input it names
 * (looked up by the input's `name`), otherwise to the alert.
 */
export function useFormProblem(form: RefObject<HTMLFormElement | null>) {
  const [state, setState] = useState<FormProblem | null>(null);
  const report = useCallback(
    (error: unknown) => {
      const problem = describeError(error);
      const input = problem.field ? form.current?.elements.namedItem(problem.field) : null;
      const onInput = input instanceof HTMLInputElement;
      setState({ problem, onInput });
      if (onInput) queueMicrotask(() => input.focus());
    },
    [form],
  );
  const clear = useCallback(() => setState(null), []);
  return {
    /** For the alert above the form; null when the problem is shown next to its input instead. */
    alert: state && !state.onInput ? state.problem : null,
    inputProblem: (name: string) =>
      state?.onInput && state.problem.field === name ? state.problem.message : undefined,
    report,
    clear,
  };
}
