// SDEWAN_LOG_TEE: every log line also goes to a file. In the image it is /proc/1/fd/1, the
// stdout of PID 1 (the container's stdout, what kubectl logs reads) while the agent's own
// stdout is procd's pipe to logd. Here another process stands for PID 1: its stdout is a pipe
// this test reads, and the agent is pointed at /proc/<its pid>/fd/1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startAgent, waitFor, type Agent } from '../helpers/agent.js';

const started: { agent?: Agent; holder?: ChildProcess }[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) {
    await s.agent?.stop();
    s.holder?.kill('SIGKILL');
  }
});

/**
 * A process whose stdout is a pipe read here, like a container's PID 1 (container runtimes
 * hand a container FIFOs or pipes; node's own 'pipe' stdio would be a socket, which /proc
 * cannot reopen).
 */
function stdoutHolder(): { holder: ChildProcess; output: () => string } {
  const dir = makeTempDir('sdewan-tee-');
  const fifo = path.join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const holder = spawn('sh', ['-c', 'exec sleep 120 > "$FIFO"'], { env: { ...process.env, FIFO: fifo }, stdio: 'ignore' });
  let out = '';
  createReadStream(fifo, { encoding: 'utf8' }).on('data', (d) => (out += d as string));
  holder.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { holder, output: () => out };
}

const records = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('log copy to the stdout of another process', () => {
  it('writes every line to both: its own stdout and /proc/<pid>/fd/1', async () => {
    const { holder, output } = stdoutHolder();
    const agent = await startAgent({ env: { SDEWAN_LOG_TEE: `/proc/${holder.pid}/fd/1` } });
    started.push({ agent, holder });

    await waitFor(() => records(output()).some((r) => r.msg === 'listening'), { what: 'the listening line in the copy' });
    // A failed login: an info line on both sides, and the password on neither.
    const wrong = 'not-the-password-42';
    await expect(agent.login('root', wrong)).rejects.toThrow(/403/);
    await waitFor(() => records(output()).some((r) => r.msg === 'login failed'), { what: 'the login line in the copy' });
    await waitFor(() => agent.logRecords().some((r) => r.msg === 'login failed'), { what: 'the login line on stdout' });
    expect(output()).not.toContain(wrong);
    expect(output()).not.toContain(agent.password);
    // The same lines, in the same order (up to the failed login, which both have by now).
    const upTo = (msgs: unknown[]) => msgs.slice(0, msgs.indexOf('login failed') + 1);
    expect(upTo(records(output()).map((r) => r.msg))).toEqual(upTo(agent.logRecords().map((r) => r.msg)));
  });

  it('starts anyway when the file cannot be opened, and says so on stdout', async () => {
    const agent = await startAgent({ env: { SDEWAN_LOG_TEE: '/nonexistent-dir/log' } });
    started.push({ agent });
    const warning = agent.logRecords().find((r) => r.msg === 'log copy file cannot be opened: logging to stdout only');
    expect(warning).toMatchObject({ tee: '/nonexistent-dir/log', reason: 'ENOENT', level: 40 });
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/mwan3/v1/policies')).status).toBe(200);
  });
});
