import { randomBytes } from 'node:crypto';
import { BlockList, isIPv6 } from 'node:net';
import { UNKNOWN_ADDRESS, throttlingAddress } from '../../src/auth/throttling-address';

describe('throttlingAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['0000:0000:0000:0000:0000:FFFF:C000:0201', '192.0.2.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
  ])('counts the IPv4 client %s as %s', (ip, expected) => {
    expect(throttlingAddress(ip)).toBe(expected);
  });

  it.each([
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:AAAA:BBBB:CCCC:DDDD', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['2001:db8::1:2:3:4', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['1:2:3:4:5:6:7::', '1:2:3:4::/64'],
    ['1::2:3:4:5:6:7', '1:0:2:3::/64'],
    ['::', '0:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['fe80::abcd%2', 'fe80:0:0:0::/64'],
    // Only ::ffff:0:0/96 is an IPv4 client; these embed IPv4 differently and stay IPv6.
    ['::192.0.2.1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['::ffff:0:192.0.2.1', '0:0:0:0::/64'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4::/64'],
  ])('counts the IPv6 client %s by its /64, %s', (ip, expected) => {
    expect(throttlingAddress(ip)).toBe(expected);
  });

  it('gives every address of one /64 the same key and a neighbouring /64 another', () => {
    expect(throttlingAddress('2001:db8:0:1:ffff:ffff:ffff:ffff')).toBe(throttlingAddress('2001:db8:0:1::'));
    expect(throttlingAddress('2001:db8:0:1:ffff:ffff:ffff:ffff')).not.toBe(throttlingAddress('2001:db8:0:2::'));
    expect(throttlingAddress('2001:db8:0:1::1')).not.toBe(throttlingAddress('2001:db8:1:1::1'));
  });

  it('agrees with node:net BlockList on random addresses written in every shape', () => {
    for (let i = 0; i < 300; i++) {
      const groups = Array.from({ length: 8 }, () => randomBytes(2).readUInt16BE(0));
      // Runs of zero groups, so that `::` compression shows up in the long and short forms.
      const zeroFrom = i % 8;
      for (let g = zeroFrom; g < Math.min(8, zeroFrom + (i % 5)); g++) groups[g] = 0;
      if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) groups[5] = 0xfffe;
      const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
      const forms = [full, compress(groups), full.toUpperCase()];
      const prefix = throttlingAddress(full);
      const [network, length] = prefix.split('/') as [string, string];
      expect(length).toBe('64');
      const block = new BlockList();
      block.addSubnet(network, 64, 'ipv6');
      for (const form of forms) {
        expect(isIPv6(form)).toBe(true);
        expect(throttlingAddress(form)).toBe(prefix);
        expect(block.check(form, 'ipv6')).toBe(true);
      }
      // The next /64 up is another client.
      const next = [...groups];
      next[3] = (next[3]! + 1) & 0xffff;
      expect(block.check(next.map((g) => g.toString(16)).join(':'), 'ipv6')).toBe(false);
      expect(throttlingAddress(next.map((g) => g.toString(16)).join(':'))).not.toBe(prefix);
    }
  });

  it('keeps a missing address and anything that is no address as one budget each, never as "allow"', () => {
    expect(throttlingAddress(null)).toBe(UNKNOWN_ADDRESS);
    expect(throttlingAddress('')).toBe(UNKNOWN_ADDRESS);
    expect(throttlingAddress('unknown')).toBe('unknown');
    expect(throttlingAddress('[::1]')).toBe('[::1]');
    expect(throttlingAddress('1:2:3:4:5:6:7:8:9')).toBe('1:2:3:4:5:6:7:8:9');
  });
});

/** The shortest form (RFC 5952): the longest run of two or more zero groups becomes `::`. */
function compress(groups: readonly number[]): string {
  let best = { at: -1, length: 1 };
  for (let at = 0; at < 8;) {
    if (groups[at] !== 0) {
      at++;
      continue;
    }
    let end = at;
    while (end < 8 && groups[end] === 0) end++;
    if (end - at > best.length) best = { at, length: end - at };
    at = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
