import { useEffect, useState } from 'react';

/**
 * The token of a link from a message (`/verify-email#token=…`, `/reset-password#token=…`).
 * It travels in the fragment, which no browser sends to a server; once read it is taken out
 * of the address bar too, so it is not left in history, a bookmark or a screenshot. The page
 * sends it in the body of a POST, never in a URL.
 */
export function useLinkToken(): string | null {
  // Read once, without side effects (the initializer may run twice in development).
  const [token] = useState(() => tokenFromFragment(window.location.hash));
  useEffect(() => {
    if (window.location.hash === '') return;
    const { pathname, search } = window.location;
    // Keep the router's own history state; only the fragment goes.
    window.history.replaceState(window.history.state, '', pathname + search);
  }, []);
  return token;
}

function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  // 256 random bits in base64url: anything else cannot be a token, and is not sent anywhere.
  return token && /^[A-Za-z0-9_-]{20,200}$/.test(token) ? token : null;
}
