// How the client reaches the agent: global fetch, or undici's fetch with an Agent that
// trusts a given CA (Node's global fetch takes no CA option). Redirects are never followed:
// the login answers 302 and its Set-Cookie headers must be read.

/** The part of a fetch Response the client reads. */
export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null; getSetCookie(): string[] };
  text(): Promise<string>;
  /** The body as a stream (fetch's Response has it: the event stream reads it). */
  body?: ReadableStream<Uint8Array> | null;
}

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A fetch-like function; redirects must be left to the caller (`redirect: 'manual'`). */
export type Transport = (url: string, req: HttpRequest) => Promise<HttpResponse>;

/** A transport and how to release its connections. */
export interface OpenTransport {
  send: Transport;
  close(): Promise<void>;
}

export type CertificateAuthority = string | Buffer | Array<string | Buffer>;

/** Global fetch, or (with a CA) undici's fetch through an Agent that trusts only that CA. */
export async function openTransport(ca?: CertificateAuthority): Promise<OpenTransport> {
  if (ca === undefined) {
    return {
      send: (url, req) => fetch(url, { ...req, redirect: 'manual' }),
      close: async () => undefined,
    };
  }
  let undici: typeof import('undici');
  try {
    undici = await import('undici');
  } catch (err) {
    throw new Error('The ca option needs the undici package (npm install undici): Node.js global fetch takes no CA', { cause: err });
  }
  const agent = new undici.Agent({ connect: { ca } });
  return {
    send: (url, req) => undici.fetch(url, { ...req, redirect: 'manual', dispatcher: agent }),
    close: () => agent.close(),
  };
}
