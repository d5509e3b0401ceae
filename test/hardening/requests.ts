// Request tools of the bad-input suite (test/hardening/badinput.test.ts): every field of a valid
// object as a place to put a bad value (walking its zod schema), and raw HTTP requests whose
// path is sent byte for byte.
import http from 'node:http';

type Obj = Record<string, unknown>;

// --- zod shape walking ------------------------------------------------------------------------

export interface ZodDefLike {
  type: string;
  innerType?: ZodLike;
  in?: ZodLike;
  element?: ZodLike;
  shape?: Record<string, ZodLike>;
}
export interface ZodLike {
  _zod: { def: ZodDefLike };
}

/** The schema under optional/nullable/default/pipe wrappers. */
function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (;;) {
    const def = cur._zod.def;
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional'].includes(def.type)) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else return cur;
  }
}

/** Where a value can be replaced in an object, and the kind of field it is. */
export interface Leaf {
  path: string;
  kind: 'string' | 'array' | 'object' | 'other';
  /** A copy of `base` with this leaf set to `value`. */
  with(value: unknown): Obj;
}

/**
 * Every field of `base` and of its schema (nested objects in lists included): those set in
 * `base` at their own position (each list element too), the others added.
 */
export function leaves(base: Obj, schema: ZodLike): Leaf[] {
  const out: Leaf[] = [];
  const walk = (value: unknown, s: ZodLike | undefined, at: (string | number)[]) => {
    const shapeOf = s ? unwrap(s)._zod.def : undefined;
    const set = (v: unknown): Obj => {
      const copy = structuredClone(base);
      let cur: any = copy;
      for (const k of at.slice(0, -1)) cur = cur[k];
      cur[at[at.length - 1]!] = v;
      return copy;
    };
    const kind: Leaf['kind'] = typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : value && typeof value === 'object' ? 'object' : 'other';
    if (at.length > 0) out.push({ path: at.join('.'), kind, with: set });
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, shapeOf?.element, [...at, i]));
    else if (value && typeof value === 'object') {
      const shape = shapeOf?.shape ?? {};
      for (const [k, v] of Object.entries(value as Obj)) walk(v, shape[k], [...at, k]);
      for (const [k, fieldSchema] of Object.entries(shape)) {
        if (k in (value as Obj)) continue;
        const t = unwrap(fieldSchema)._zod.def.type;
        const absentKind: Leaf['kind'] = t === 'array' ? 'array' : t === 'object' ? 'object' : 'string';
        out.push({ path: [...at, k].join('.'), kind: absentKind, with: (v) => {
          const copy = structuredClone(base);
          let cur: any = copy;
          for (const key of at) cur = cur[key];
          cur[k] = v;
          return copy;
        } });
      }
    }
  };
  walk(base, schema, []);
  return out;
}

/** `value` put where a string goes, or as the element of a list. */
export const asField = (leaf: Leaf, value: string): unknown => (leaf.kind === 'array' ? [value] : value);

// --- HTTP --------------------------------------------------------------------------------------

export interface Raw {
  status: number;
  text: string;
  json: any;
}

/** A request with the path sent byte for byte (no URL normalisation) and any method. */
/**
 * With `declareOnly`, the body's length is declared and only its first KiB sent, the rest never:
 * a server refusing the length answers at once, and no refusal races the upload (the agent
 * closes the connection after a 413, and a reset can discard the answer before the client
 * has read it).
 */
export function raw(agentUrl: string, method: string, rawPath: string, opts: { cookie?: string; body?: string; type?: string; declareOnly?: boolean } = {}): Promise<Raw> {
  const u = new URL(agentUrl);
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.type) headers['content-type'] = opts.type;
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: rawPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
        if (opts.declareOnly) req.destroy();
      });
    });
    req.on('error', reject);
    if (opts.declareOnly && opts.body !== undefined) req.write(opts.body.slice(0, 1024));
    else req.end(opts.body);
  });
}

/** A path segment carrying `name` (every byte outside unreserved characters escaped). */
export const seg = (name: string) => encodeURIComponent(name).replace(/[!'()*.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

