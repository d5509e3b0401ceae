import { isIPv6 } from 'node:net';

/**
 * The `conntrack` status module, pure translation of the connection tracking table as
 * /proc/net/nf_conntrack prints it (`ipv4 2 tcp 6 117 ESTABLISHED src=... [ASSURED] mark=0
 * zone=0 use=2`) or as `conntrack -L` does (the same without the family columns).
 *
 * The shape is ICN's modules/conntrack.lua, one object per TCP or UDP connection:
 *   protocol  "tcp" | "udp"
 *   request   {"src": "10.10.10.89:40222", "dst": "192.168.20.5:443"}   the original direction
 *   response  {"src": "192.168.20.5:443", "dst": "10.10.10.89:40222"}   the reply direction
 *   mark      "256"            the connection mark, in decimal as the kernel prints it
 *   state     "ESTABLISHED"    TCP only
 * IPv6 addresses are written in their short form and in brackets (`[fd00:10::89]:50000`),
 * so that the port stays readable. Entries of other protocols (ICMP, ...) are left out: the
 * Lua code answered an empty object for each of them.
 */
export interface ConntrackEndpoints {
  src: string;
  dst: string;
}

export interface ConntrackEntry {
  protocol: 'tcp' | 'udp';
  request: ConntrackEndpoints;
  response: ConntrackEndpoints;
  mark?: string;
  state?: string;
}

type Tuple = Partial<Record<'src' | 'dst' | 'sport' | 'dport', string>>;

/** `addr:port`; an IPv6 address short and in brackets (the proc file prints `fd00:0010:0000:...`). */
function endpoint(addr: string, port: string): string {
  return isIPv6(addr) ? `${new URL(`http://[${addr}]/`).hostname}:${port}` : `${addr}:${port}`;
}

function endpoints(t: Tuple | undefined): ConntrackEndpoints | undefined {
  if (!t?.src || !t.dst || !t.sport || !t.dport) return undefined;
  return { src: endpoint(t.src, t.sport), dst: endpoint(t.dst, t.dport) };
}

function entryOf(line: string): ConntrackEntry | undefined {
  let words = line.trim().split(/\s+/);
  if (words[0] === 'ipv4' || words[0] === 'ipv6') words = words.slice(2);
  // protocol name, protocol number, seconds left, then the state for protocols that have one
  const [protocol, , , state] = words;
  if (protocol !== 'tcp' && protocol !== 'udp') return undefined;
  const hasState = state !== undefined && /^[A-Z_]+$/.test(state);
  const fields = words.slice(hasState ? 4 : 3);
  const tuples: Tuple[] = [];
  let mark: string | undefined;
  for (const word of fields) {
    const eq = word.indexOf('=');
    if (eq <= 0) continue;
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key === 'src') tuples.push({});
    if (key === 'src' || key === 'dst' || key === 'sport' || key === 'dport') {
      const t = tuples[tuples.length - 1];
      if (t && t[key] === undefined) t[key] = value;
    } else if (key === 'mark') {
      mark = value;
    }
  }
  const request = endpoints(tuples[0]);
  const response = endpoints(tuples[1]);
  if (!request || !response) return undefined;
  const out: ConntrackEntry = { protocol, request, response };
  if (mark !== undefined) out.mark = mark;
  if (protocol === 'tcp' && hasState) out.state = state;
  return out;
}

/** The TCP and UDP connections of the table text, in its order; lines that are not entries are skipped. */
export function conntrackStatus(text: string): ConntrackEntry[] {
  return text.split('\n').flatMap((line) => entryOf(line) ?? []);
}
