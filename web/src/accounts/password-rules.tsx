/** The server's password rules (src/auth/passwords.ts), counted as it counts: code points after NFKC. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

export function passwordLength(password: string): number {
  return [...password.normalize('NFKC')].length;
}

/**
 * The rules under a new-password input, each marked met or not as the person types. Colour is
 * not the only sign: each rule says "met" or "not met yet" in words, for screen readers too.
 */
export function PasswordRules(props: { id: string; password: string }) {
  const length = passwordLength(props.password);
  const rules = [
    { text: `At least ${PASSWORD_MIN_LENGTH} characters`, met: length >= PASSWORD_MIN_LENGTH },
    { text: `At most ${PASSWORD_MAX_LENGTH} characters`, met: length > 0 && length <= PASSWORD_MAX_LENGTH },
  ];
  return (
    <ul id={props.id} className="password-rules" aria-label="Password rules">
      {rules.map((rule) => (
        <li key={rule.text} className={rule.met ? 'password-rules__met' : undefined}>
          <span aria-hidden="true">{rule.met ? '✓' : '•'}</span> {rule.text}
          <span className="visually-hidden">{rule.met ? ' (met)' : ' (not met yet)'}</span>
        </li>
      ))}
    </ul>
  );
}
