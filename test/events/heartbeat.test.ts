// The event stream's heartbeat and stream limit, on the server built in this process (a real
// socket on a free port) with a short heartbeat.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config.js';
import { buildServer, type AgentServer } from '../../src/server.js';
import { createReloader } from '../../src/services/reloader.js';
import { createRunner, createUciStore } from '../../src/uci/index.js';
import { makeRecordingInitd, makeTempDir, repoRoot } from '../helpers/agent.js';
import { openEventStream, type EventStream } from '../helpers/sse.js';

describe('event stream heartbeat', () => {
  let dir: string;
  let server: AgentServer;
  let url: string;
  let cookie: string;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-heartbeat-');
    cpSync(path.join(repoRoot(), 'uci-fixtures'), path.join(dir, 'config'), { recursive: true });
    makeRecordingInitd(path.join(dir, 'init.d'));
    const settings = loadSettings(
      { SDEWAN_CONFDIR: path.join(dir, 'config'), SDEWAN_SAVEDIR: path.join(dir, 'save'), SDEWAN_INITD: path.join(dir, 'init.d'), SDEWAN_PASSWORD: 'heartbeat-pw', SDEWAN_UCI_BIN: 'embedded', SDEWAN_PLATFORM: 'openwrt' },
      { openwrt: false, cwd: dir },
    );
    const logger = pino({ level: 'silent' });
    const store = createUciStore({ confdir: settings.confdir, savedir: settings.savedir, runner: createRunner('embedded') });
    const reloader = createReloader({ initd: settings.initd, delayMs: 10, log: logger });
    server = await buildServer(settings, { logger, store, reloader, eventHeartbeatMs: 50 });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const login = await fetch(`${url}/cgi-bin/luci`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'luci_username=root&luci_password=heartbeat-pw' });
    cookie = /^sysauth=[^;]*/.exec(login.headers.getSetCookie()[0] ?? '')![0];
  });
  afterAll(async () => {
    await server?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a comment line at each heartbeat while nothing happens', async () => {
    const stream = await openEventStream(url, cookie);
    try {
      const start = stream.text().length;
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if ((stream.text().slice(start).match(/^:\n\n/gm) ?? []).length >= 3) {
            clearInterval(t);
            resolve();
          }
        }, 10);
      });
      expect(stream.events).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('answers 503 beyond 32 streams at once', async () => {
    const streams: EventStream[] = [];
    try {
      for (let i = 0; i < 32; i++) streams.push(await openEventStream(url, cookie));
      expect(streams.every((s) => s.status === 200)).toBe(true);
      const more = await fetch(`${url}/cgi-bin/luci/sdewan/v1/events`, { headers: { cookie } });
      expect(more.status).toBe(503);
      expect(await more.json()).toEqual({ message: 'Too many event streams (at most 32)' });
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const stream = await openEventStream(url, cookie);
    await server.app.close();
    await stream.ended;
  });
});
