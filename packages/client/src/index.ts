// The typed client of the SDEWAN CNF agent (package `sdewan-agent-client`): LuCI login with
// the sysauth cookie, one login again and retry on 403, the CRUD of every collection, service
// actions and status. The types and paths come from the agent's registry, generated into
// types.ts and catalog.ts (`npm run catalog` in the agent's repository); at run time this
// needs global fetch (and the `undici` package when a CA is given).
import { CATALOG, LUCI_BASE, PATHS } from './catalog.js';
import { iterateEvents, type EventsOptions } from './events.js';
import { type CertificateAuthority, type HttpResponse, openTransport, type OpenTransport } from './transport.js';
import type { AgentEvent, ChangeSet, ChangeSetAnswer, ChangeSetRequest, DryRunResult, Message, Mwan3InterfaceStatus, NetworkInterface, ResourceTypes, ServiceAction, ServiceList, ServiceName, StatusModules } from './types.js';

export type * from './types.js';
export type { EventsOptions } from './events.js';
export { EventStreamParser, agentEventOf, type StreamMessage } from './events.js';
export type { CertificateAuthority, HttpResponse, Transport } from './transport.js';
export { CATALOG };

// The generated catalog serves exactly the registry's collections (tsc fails when it is stale).
CATALOG satisfies { [D in keyof ResourceTypes]: { [C in keyof ResourceTypes[D]]: { path: string; key: string } } };

/** An answer other than the expected one: the HTTP status and the agent's `message`. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly method: string,
    readonly path: string,
    /** The parsed answer body, when it was JSON. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export const isClientError = (err: unknown, status?: number): err is ClientError =>
  err instanceof ClientError && (status === undefined || err.status === status);

export interface ClientOptions {
  /** The agent's address: `https://10.0.0.1`, also accepted with `/cgi-bin/luci/` after it. */
  url: string;
  /** Default `root`. */
  username?: string;
  password: string;
  /** PEM of the CA that signed the agent's certificate (HTTPS); otherwise the system's CAs. */
  ca?: CertificateAuthority;
  /** Per request (default 60 s: a service action may take up to 30 s). */
  timeoutMs?: number;
  /** Called after each successful login (the first one and every renewal after a 403). */
  onLogin?: () => void;
}

/**
 * A JSON merge patch of an object (RFC 7396): the fields given replace the stored ones, `null`
 * removes one, nested objects merge, lists are replaced whole. The name cannot change.
 */
export type MergePatch<T> = {
  [K in Exclude<keyof T, 'name'>]?: (T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? MergePatch<T[K]> : T[K]) | null;
};

/** A write's condition: the ETag the object must still have (`etagOf` of what was read), or `*`; otherwise ClientError 412. */
export interface WriteOptions {
  ifMatch?: string;
}

/** The CRUD of one collection. Objects carry exactly the fields that are set. */
export interface Collection<T extends { name: string }> {
  readonly path: string;
  list(): Promise<T[]>;
  /** The list, or undefined while its ETag is still `etag` (304). */
  listIfChanged(etag: string): Promise<T[] | undefined>;
  get(name: string): Promise<T>;
  /** The object, or undefined while its ETag is still `etag` (304); ClientError 404 when there is none. */
  getIfChanged(name: string, etag: string): Promise<T | undefined>;
  /** The object, or undefined when there is none of that name (404). */
  find(name: string): Promise<T | undefined>;
  /** POST: 201 with the object as read back; ClientError 409 when the name exists. */
  create(obj: T): Promise<T>;
  /** PUT: creates or replaces; the name comes from `name` (an `obj.name` naming another object is a ClientError 400). */
  update(name: string, obj: Omit<T, 'name'> & { name?: string }, opts?: WriteOptions): Promise<T>;
  /** PATCH with a JSON merge patch: only the fields given change; ClientError 404 when there is no object. */
  patch(name: string, partial: MergePatch<T>, opts?: WriteOptions): Promise<T>;
  delete(name: string, opts?: WriteOptions): Promise<void>;
  /**
   * `GET <path>/{name}/<sub>`: a sub-resource the collection declares (the answer type is the
   * caller's: `client.mwan3.slapolicies.subResource<SlaPolicyStatus>(name, 'status')`).
   */
  subResource<R = unknown>(name: string, sub: string): Promise<R>;
  /** The UCI batch each write would apply (`?dry_run=1`); nothing changes. */
  dryRun: {
    create(obj: T): Promise<DryRunResult>;
    update(name: string, obj: Omit<T, 'name'> & { name?: string }): Promise<DryRunResult>;
    patch(name: string, partial: MergePatch<T>): Promise<DryRunResult>;
    delete(name: string): Promise<DryRunResult>;
  };
}

/** How a request is sent beyond its method, path and body. */
export interface RequestOptions {
  /** Extra request headers (`If-Match`, `If-None-Match`). */
  headers?: Record<string, string>;
  /** The body's content type (default `application/json`). */
  contentType?: string;
}

const etags = new WeakMap<object, string>();

/**
 * The ETag the agent answered with an object or list this client returned (get, list, find,
 * create, update, patch), for `ifMatch` or `getIfChanged`; undefined for anything else.
 */
export const etagOf = (answer: object): string | undefined => etags.get(answer);

const MERGE_PATCH = 'application/merge-patch+json';
const conditional = (opts: WriteOptions | undefined): RequestOptions => (opts?.ifMatch !== undefined ? { headers: { 'if-match': opts.ifMatch } } : {});

/** The answer, or undefined for a 304 (Not Modified). */
async function unlessNotModified<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (err) {
    if (isClientError(err, 304)) return undefined;
    throw err;
  }
}

type Domain<D extends keyof ResourceTypes> = { [C in keyof ResourceTypes[D]]: Collection<ResourceTypes[D][C] & { name: string }> };

/** A property per domain of the registry: `client.mwan3.policies`, `client.ipsec.sites`, ... */
export type Domains = { readonly [D in keyof ResourceTypes]: Domain<D> };

export type ModuleStatus = { [M in keyof StatusModules]: { name: M; status: StatusModules[M] } }[keyof StatusModules];

type Json = Record<string, unknown>;

const SYSAUTH = /^sysauth=([^;]*)/;

/** The agent's base URL without `/cgi-bin/luci` and trailing slashes. */
export function baseUrlOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/cgi-bin\/luci$/, '');
}

/** The collections of every domain, one property each (filled in by the constructor from CATALOG). */
export interface SdewanClient extends Domains {}

export class SdewanClient {
  readonly baseUrl: string;
  readonly services: {
    list(): Promise<ServiceName[]>;
    run(name: ServiceName, action: ServiceAction): Promise<void>;
    start(name: ServiceName): Promise<void>;
    stop(name: ServiceName): Promise<void>;
    restart(name: ServiceName): Promise<void>;
    reload(name: ServiceName): Promise<void>;
  };
  /** Change sets (`/sdewan/v1/changes`): several writes as one, optionally rolled back unless confirmed. */
  readonly changes: {
    /** Applies the changes as one; with `rollbackAfter` (seconds) the set is pending until `confirm`. */
    apply(changes: ChangeSetRequest['changes'], opts?: { rollbackAfter?: number }): Promise<ChangeSetAnswer>;
    confirm(id: string): Promise<ChangeSet>;
    get(id: string): Promise<ChangeSet>;
  };
  readonly status: {
    all(): Promise<ModuleStatus[]>;
    get<M extends keyof StatusModules>(module: M): Promise<StatusModules[M]>;
    /** `GET /cgi-bin/luci/admin/status/mwan/interface_status` (LuCI's shape). */
    interfaces(): Promise<Mwan3InterfaceStatus>;
  };
  /** The pod's networks, read-only (`/sdewan/network/v1/interfaces`): devices, addresses, OVN networks, users. */
  readonly networks: {
    interfaces(): Promise<NetworkInterface[]>;
    /** One interface by name; ClientError 404 when the network config has none. */
    interface(name: string): Promise<NetworkInterface>;
  };

  private readonly username: string;
  private readonly password: string;
  private readonly timeoutMs: number;
  private readonly ca: CertificateAuthority | undefined;
  private readonly onLogin: (() => void) | undefined;
  private transport: Promise<OpenTransport> | undefined;
  private token: string | undefined;
  private loggingIn: Promise<string> | undefined;

  constructor(opts: ClientOptions) {
    this.baseUrl = baseUrlOf(opts.url);
    this.username = opts.username ?? 'root';
    this.password = opts.password;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.ca = opts.ca;
    this.onLogin = opts.onLogin;
    for (const [domain, collections] of Object.entries(CATALOG)) {
      const out: Record<string, Collection<{ name: string }>> = {};
      for (const [name, where] of Object.entries(collections)) out[name] = this.collection(where.path, where.key);
      Object.defineProperty(this, domain, { value: out, enumerable: true });
    }

    const run = async (name: ServiceName, action: ServiceAction) => {
      await this.request('PUT', `${PATHS.service}/${encodeURIComponent(name)}`, { action });
    };
    this.services = {
      list: async () => (await this.request<ServiceList>('GET', PATHS.services)).services,
      run,
      start: (name) => run(name, 'start'),
      stop: (name) => run(name, 'stop'),
      restart: (name) => run(name, 'restart'),
      reload: (name) => run(name, 'reload'),
    };
    const set = (id: string) => `${PATHS.changes}/${encodeURIComponent(id)}`;
    this.changes = {
      apply: (changes, opts = {}) =>
        this.request<ChangeSetAnswer>('POST', PATHS.changes, { changes, ...(opts.rollbackAfter === undefined ? {} : { rollback_after: opts.rollbackAfter }) }),
      confirm: (id) => this.request<ChangeSet>('POST', `${set(id)}/confirm`),
      get: (id) => this.request<ChangeSet>('GET', set(id)),
    };
    this.status = {
      all: () => this.request<ModuleStatus[]>('GET', PATHS.status),
      get: async <M extends keyof StatusModules>(module: M): Promise<StatusModules[M]> =>
        (await this.request<{ name: M; status: StatusModules[M] }>('GET', `${PATHS.status}/${encodeURIComponent(module)}`)).status,
      interfaces: () => this.request<Mwan3InterfaceStatus>('GET', PATHS.mwan3InterfaceStatus),
    };
    this.networks = {
      interfaces: async () => (await this.request<{ interfaces: NetworkInterface[] }>('GET', PATHS.networkInterfaces)).interfaces,
      interface: (name) => this.request<NetworkInterface>('GET', `${PATHS.networkInterfaces}/${encodeURIComponent(name)}`),
    };
  }

  /** The collection served at `path` under /cgi-bin/luci, its list under `key`. */
  collection<T extends { name: string }>(path: string, key: string): Collection<T> {
    const item = (name: string) => `${path}/${encodeURIComponent(name)}`;
    const DRY = '?dry_run=1';
    const list = async (opts: RequestOptions = {}) => {
      const body = await this.request<Json>('GET', path, undefined, opts);
      const found = body[key];
      if (!Array.isArray(found)) throw new ClientError(200, `The answer has no list "${key}"`, 'GET', path, body);
      const tag = etagOf(body);
      if (tag !== undefined) etags.set(found, tag);
      return found as T[];
    };
    const ifNoneMatch = (etag: string): RequestOptions => ({ headers: { 'if-none-match': etag } });
    return {
      path,
      list: () => list(),
      listIfChanged: (etag) => unlessNotModified(list(ifNoneMatch(etag))),
      get: (name) => this.request<T>('GET', item(name)),
      getIfChanged: (name, etag) => unlessNotModified(this.request<T>('GET', item(name), undefined, ifNoneMatch(etag))),
      find: async (name) => {
        try {
          return await this.request<T>('GET', item(name));
        } catch (err) {
          if (isClientError(err, 404)) return undefined;
          throw err;
        }
      },
      create: (obj) => this.request<T>('POST', path, obj),
      update: (name, obj, opts) => this.request<T>('PUT', item(name), { ...obj, name }, conditional(opts)),
      patch: (name, partial, opts) => this.request<T>('PATCH', item(name), partial, { ...conditional(opts), contentType: MERGE_PATCH }),
      delete: async (name, opts) => {
        await this.request<Message>('DELETE', item(name), undefined, conditional(opts));
      },
      subResource: <R>(name: string, sub: string) => this.request<R>('GET', `${item(name)}/${encodeURIComponent(sub)}`),
      dryRun: {
        create: (obj) => this.request<DryRunResult>('POST', path + DRY, obj),
        update: (name, obj) => this.request<DryRunResult>('PUT', item(name) + DRY, { ...obj, name }),
        patch: (name, partial) => this.request<DryRunResult>('PATCH', item(name) + DRY, partial, { contentType: MERGE_PATCH }),
        delete: (name) => this.request<DryRunResult>('DELETE', item(name) + DRY),
      },
    };
  }

  /**
   * The agent's events (`GET /sdewan/v1/events`), parsed, for as long as the caller iterates
   * (`for await (const e of client.events())`; break or abort `signal` to stop). A broken
   * stream is reopened with `Last-Event-ID`, after a login again when the session is gone.
   */
  events(opts: EventsOptions = {}): AsyncGenerator<AgentEvent, void, undefined> {
    const path = PATHS.events;
    return iterateEvents(async (lastEventId, signal) => {
      const headers = lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : undefined;
      let token = this.token ?? (await this.freshToken());
      let res = await this.send('GET', path, undefined, token, { accept: 'text/event-stream', signal, ...(headers ? { headers } : {}) });
      if (res.status === 403) {
        await res.text();
        token = this.token !== undefined && this.token !== token ? this.token : await this.freshToken(token);
        res = await this.send('GET', path, undefined, token, { accept: 'text/event-stream', signal, ...(headers ? { headers } : {}) });
      }
      if (res.status !== 200 || !res.body) return this.fail(res, 'GET', path);
      return res.body;
    }, opts);
  }

  /** The Prometheus text of `GET /metrics`, with the session (a scraper would send a bearer token). */
  async metrics(): Promise<string> {
    let token = this.token ?? (await this.freshToken());
    let res = await this.send('GET', PATHS.metrics, undefined, token, { absolute: true, accept: 'text/plain' });
    if (res.status === 403) {
      await res.text();
      token = this.token !== undefined && this.token !== token ? this.token : await this.freshToken(token);
      res = await this.send('GET', PATHS.metrics, undefined, token, { absolute: true, accept: 'text/plain' });
    }
    if (res.status !== 200) return this.fail(res, 'GET', PATHS.metrics, undefined, true);
    return res.text();
  }

  /** Logs in (form POST) and keeps the session token of the first Set-Cookie header. */
  async login(): Promise<void> {
    await this.freshToken();
  }

  /** Ends the session on the agent; the next request logs in again. */
  async logout(): Promise<void> {
    const token = this.token;
    this.token = undefined;
    if (token === undefined) return;
    const res = await this.send('GET', PATHS.logout, undefined, token);
    if (res.status !== 302 && res.status !== 403) await this.fail(res, 'GET', PATHS.logout);
  }

  /** Releases the connections (needed only with a CA: undici keeps them alive). */
  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    if (transport) await (await transport).close();
  }

  /**
   * A request under /cgi-bin/luci with the session cookie. Without a session it logs in
   * first; on 403 (session gone) it logs in again and retries once. An answer other than 2xx
   * (a 304 included) is a ClientError; the ETag of an object answered is kept for `etagOf`.
   */
  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    let token = this.token ?? (await this.freshToken());
    let res = await this.send(method, path, body, token, opts);
    if (res.status === 403) {
      // Another request may already have logged in again since this one was sent.
      token = this.token !== undefined && this.token !== token ? this.token : await this.freshToken(token);
      res = await this.send(method, path, body, token, opts);
    }
    if (res.status < 200 || res.status >= 300) return this.fail(res, method, path);
    const text = await res.text();
    const value: unknown = text === '' ? undefined : JSON.parse(text);
    const etag = res.headers.get('etag');
    if (etag !== null && value !== null && typeof value === 'object') etags.set(value, etag);
    return value as T;
  }

  /** One login at a time; `stale` is the token that was refused, if any. */
  private freshToken(stale?: string): Promise<string> {
    if (stale !== undefined && this.token === stale) this.token = undefined;
    this.loggingIn ??= this.doLogin().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  private async doLogin(): Promise<string> {
    const form = new URLSearchParams({ luci_username: this.username, luci_password: this.password }).toString();
    const res = await (await this.open()).send(`${this.baseUrl}${LUCI_BASE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status !== 302) {
      const message = res.status === 403 ? 'Login failed' : undefined;
      return this.fail(res, 'POST', '', message);
    }
    await res.text();
    const first = res.headers.getSetCookie()[0] ?? '';
    const token = SYSAUTH.exec(first)?.[1];
    if (!token) throw new ClientError(302, 'The login answered without a sysauth cookie', 'POST', LUCI_BASE);
    this.token = token;
    this.onLogin?.();
    return token;
  }

  private open(): Promise<OpenTransport> {
    this.transport ??= openTransport(this.ca);
    return this.transport;
  }

  /**
   * `path` is under /cgi-bin/luci unless `how.absolute`; `how.signal` replaces the request
   * timeout (a stream), `how.accept` and `how.headers` add to the request's headers.
   */
  private async send(
    method: string,
    path: string,
    body: unknown,
    token: string,
    how: RequestOptions & { absolute?: boolean; accept?: string; signal?: AbortSignal } = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...how.headers, accept: how.accept ?? 'application/json', cookie: `sysauth=${token}` };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = how.contentType ?? 'application/json';
      payload = JSON.stringify(body);
    }
    return (await this.open()).send(`${this.baseUrl}${how.absolute ? '' : LUCI_BASE}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      signal: how.signal ?? AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async fail(res: HttpResponse, method: string, path: string, message?: string, absolute = false): Promise<never> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fromBody = body !== null && typeof body === 'object' && typeof (body as Json)['message'] === 'string' ? ((body as Json)['message'] as string) : undefined;
    throw new ClientError(res.status, message ?? fromBody ?? (text.trim() || `HTTP ${res.status}`), method, `${absolute ? '' : LUCI_BASE}${path}`, body);
  }
}

/** A client for the agent at `opts.url`; it logs in on its first request. */
export const createClient = (opts: ClientOptions) => new SdewanClient(opts);
