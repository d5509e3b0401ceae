// The fixed paths of the document: session, change sets, services, status, probes, the document itself.
import {
  CHANGES_PATH,
  EVENTS_PATH,
  LOGIN_PATHS,
  METRICS_PATH,
  LOGOUT_PATH,
  LUCI_HOME,
  MWAN3_DETAILED_STATUS_PATH,
  MWAN3_INTERFACE_STATUS_PATH,
  NETWORK_INTERFACES_PATH,
  OPENAPI_PATH,
  SERVICE_PATH,
  SERVICES_PATH,
  STATUS_PATH,
} from '../paths.js';
import { err, json, messageContent, ref, type Json, type OpenApiDocument } from './common.js';
import { SERVICE_NAMES, STATUS_MODULES } from './schemas.js';

export function fixedPaths(doc: OpenApiDocument): void {
  const login = {
    tags: ['session'],
    summary: 'Log in (LuCI form login)',
    description:
      'Answers 302 with the session cookie. The **first** `Set-Cookie` header is ' +
      '`sysauth=<token>; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly` (plus `; Secure` over HTTPS); ' +
      '`sysauth_http` / `sysauth_https` follow for newer LuCI clients. The token is 32 lower-case hex characters.\n\n' +
      "**In a browser** (this page's *Try it out*): the browser stores the cookie and follows the redirect to " +
      `\`GET ${LUCI_HOME}\`, so the answer shown is **200** with the agent's HTML page; every later *Try it out* ` +
      'on this page sends the cookie. A wrong password shows 403.',
    security: [],
    requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('schemas', 'LoginForm') } } },
    responses: {
      '302': {
        description: 'Logged in.',
        headers: {
          Location: { description: "LuCI's start page.", schema: { type: 'string', const: LUCI_HOME } },
          'Set-Cookie': {
            description: 'The session cookie `sysauth` (first), then `sysauth_http` or `sysauth_https`.',
            schema: { type: 'string', examples: ['sysauth=3f9c2a7be41d8056c1e2f3a4b5c6d7e8; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly'] },
          },
        },
      },
      '200': {
        description: `Logged in, as a browser shows it: \`fetch\` followed the 302 to \`GET ${LUCI_HOME}\` (the cookie is stored).`,
        content: {
          'text/html': {
            schema: { type: 'string', description: "The agent's page: its name, version and a login form." },
            example: '<!doctype html>\n<html lang="en">\n<head>\n<title>sdewan-agent 0.1.0</title>\n...',
          },
        },
      },
      '403': err('LoginRequired'),
      '429': {
        description: 'Too many failed logins from this address.',
        headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'string', examples: ['30'] } } },
        content: messageContent('Too many failed logins, try again later'),
      },
    },
  };
  doc.paths[LOGIN_PATHS[0]] = { post: { ...login, operationId: 'session.login' } };
  doc.paths[LOGIN_PATHS[1]] = { post: { ...login, operationId: 'session.login_slash', summary: 'Log in (same as without the slash)' } };
  doc.paths[LOGOUT_PATH] = {
    get: {
      tags: ['session'],
      operationId: 'session.logout',
      summary: 'Log out',
      responses: {
        '302': {
          description: 'The session ended; the cookies are cleared.',
          headers: { Location: { schema: { type: 'string', const: LUCI_HOME } }, 'Set-Cookie': { schema: { type: 'string' } } },
        },
        '403': err('LoginRequired'),
      },
    },
  };

  const setId = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  doc.paths[CHANGES_PATH] = {
    post: {
      tags: ['changes'],
      operationId: 'changes.apply',
      summary: 'Apply several changes as one',
      description:
        'Each change is planned on the packages as the earlier changes leave them; the first refused one refuses the set with ' +
        'its status and a message prefixed `changes.<index>: ` (e.g. `changes.2: Field[policy] checked failed: ...`), and nothing ' +
        'is written. Otherwise every file is written at once (a journal in the save directory: after a crash, all or none), ' +
        'and each service concerned is reloaded once. With `rollback_after` the set is `pending`: unless confirmed in time, every ' +
        'file goes back to its bytes from before and the services are reloaded (this survives a restart of the agent); while ' +
        'pending, any other write to its packages answers 409 naming it.',
      requestBody: { required: true, content: json(ref('schemas', 'ChangeSetRequest')) },
      responses: {
        '200': { description: 'Applied.', content: json(ref('schemas', 'ChangeSetAnswer')) },
        '400': err('BadRequest'),
        '403': err('LoginRequired'),
        '404': { description: 'A change deletes or patches what does not exist (its index named).', content: messageContent('changes.2: Not found') },
        '409': {
          description: 'A change conflicts (its index named), or a package is held by a pending set (named).',
          content: messageContent('changes.0: Conflict'),
        },
        '428': {
          description: 'A change references a missing IPsec proposal or device (its index named).',
          content: messageContent('changes.1: Field[crypto_proposal.0] checked failed: proposal "ipsecproposal" is not defined'),
        },
      },
    },
  };
  doc.paths[`${CHANGES_PATH}/{id}`] = {
    get: {
      tags: ['changes'],
      operationId: 'changes.get',
      summary: 'A change set: pending, confirmed or rolled back, and when',
      parameters: setId,
      responses: { '200': { description: 'The set.', content: json(ref('schemas', 'ChangeSet')) }, '403': err('LoginRequired'), '404': err('NotFound') },
    },
  };
  doc.paths[`${CHANGES_PATH}/{id}/confirm`] = {
    post: {
      tags: ['changes'],
      operationId: 'changes.confirm',
      summary: 'Keep a pending change set',
      parameters: setId,
      responses: {
        '200': { description: 'Confirmed (or already was).', content: json(ref('schemas', 'ChangeSet')) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
        '409': { description: 'The set was rolled back already.', content: messageContent('The change set was rolled back already') },
      },
    },
  };

  doc.paths[SERVICES_PATH] = {
    get: {
      tags: ['services'],
      operationId: 'services.list',
      summary: 'List the services the agent manages',
      responses: { '200': { description: 'The service names.', content: json(ref('schemas', 'ServiceList')) }, '403': err('LoginRequired') },
    },
  };
  doc.paths[`${SERVICE_PATH}/{name}`] = {
    put: {
      tags: ['services'],
      operationId: 'services.action',
      summary: 'Start, stop, restart or reload a service',
      description: 'mwan3 → `/etc/init.d/mwan3` (reload restarts it), firewall → `/etc/init.d/firewall`, ipsec → `/etc/init.d/swanctl`, network → `/etc/init.d/network` (netifd).',
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...SERVICE_NAMES] } }],
      requestBody: { required: true, content: json(ref('schemas', 'ServiceAction')) },
      responses: {
        '200': { description: 'The command succeeded.', content: json(ref('schemas', 'Success')) },
        '400': { description: 'Unknown service or action.', content: messageContent('Bad request URI: unknown service "dhcp", expected one of mwan3, firewall, ipsec, network') },
        '403': err('LoginRequired'),
        '500': err('ServiceFailed'),
        '504': { description: 'The init script did not finish in time.', content: messageContent('ipsec restart failed: timed out') },
      },
    },
  };
  doc.paths[STATUS_PATH] = {
    get: {
      tags: ['status'],
      operationId: 'status.list',
      summary: 'Read the status of every module',
      responses: {
        '200': { description: 'One entry per module.', content: json({ type: 'array', items: ref('schemas', 'ModuleStatus') }) },
        '403': err('LoginRequired'),
      },
    },
  };
  doc.paths[`${STATUS_PATH}/{module}`] = {
    get: {
      tags: ['status'],
      operationId: 'status.get',
      summary: 'Read the status of one module',
      parameters: [{ name: 'module', in: 'path', required: true, schema: { type: 'string', enum: [...STATUS_MODULES] } }],
      responses: {
        '200': { description: 'The module and its status, `{"name", "status"}` (what the controller\'s Go client reads).', content: json(ref('schemas', 'ModuleStatus')) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
  };
  doc.paths[MWAN3_INTERFACE_STATUS_PATH] = {
    get: {
      tags: ['status'],
      operationId: 'status.mwan3_interfaces',
      summary: "Read mwan3's interface status (LuCI's shape)",
      responses: {
        '200': { description: 'Per interface, and the connected networks.', content: json(ref('schemas', 'Mwan3InterfaceStatus')) },
        '403': err('LoginRequired'),
      },
    },
  };
  doc.paths[MWAN3_DETAILED_STATUS_PATH] = {
    get: {
      tags: ['status'],
      operationId: 'status.mwan3_detailed',
      summary: "Read mwan3's status as text (luci-app-mwan3's shape)",
      responses: {
        '200': {
          description: '`{"mwandetail": ["<text like mwan3 status>"]}`',
          content: json({ type: 'object', properties: { mwandetail: { type: 'array', items: { type: 'string' } } }, required: ['mwandetail'] }),
        },
        '403': err('LoginRequired'),
      },
    },
  };

  const readOnly = 'Read-only: any other method answers 405 with `Allow: GET`. Read from the configs and the kernel (no program is run).';
  doc.paths[NETWORK_INTERFACES_PATH] = {
    get: {
      tags: ['networks'],
      operationId: 'networks.interfaces',
      summary: 'List the logical interfaces of the network config',
      description:
        'Every `config interface` section of /etc/config/network with its Linux device, that device\'s state and addresses in the kernel, ' +
        "the OVN network the bootstrap attached it for, and what uses it: mwan3 (the interface of the same name, the policies through their members), " +
        'firewall zones, WireGuard tunnels (`tunlink`) and IPsec (the globals\' `interface`). ' +
        readOnly,
      responses: { '200': { description: 'The interfaces, in file order.', content: json(ref('schemas', 'NetworkInterfaceList')) }, '403': err('LoginRequired') },
    },
  };
  doc.paths[`${NETWORK_INTERFACES_PATH}/{name}`] = {
    get: {
      tags: ['networks'],
      operationId: 'networks.interface',
      summary: 'Read one logical interface',
      description: readOnly,
      parameters: [{ name: 'name', in: 'path', required: true, description: 'The interface (its API name or its section name).', schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The interface.', content: json(ref('schemas', 'NetworkInterface')) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
  };

  doc.paths[EVENTS_PATH] = {
    get: {
      tags: ['events'],
      operationId: 'events.stream',
      summary: 'The event stream (server-sent events)',
      description:
        'A `text/event-stream` that stays open. Each event has an `id` (increasing by one), an `event` type and one `data` line of JSON:\n\n' +
        '- `config` `{"kind": "mwan3/rules", "name", "change": "created|updated|deleted", "source": "api|file"}`: an object of a collection changed, ' +
        'through the API (`api`) or in the config directory by other means (`file`: an edit by hand, `uci commit`);\n' +
        '- `reload` `{"service", "action", "trigger": "auto|explicit", "ok", "timedOut"?, "at"}`: a service action ran (the reload after writes, or one asked for);\n' +
        '- `wan` `{"interface", "status", "previous"}`: an mwan3 interface changed status (`online`, `offline`, ...);\n' +
        '- `ipsec` `{"remote", "child"?, "state": "up|down"}`: an IKE SA (no `child`) or a child SA went up or down;\n' +
        '- `reset` `{"oldest", "last"}`: events after the `Last-Event-ID` sent are no longer kept; re-read what matters, the stream goes on from `last`.\n\n' +
        'Events name objects only: no field values, no keys. While a stream is open, mwan3 status is read every `SDEWAN_EVENTS_POLL_MS` and charon\'s ' +
        '`ike-updown`/`child-updown` events come over vici (the SAs are read at that interval where vici cannot be reached). ' +
        'A comment line comes every 15 s. A client that does not keep up (over 64 KiB unsent at two checks a second apart, or over 1 MiB) is disconnected; ' +
        'it reconnects with `Last-Event-ID`.',
      parameters: [
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          description: 'Resume after this event: the events after it still kept (the last 1,000) come first, or a `reset`.',
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
      ],
      responses: {
        '200': {
          description: 'The stream: `id: 7`, `event: config`, `data: {...}`, a blank line, per event.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        '400': { description: '`Last-Event-ID` is not an event id.', content: messageContent('Field[Last-Event-ID] checked failed: should be the id of an event (a non-negative integer)') },
        '403': err('LoginRequired'),
        '503': { description: 'Too many streams open (32).', content: messageContent('Too many event streams (at most 32)') },
      },
    },
  };
  doc.paths[METRICS_PATH] = {
    get: {
      tags: ['metrics'],
      operationId: 'metrics.get',
      summary: 'Prometheus metrics',
      description:
        'The Prometheus text format (0.0.4): `sdewan_http_requests_total{method,route,code}` (route: the route pattern), ' +
        '`sdewan_http_request_duration_seconds{method,route}`, `sdewan_config_writes_total{config}`, `sdewan_reloads_total{service,result}`, ' +
        '`sdewan_wan_interface_up{interface}`, `sdewan_wan_track_latency_seconds` and `sdewan_wan_track_loss_ratio{interface,track_ip}` (mwan3), ' +
        '`sdewan_ipsec_sa_up{remote,child}` (`child` empty: the IKE SA), `sdewan_ipsec_sa_bytes` and `sdewan_ipsec_sa_packets{remote,child,direction}` (charon over vici), ' +
        "`sdewan_live_status_up{source}`, and prom-client's process and Node.js metrics. Outside `/cgi-bin/luci`. " +
        'A session, or `Authorization: Bearer <SDEWAN_METRICS_TOKEN>`.',
      security: [{ sysauth: [] }, { metricsToken: [] }],
      responses: {
        '200': { description: 'The metrics.', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } },
        '401': {
          description: 'An Authorization header with a token that is not the one set (or none is set): `WWW-Authenticate: Bearer error="invalid_token"`.',
          headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
          content: messageContent('Invalid bearer token'),
        },
        '403': err('LoginRequired'),
      },
    },
  };

  const probe = (id: string, summary: string, schema: string, extra: Json = {}) => ({
    get: { tags: ['health'], operationId: id, summary, security: [], responses: { '200': { description: 'OK', content: json(ref('schemas', schema)) }, ...extra } },
  });
  doc.paths['/healthz'] = probe('health.live', 'Liveness: the process answers', 'Health');
  doc.paths['/readyz'] = probe('health.ready', 'Readiness: the UCI config directory can be read', 'Ready', {
    '503': { description: 'Not ready.', content: messageContent('config directory not readable') },
  });
  doc.paths[OPENAPI_PATH] = {
    get: {
      tags: ['documentation'],
      operationId: 'docs.openapi',
      summary: 'Read this document',
      security: [],
      responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
    },
  };
}

