import http from "node:http";
import net from "node:net";

// Who is on the other end of a request to the console. The socket's address is the truth; an
// X-Forwarded-For header is only a claim, believed hop by hop from the right and only for hops
// made by proxies the operator lists in TRUSTED_PROXIES (addresses or CIDR blocks). Anything a
// client writes into X-Forwarded-For, X-Real-IP or our own header is otherwise ignored, so a
// forged address can neither escape the sign-in lock nor enter someone's audit log.

/** The header this process sets on every request it receives, replacing any a client sent. */
export const CLIENT_ADDRESS_HEADER = "x-console-client-address";

export type ProxyList = (address: string) => boolean;

/** Plain IPv4 for IPv4-mapped IPv6 (::ffff:10.0.0.1), as a proxy list is written. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** TRUSTED_PROXIES parsed: "10.0.0.1, 10.1.0.0/16, fd00::/8"; entries that are not addresses are errors. */
export function parseTrustedProxies(value: string | undefined): ProxyList {
  const list = new net.BlockList();
  for (const entry of (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address, bits] = entry.split("/");
    const family = net.isIP(address ?? "");
    if (!family || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR block.`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return (address) => {
    const candidate = plain(address);
    const family = net.isIP(candidate);
    return family !== 0 && list.check(candidate, family === 4 ? "ipv4" : "ipv6");
  };
}

/**
 * The client's address: walking from the socket leftwards through X-Forwarded-For, the first
 * hop that is not a trusted proxy. Without trusted proxies, the socket's address.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: ProxyList): string | null {
  if (!socketAddress) return null;
  const claimed = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  let address = plain(socketAddress);
  while (trusted(address) && claimed.length) {
    const next = claimed.pop()!;
    if (!net.isIP(plain(next))) break;
    address = plain(next);
  }
  return address;
}

// Shared by every copy of this module in the process (the console's bundles load their own).
const INSTALLED = Symbol.for("cleanrooms-console.client-address-installed");
const registry = globalThis as { [INSTALLED]?: boolean };

/** Whether this process sets CLIENT_ADDRESS_HEADER itself; if not, the header is a client's claim. */
export const clientAddressInstalled = () => registry[INSTALLED] === true;

let proxies: ProxyList = () => false;

/**
 * Sets CLIENT_ADDRESS_HEADER on every request this process's HTTP servers receive, before any
 * handler (Next.js among them) sees the request. Next.js's own X-Forwarded-For keeps whatever the
 * client sent, so the console reads this header only. Called again, it changes the trusted list.
 */
export function installClientAddress(trusted: ProxyList = parseTrustedProxies(process.env.TRUSTED_PROXIES)): void {
  proxies = trusted;
  if (clientAddressInstalled()) return;
  registry[INSTALLED] = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[CLIENT_ADDRESS_HEADER] = clientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"], proxies) ?? "";
    }
    return emit.apply(this, [event, ...args] as unknown as Parameters<typeof emit>);
  } as typeof emit;
}
