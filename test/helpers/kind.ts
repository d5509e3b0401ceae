// One kind through the real write path, without a server: a request body is validated as the
// routes validate it, planned, applied with the embedded UCI engine to real files in a temp
// directory and committed; the test then reads the UCI text written and the objects listed
// back. The test style of every kind: body -> UCI text -> listed back.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { applyChange, type ChangeDeps, listText, readObject } from '../../src/changes/index.js';
import { ApiError } from '../../src/errors.js';
import type { HostFacts } from '../../src/host/facts.js';
import { parseBody } from '../../src/validate.js';
import type { AnyObject, Resource } from '../../src/resources/types.js';
import type { ServiceName } from '../../src/services/table.js';
import { createRunner, createUciStore, parseUci, type UciPackage, type UciSection } from '../../src/uci/index.js';

export interface KindHarness {
  dir: string;
  confdir: string;
  /** The root of owned files (the swanctl tree). */
  filesDir: string;
  /** The services whose reload the writes scheduled, in order. */
  reloads: ServiceName[];
  /** POST: the object as read back. */
  create(body: unknown): Promise<AnyObject>;
  /** PUT to `name`: the object as read back. */
  replace(name: string, body: unknown): Promise<AnyObject>;
  remove(name: string): Promise<void>;
  /** The batch a POST, PUT or DELETE would apply (`?dry_run=1`). */
  dryRun(op: 'create' | 'replace' | 'delete', bodyOrName: unknown): Promise<string>;
  /** The list as GET answers it (parsed), under the collection's key. */
  list(): Promise<AnyObject[]>;
  get(name: string): Promise<AnyObject | undefined>;
  /** A config file's text ('' when missing). */
  file(pkg: string): string;
  /** A config file as the project's parser reads it (an empty package when missing). */
  pkg(name: string): UciPackage;
  /** A hand edit on the box: `uci batch` text (with its commit) applied by the embedded engine. */
  handEdit(batch: string): Promise<void>;
  /** The error a write gives: status and message. */
  refusal(write: () => Promise<unknown>): Promise<{ status: number; message: string }>;
  /** Another kind over the same files. */
  with(kind: Resource): KindHarness;
}

/** A section as a plain object (lists as arrays; `.type` and `.name` as in uci show), for deep equality. */
export const plain = (s: UciSection | undefined) => (s ? { '.type': s.type, '.name': s.name, ...Object.fromEntries(s.options) } : undefined);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp config directory holding `files` (package name -> text), and `kind` over it. */
/** `host`: the box's devices the kinds see (a function: read at each write). */
export function kindHarness(kind: Resource, files: Record<string, string> = {}, opts: { host?: HostFacts | (() => HostFacts) } = {}): KindHarness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-kind-'));
  dirs.push(dir);
  const confdir = path.join(dir, 'config');
  mkdirSync(confdir);
  for (const [pkg, text] of Object.entries(files)) writeFileSync(path.join(confdir, pkg), text);
  const runner = createRunner('embedded');
  const savedir = path.join(dir, 'save');
  const store = createUciStore({ confdir, savedir, runner });
  const host = opts.host ?? { devices: [] };
  const hostNow = typeof host === 'function' ? host : () => host;
  const reloads: ServiceName[] = [];
  const deps: ChangeDeps = {
    store,
    reloader: { schedule: (s) => void reloads.push(s) },
    settings: { rollback: false, ipsecDir: path.join(dir, 'swanctl'), savedir },
    log: { warn: () => undefined, error: () => undefined },
    host: { facts: async () => hostNow() },
  };
  const handEdit = async (batch: string) => {
    const r = await runner.run(batch, { confdir, savedir });
    if (r.exit !== 0) throw new Error(`hand edit failed: ${r.stderr}`);
  };
  return harnessOf(kind, { dir, confdir, deps, reloads, handEdit });
}

interface Shared {
  dir: string;
  confdir: string;
  deps: ChangeDeps;
  reloads: ServiceName[];
  handEdit(batch: string): Promise<void>;
}

function harnessOf(kind: Resource, shared: Shared): KindHarness {
  const { dir, confdir, deps, reloads } = shared;
  const filesDir = deps.settings.ipsecDir;
  const objectOf = (body: unknown, name?: string) =>
    parseBody(kind.schema, name !== undefined && body !== null && typeof body === 'object' ? { ...(body as object), name } : body);
  const written = async (p: ReturnType<typeof applyChange>) => {
    const r = await p;
    if (r.dryRun || !r.object) throw new Error('no object read back');
    return r.object;
  };
  const list = listText(deps, kind, kind.collection);
  const file = (pkg: string) => {
    try {
      return readFileSync(path.join(confdir, pkg), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    dir,
    confdir,
    filesDir,
    reloads,
    create: (body) => written(applyChange(deps, { op: 'create', kind, obj: objectOf(body) })),
    replace: (name, body) => written(applyChange(deps, { op: 'replace', kind, obj: objectOf(body, name) })),
    remove: async (name) => void (await applyChange(deps, { op: 'delete', kind, name })),
    dryRun: async (op, bodyOrName) => {
      const change =
        op === 'delete'
          ? { op, kind, name: String(bodyOrName) }
          : { op, kind, obj: objectOf(bodyOrName, op === 'replace' ? (bodyOrName as AnyObject).name : undefined) };
      const r = await applyChange(deps, change, { dryRun: true });
      if (!r.dryRun) throw new Error('not a dry run');
      return r.batch;
    },
    list: async () => (JSON.parse((await list()).toString()) as Record<string, AnyObject[]>)[kind.collection] ?? [],
    get: (name) => readObject(deps, kind, name),
    file,
    pkg: (name) => parseUci(Buffer.from(file(name)), name),
    handEdit: shared.handEdit,
    with: (other) => harnessOf(other, shared),
    refusal: async (write) => {
      try {
        await write();
      } catch (err) {
        if (err instanceof ApiError) return { status: err.status, message: err.message };
        throw err;
      }
      throw new Error('the write was not refused');
    },
  };
}

/** The text of `config <type>` sections of a UCI file whose `option name` is `name` (anonymous ones included). */
export function sectionText(file: string, name: string): string | undefined {
  return file
    .split(/\n(?=config )/)
    .map((s) => s.trimEnd())
    .find((s) => s.includes(`\toption name '${name}'`) || new RegExp(`^config \\w+ '${name}'$`, 'm').test(s));
}

/** A request body: a name and any fields. */
type Body = { name: string; [field: string]: unknown };

/** One write over one file, each in a fresh harness: for tests that chain texts. */
export const overText = (kind: Resource, pkg: string, text: string, host?: HostFacts) => kindHarness(kind, { [pkg]: text }, host ? { host } : {});

/** The text of `pkg` after a PUT of `body` (to its name) over `text`. */
export async function afterPut(kind: Resource, pkg: string, text: string, body: Body, host?: HostFacts): Promise<string> {
  const h = overText(kind, pkg, text, host);
  await h.replace(body.name, body);
  return h.file(pkg);
}

/** The text of `pkg` after a DELETE of `name` over `text`. */
export async function afterDelete(kind: Resource, pkg: string, text: string, name: string, host?: HostFacts): Promise<string> {
  const h = overText(kind, pkg, text, host);
  await h.remove(name);
  return h.file(pkg);
}

/** The refusal of a POST (or PUT with `replace`) of `body` over `text`, undefined when it is accepted; the file is checked unchanged. */
export async function refusalOver(kind: Resource, pkg: string, text: string, body: Body, opts: { host?: HostFacts; replace?: boolean } = {}) {
  const h = overText(kind, pkg, text, opts.host);
  try {
    await (opts.replace ? h.replace(body.name, body) : h.create(body));
    return undefined;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (h.file(pkg) !== text) throw new Error('a refused write changed the file');
    return { status: err.status, message: err.message };
  }
}

/** The batch a PUT of `body` would apply over `text` (dry run). */
export const batchOver = (kind: Resource, pkg: string, text: string, body: Body, host?: HostFacts) => overText(kind, pkg, text, host).dryRun('replace', body);
