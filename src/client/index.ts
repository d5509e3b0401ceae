// A typed client for controllers of the SDEWAN CNF agent (`sdewan-agent/client`): LuCI login
// with the sysauth cookie, one login again and retry on 403, the CRUD of every collection,
// service actions and status. Only types come from the agent's modules: at run time this
// file needs global fetch (and the `undici` package when a CA is given).
import type { DryRunResult, Message, ServiceAction, ServiceList } from '../openapi/schemas.js';
import { LOGOUT_PATH, LUCI_BASE, MWAN3_INTERFACE_STATUS_PATH, SERVICE_PATH, SERVICES_PATH, STATUS_PATH, underLuci } from '../paths.js';
import type { RESOURCES } from '../resources/index.js';
import type { Resource } from '../resources/types.js';
import type { ActionResult } from '../services/reloader.js';
import type { ServiceName } from '../services/table.js';
import type { ConntrackEntry } from '../status/conntrack.js';
import type { IpsecModuleStatus, IpsecRemoteDetail } from '../status/ipsec-module.js';
import type { RemoteStatus } from '../status/ipsec.js';
import type { InterfaceStatus } from '../status/links.js';
import type { RouteStatus, RuleEntry } from '../status/routes.js';
import type { LegacyMwan3Status } from '../status/mwan3.js';
import type { TunnelStatus } from '../status/wireguard.js';
import { CATALOG } from './catalog.js';
import { type CertificateAuthority, type HttpResponse, openTransport, type OpenTransport } from './transport.js';

export type { FirewallForwarding } from '../resources/firewall/forwardings.js';
export type { FirewallRedirect } from '../resources/firewall/redirects.js';
export type { FirewallRule } from '../resources/firewall/rules.js';
export type { FirewallZone } from '../resources/firewall/zones.js';
export type { IpsecConnection } from '../resources/ipsec/connections.js';
export type { IpsecProposal } from '../resources/ipsec/proposals.js';
export type { IpsecRemote } from '../resources/ipsec/remotes.js';
export type { Mwan3Interface } from '../resources/mwan3/interfaces.js';
export type { Mwan3Member } from '../resources/mwan3/members.js';
export type { Mwan3Policy } from '../resources/mwan3/policies.js';
export type { Mwan3Rule } from '../resources/mwan3/rules.js';
/** A tunnel as read back has no `private_key` and its peers no `preshared_key` (write-only). */
export type { WireguardPeer, WireguardTunnel } from '../resources/wireguard/tunnels.js';
export type { DryRunResult, LegacyMwan3Status as Mwan3InterfaceStatus, Message, RemoteStatus, ServiceAction, ServiceName };
export type { ConntrackEntry, InterfaceStatus, IpsecModuleStatus, IpsecRemoteDetail, RouteStatus, RuleEntry, TunnelStatus as WireguardTunnelStatus };
export type { CertificateAuthority, HttpResponse, Transport } from './transport.js';
export { CATALOG };

type Kind = (typeof RESOURCES)[number];
type ObjectOf<K> = K extends Resource<infer T, string, string, string> ? T : never;
type SegmentsOf<K extends Kind> = K['collection'] | NonNullable<K['aliases']>[number];

/** The object type of every collection (and alias), by domain: derived from the registry. */
export type ResourceTypes = {
  [D in Kind['domain']]: { [K in Kind as K['domain'] extends D ? SegmentsOf<K> : never]: ObjectOf<K> };
};

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

/** The CRUD of one collection. Objects carry exactly the fields that are set. */
export interface Collection<T extends { name: string }> {
  readonly path: string;
  list(): Promise<T[]>;
  get(name: string): Promise<T>;
  /** The object, or undefined when there is none of that name (404). */
  find(name: string): Promise<T | undefined>;
  /** POST: 201 with the object as read back; ClientError 409 when the name exists. */
  create(obj: T): Promise<T>;
  /** PUT: creates or replaces; the name comes from `name`, not from `obj`. */
  update(name: string, obj: Omit<T, 'name'> & { name?: string }): Promise<T>;
  delete(name: string): Promise<void>;
  /** The UCI batch each write would apply (`?dry_run=1`); nothing changes. */
  dryRun: {
    create(obj: T): Promise<DryRunResult>;
    update(name: string, obj: Omit<T, 'name'> & { name?: string }): Promise<DryRunResult>;
    delete(name: string): Promise<DryRunResult>;
  };
}

type Domain<D extends keyof ResourceTypes> = { [C in keyof ResourceTypes[D]]: Collection<ResourceTypes[D][C] & { name: string }> };

/** A property per domain of the registry: `client.mwan3.policies`, `client.ipsec.sites`, ... */
export type Domains = { readonly [D in keyof ResourceTypes]: Domain<D> };

/** The last action run per service (automatic reload or explicit), as `status/services` answers it. */
export type ServiceRecord = Pick<ActionResult, 'action' | 'trigger' | 'ok' | 'message' | 'at'>;

/** What `GET status/{module}` answers, per module (ICN's Lua shapes; README "Status modules"). */
export interface StatusModules {
  /** TCP and UDP connections of the conntrack table. */
  conntrack: ConntrackEntry[];
  /** Network devices except lo. */
  interface: InterfaceStatus[];
  /** `InitConnection` ("fail": the controller restarts ipsec) and the status per remote. */
  ipsec: IpsecModuleStatus;
  /** IPv4 routes per table that a rule looks up. */
  route: RouteStatus;
  /** IPv4 policy rules. */
  rule: RuleEntry[];
  /** The object of `ubus call mwan3 status`, or the interface_status shape without ubus. */
  wan: Record<string, unknown>;
  services: Record<ServiceName, ServiceRecord | null>;
  /** Per WireGuard tunnel: state, and per peer the latest handshake and the bytes sent and received. */
  wireguard: TunnelStatus[];
}

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
  readonly status: {
    all(): Promise<ModuleStatus[]>;
    get<M extends keyof StatusModules>(module: M): Promise<StatusModules[M]>;
    /** `GET /cgi-bin/luci/admin/status/mwan/interface_status` (LuCI's shape). */
    interfaces(): Promise<LegacyMwan3Status>;
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
      await this.request('PUT', `${underLuci(SERVICE_PATH)}/${encodeURIComponent(name)}`, { action });
    };
    this.services = {
      list: async () => (await this.request<ServiceList>('GET', underLuci(SERVICES_PATH))).services,
      run,
      start: (name) => run(name, 'start'),
      stop: (name) => run(name, 'stop'),
      restart: (name) => run(name, 'restart'),
      reload: (name) => run(name, 'reload'),
    };
    this.status = {
      all: () => this.request<ModuleStatus[]>('GET', underLuci(STATUS_PATH)),
      get: async <M extends keyof StatusModules>(module: M): Promise<StatusModules[M]> =>
        (await this.request<{ name: M; status: StatusModules[M] }>('GET', `${underLuci(STATUS_PATH)}/${encodeURIComponent(module)}`)).status,
      interfaces: () => this.request<LegacyMwan3Status>('GET', underLuci(MWAN3_INTERFACE_STATUS_PATH)),
    };
  }

  /** The collection served at `path` under /cgi-bin/luci, its list under `key`. */
  collection<T extends { name: string }>(path: string, key: string): Collection<T> {
    const item = (name: string) => `${path}/${encodeURIComponent(name)}`;
    const DRY = '?dry_run=1';
    return {
      path,
      list: async () => {
        const body = await this.request<Json>('GET', path);
        const list = body[key];
        if (!Array.isArray(list)) throw new ClientError(200, `The answer has no list "${key}"`, 'GET', path, body);
        return list as T[];
      },
      get: (name) => this.request<T>('GET', item(name)),
      find: async (name) => {
        try {
          return await this.request<T>('GET', item(name));
        } catch (err) {
          if (isClientError(err, 404)) return undefined;
          throw err;
        }
      },
      create: (obj) => this.request<T>('POST', path, obj),
      update: (name, obj) => this.request<T>('PUT', item(name), { ...obj, name }),
      delete: async (name) => {
        await this.request<Message>('DELETE', item(name));
      },
      dryRun: {
        create: (obj) => this.request<DryRunResult>('POST', path + DRY, obj),
        update: (name, obj) => this.request<DryRunResult>('PUT', item(name) + DRY, { ...obj, name }),
        delete: (name) => this.request<DryRunResult>('DELETE', item(name) + DRY),
      },
    };
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
    const res = await this.send('GET', underLuci(LOGOUT_PATH), undefined, token);
    if (res.status !== 302 && res.status !== 403) await this.fail(res, 'GET', underLuci(LOGOUT_PATH));
  }

  /** Releases the connections (needed only with a CA: undici keeps them alive). */
  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    if (transport) await (await transport).close();
  }

  /**
   * A request under /cgi-bin/luci with the session cookie. Without a session it logs in
   * first; on 403 (session gone) it logs in again and retries once.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let token = this.token ?? (await this.freshToken());
    let res = await this.send(method, path, body, token);
    if (res.status === 403) {
      // Another request may already have logged in again since this one was sent.
      token = this.token !== undefined && this.token !== token ? this.token : await this.freshToken(token);
      res = await this.send(method, path, body, token);
    }
    if (res.status < 200 || res.status >= 300) return this.fail(res, method, path);
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
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

  private async send(method: string, path: string, body: unknown, token: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', cookie: `sysauth=${token}` };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return (await this.open()).send(`${this.baseUrl}${LUCI_BASE}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async fail(res: HttpResponse, method: string, path: string, message?: string): Promise<never> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fromBody = body !== null && typeof body === 'object' && typeof (body as Json)['message'] === 'string' ? ((body as Json)['message'] as string) : undefined;
    throw new ClientError(res.status, message ?? fromBody ?? (text.trim() || `HTTP ${res.status}`), method, `${LUCI_BASE}${path}`, body);
  }
}

/** A client for the agent at `opts.url`; it logs in on its first request. */
export const createClient = (opts: ClientOptions) => new SdewanClient(opts);
