/**
 * The address a connection counts under for `maxClientsPerAddress`: the peer's, or, behind
 * `trustProxy` proxies that each append to `X-Forwarded-For`, the address the outermost of
 * them saw. Entries further left are whatever the client wrote, so they are never read.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trustProxy: number,
): string | undefined {
  if (trustProxy === 0 || forwardedFor == null) return peer
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '')
  return hops[Math.max(0, hops.length - trustProxy)] ?? peer
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/** The first four groups of an IPv6 address, expanded; undefined when it is not one. */
function ipv6Prefix(address: string): string | undefined {
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (half: string | undefined) =>
    half === undefined || half === '' ? [] : half.split(':')
  const left = groupsOf(halves[0])
  const right = groupsOf(halves[1])
  // A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) fills the last two groups.
  const last = right.at(-1) ?? left.at(-1)
  const size = left.length + right.length + (last?.includes('.') ? 1 : 0)
  if (halves.length === 1 ? size !== 8 : size > 7) return undefined
  const groups = [...left, ...Array<string>(8 - size).fill('0'), ...right].slice(0, 4)
  if (!groups.every((group) => HEX_GROUP.test(group))) return undefined
  return `${groups.map((group) => Number.parseInt(group, 16).toString(16)).join(':')}::/64`
}

/**
 * The key a per-address limit counts under: an IPv4 address (also when IPv4-mapped), an
 * IPv6 address's /64 prefix (one host commonly holds a whole /64, so counting single
 * addresses would not limit it), or anything else as it is, lowercased.
 */
export function addressKey(address: string): string {
  const plain = address.replace(/%.*$/, '').replace(/^\[(.*)\]$/, '$1')
  const mapped = MAPPED_IPV4.exec(plain)
  if (mapped !== null) return mapped[1]!
  return (plain.includes(':') ? ipv6Prefix(plain) : undefined) ?? plain.toLowerCase()
}
