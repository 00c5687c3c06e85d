import { isIPv4, isIPv6 } from 'node:net';

/** What a request without a socket address (none in practice) is counted under: one shared budget. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The part of a client's address that throttling counts, as one canonical string:
 * an IPv4 address as it is, an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
 * dual-stack socket reports for an IPv4 client) as that IPv4 address, and any other
 * IPv6 address as its /64 (`2001:db8:0:1::/64`). One subscriber is routinely given a
 * whole /64 (RFC 6177), and privacy addresses (RFC 8981) change within it, so counting
 * full IPv6 addresses would give one client 2^64 budgets.
 */
export function throttlingAddress(ip: string | null): string {
  if (ip === null || ip === '') return UNKNOWN_ADDRESS;
  if (isIPv4(ip)) return ip;
  // Not an address (a proxy may forward a token such as "unknown"): counted as given, under a keyed hash.
  if (!isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/**
 * The eight 16-bit groups of an address `isIPv6` accepted: at most one `::`, groups of
 * one to four hex digits, perhaps a dotted IPv4 tail, perhaps a zone (`%eth0`).
 */
function ipv6Groups(address: string): number[] {
  let text = address.split('%', 1)[0]!;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  if (rest === undefined) return parse(head);
  const before = parse(head);
  const after = parse(rest);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}
