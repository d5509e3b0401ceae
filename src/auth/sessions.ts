// In-memory login sessions with an idle timeout, like LuCI's (rpcd) sessions.
import { randomBytes } from 'node:crypto';

export interface Session {
  token: string;
  user: string;
  created: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  ttlMs: number;
  now?: () => number;
}

/** 32 lowercase hex characters: 128 random bits, like LuCI's session ids. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export const TOKEN_RE = /^[0-9a-f]{32}$/;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SessionStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  create(user: string): Session {
    const t = this.now();
    const session: Session = { token: newToken(), user, created: t, lastSeen: t };
    this.sessions.set(session.token, session);
    this.startSweeper();
    return session;
  }

  /** The live session of a token, refreshed; undefined when unknown or idle too long. */
  touch(token: string): Session | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    const t = this.now();
    if (t - session.lastSeen > this.opts.ttlMs) {
      this.sessions.delete(token);
      return undefined;
    }
    session.lastSeen = t;
    return session;
  }

  destroy(token: string): boolean {
    return this.sessions.delete(token);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Drops expired sessions; runs by itself once a minute while sessions exist. */
  sweep(): void {
    const t = this.now();
    for (const [token, s] of this.sessions) if (t - s.lastSeen > this.opts.ttlMs) this.sessions.delete(token);
    if (this.sessions.size === 0) this.stopSweeper();
  }

  close(): void {
    this.stopSweeper();
    this.sessions.clear();
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, this.opts.ttlMs)));
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
