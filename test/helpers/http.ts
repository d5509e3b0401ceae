// A plain node:http client for what fetch cannot do: choosing the local address, sending a
// body in pieces.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Reads a response to the end as text. */
function collect(res: http.IncomingMessage, resolve: (r: RawResponse) => void, reject: (err: Error) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => (text += d));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
  res.on('error', reject);
}

export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Starts a request and sends its body in two steps; `finish()` sends the rest. */
export function slowRequest(
  url: string,
  opts: { method: string; headers: Record<string, string>; first: string; rest: string },
): { sent: Promise<void>; finish: () => void; response: Promise<RawResponse> } {
  let finish!: () => void;
  let sent!: Promise<void>;
  const response = new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method,
        headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.first + opts.rest)) },
        agent: false,
      },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    sent = new Promise<void>((done) => {
      req.flushHeaders();
      req.write(opts.first, () => done());
    });
    finish = () => req.end(opts.rest);
  });
  return { sent, finish, response };
}
