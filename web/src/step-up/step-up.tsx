import { useSession } from '@tollgate/client/react';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { StepUpCancelledError } from '../errors/describe-error';
import { isStepUpRequired } from './step-up-required';
import { StepUpDialog } from './step-up-dialog';
import '../accounts/accounts.css';

/**
 * Runs a sensitive action. When the server answers STEP_UP_REQUIRED, the step-up dialog asks
 * for the password (and a code when two-factor is on), `reauthenticate` renews this session's
 * token, and the action runs once more. A second refusal, or a cancelled dialog, rejects.
 */
export type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>;

const StepUpContext = createContext<WithStepUp | null>(null);

export function StepUpProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  // One prompt at a time: actions that hit the rule while it is open wait for the same answer.
  const pending = useRef<Promise<boolean> | null>(null);
  const settle = useRef<((confirmed: boolean) => void) | null>(null);
  const signedIn = useSession().status === 'signedIn';
  // The session ended while the dialog was open (logout in another tab, revoked): no one to confirm.
  useEffect(() => {
    if (!signedIn) settle.current?.(false);
  }, [signedIn]);

  const confirmIdentity = useCallback((): Promise<boolean> => {
    pending.current ??= new Promise<boolean>((resolve) => {
      settle.current = (confirmed) => {
        pending.current = null;
        settle.current = null;
        setOpen(false);
        resolve(confirmed);
      };
      setOpen(true);
    });
    return pending.current;
  }, []);

  const withStepUp = useCallback<WithStepUp>(
    async (action) => {
      try {
        return await action();
      } catch (error) {
        if (!isStepUpRequired(error)) throw error;
        if (!(await confirmIdentity())) throw new StepUpCancelledError();
        // Once: if the fresh sign-in is refused again, the caller shows why instead of looping.
        return action();
      }
    },
    [confirmIdentity],
  );

  return (
    <StepUpContext.Provider value={withStepUp}>
      {children}
      {open ? (
        <StepUpDialog onConfirmed={() => settle.current?.(true)} onCancel={() => settle.current?.(false)} />
      ) : null}
    </StepUpContext.Provider>
  );
}

export function useStepUp(): WithStepUp {
  const withStepUp = useContext(StepUpContext);
  if (!withStepUp) throw new Error('useStepUp needs a <StepUpProvider> above it');
  return withStepUp;
}
