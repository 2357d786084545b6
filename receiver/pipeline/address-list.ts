import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A set of CIDR blocks (IPv4 and IPv6) that answers "is this address in it". */
export interface AddressList {
  has(address: string): boolean;
}

/** Parses `a.b.c.d/nn`, `x::y/nn` or a bare address; throws an Error naming the bad entry. */
export function addressList(entries: readonly string[]): AddressList {
  const list = new BlockList();
  for (const entry of entries) {
    const [network = '', prefixText] = entry.split('/');
    const type = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
    if (!type) throw new Error(`"${entry}" is not an IP address or CIDR block`);
    const maxPrefix = type === 'ipv4' ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw new Error(`"${entry}" has a prefix length outside 0-${maxPrefix}`);
    }
    list.addSubnet(network, prefix, type);
  }
  return {
    has(address) {
      const plain = unmapIPv4(address);
      const type = isIPv4(plain) ? 'ipv4' : isIPv6(plain) ? 'ipv6' : undefined;
      return type !== undefined && list.check(plain, type);
    },
  };
}

/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; allowlists are written in IPv4. */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
