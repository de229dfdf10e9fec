/** A `Host` header: a name or a bracketed IPv6 address, and an optional port; nothing else. */
const HOST = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::\d{1,5})?$/i

/** The host name of a `Host` header, lowercased, without port, brackets or trailing dot. */
function hostnameOf(host: string): string | undefined {
  const match = HOST.exec(host)
  if (match === null) return undefined
  return (match[1] ?? match[2])!.toLowerCase().replace(/\.$/, '')
}

/**
 * Whether a request's `Host` header names one of `allowed` (every host when there is no
 * list): an exact name, or with a leading dot (`.example.com`) the name and all its
 * subdomains. Ports are not compared. A missing or malformed `Host` is never allowed.
 */
export function isHostAllowed(
  host: string | null | undefined,
  allowed: readonly string[] | undefined,
): boolean {
  if (allowed === undefined) return true
  const name = host == null ? undefined : hostnameOf(host)
  if (name === undefined) return false
  return allowed.some((entry) => {
    const wanted = entry.toLowerCase().replace(/^\[(.*)\]$/, '$1')
    return wanted.startsWith('.')
      ? name === wanted.slice(1) || name.endsWith(wanted)
      : name === wanted
  })
}
