/** Where a request came from, for sessions, throttling and the audit log. */
export interface ClientInfo {
  /** The client's address (through TRUST_PROXY_HOPS proxies); null without a socket address. */
  readonly ip: string | null;
  readonly userAgent: string | null;
}
