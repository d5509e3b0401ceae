import type * as z from 'zod';
import type { HostFacts } from '../host/facts.js';
import { domainPrefix } from '../paths.js';
import type { ServiceName } from '../services/table.js';
import type { BatchOp, UciPackage } from '../uci/types.js';

export type { ServiceName };

/** The UCI packages loaded for one request: the kind's own package and those it reads. */
export type Snapshot<P extends string = string> = Readonly<Record<P, UciPackage>>;

/** A file beside the UCI config that a resource owns (IPsec certificates). */
export interface OwnedFile {
  /** Path relative to the resource's file root. */
  path: string;
  content: string;
  mode: number;
}

/** Directories the agent writes owned files under; the write path maps each onto a setting. */
export type FileRoot = 'swanctl';

/**
 * Files an object owns beside its UCI sections, under one root: written before the batch is
 * committed, removed when the object is deleted or no longer lists them, read back into the
 * fields they hold.
 */
export interface OwnedFiles<T, P extends string> {
  root: FileRoot;
  /**
   * Directories (relative to the root) that hold this kind's files and nothing else: at start,
   * a file in them that no object references (`fill` asks for it) is removed, as is a temporary
   * file of the atomic writer (src/changes/orphan-files.ts).
   */
  dirs: readonly string[];
  /** The files `obj` owns once written. */
  files(obj: T): OwnedFile[];
  /** Paths (relative to the root) of the files the stored object `name` owns now. */
  paths(name: string, snap: Snapshot<P>): string[];
  /**
   * The object with the fields kept in its owned files filled in; `read` gives the bytes of a
   * path under the root (undefined when the file is missing). Pure: the write path reads.
   */
  fill(obj: T, snap: Snapshot<P>, read: (path: string) => Buffer | undefined): T;
}

/**
 * A read-only sub-resource of each object, `GET <collection>/{name}/<path>` (an SLA policy's
 * `status`). The definition declares it; its answer needs I/O, so the HTTP layer provides it
 * (src/http/sub-resources.ts) — a kind declaring one the HTTP layer does not provide fails at
 * start. Any other path under an object still answers 400 `Bad request URI`.
 */
export interface SubResourceSpec {
  /** One path segment, e.g. `status`. */
  path: string;
  summary: string;
  description: string;
  /** The answer, for the OpenAPI document and the typed client. */
  answer: z.ZodType;
}

/**
 * A declarative definition of one kind of object. Everything here is pure translation: no
 * I/O. The write path (src/changes/) does the I/O around it. Errors are thrown as ApiError
 * (src/errors.ts). `P` is the union of the packages it names (config and reads): the
 * snapshot it is given holds exactly those.
 */
export interface ResourceSpec<T extends { name: string }, P extends string> {
  /** The API's domain: the collection is served under `/sdewan/<domain>/v1/`. */
  domain: string;
  /** Path segment and JSON list key, e.g. `policies`. */
  collection: string;
  /** Other path segments serving the same collection, a list answers under the segment asked (`sites` for `.../ipsec/v1/sites`). */
  aliases?: readonly string[];
  /** More keys under which a list is answered (a controller reads another one). */
  listKeys?: readonly string[];
  /** The UCI package this kind lives in (and the one written). */
  config: P;
  /** Other packages read for reference checks (read-only). */
  reads?: readonly P[];
  /** The service reloaded after a committed change. */
  service: ServiceName;
  /**
   * Validates a request body after "" and null were removed; returns the object with only
   * the fields that were set. Messages must name the field.
   */
  schema: z.ZodType<T>;
  /** True when check/toBatch need the box's devices and routes (`host`). */
  usesHost?: boolean;
  /** When a write can answer 428 (a referenced object is missing): what it means, for the docs. */
  preconditions?: string;
  /**
   * Every object of this kind in the snapshot, in file order. Kept per snapshot by
   * defineResource (the result is shared: callers copy what they change).
   */
  list(snap: Snapshot<P>): readonly T[];
  /** Reference checks against the snapshot beyond the schema (400/409/428 as ApiError). */
  check?(obj: T, snap: Snapshot<P>, existing: T | undefined, host: HostFacts): void;
  /** Operations that create `obj`, or replace the existing object of that name. */
  toBatch(obj: T, snap: Snapshot<P>, existing: T | undefined, host: HostFacts): BatchOp[];
  /** Operations that delete the object. */
  deleteBatch(name: string, snap: Snapshot<P>): BatchOp[];
  /** A message when another object still uses `name` (DELETE is refused with 400). */
  usedBy?(name: string, snap: Snapshot<P>): string | undefined;
  /** Files the objects own beside the config. */
  ownedFiles?: OwnedFiles<T, P>;
  /** Read-only sub-resources of each object. */
  subResources?: readonly SubResourceSpec[];
}

/** The object type any kind handles once its type is erased. */
export type AnyObject = { name: string };

/**
 * A kind with its object type erased, as the registry, the write path and the OpenAPI
 * document handle it. `T`, `D`, `C` and `A` are kept as phantom types only, for the typed
 * client (the object type, domain, collection and aliases).
 */
export interface Resource<T extends AnyObject = AnyObject, D extends string = string, C extends string = string, A extends string = string>
  extends ResourceSpec<AnyObject, string> {
  readonly domain: D;
  readonly collection: C;
  readonly aliases?: readonly A[];
  /** The path under /cgi-bin/luci of the domain, `/sdewan/<domain>/v1`. */
  readonly prefix: string;
  /** The object of `list(snap)` named `name` (the first of that name). */
  find(snap: Snapshot, name: string): AnyObject | undefined;
  readonly __object?: T;
}

/** A definition, checked against its own object and package types, with its type erased. */
export function defineResource<T extends AnyObject, P extends string, const D extends string, const C extends string, const A extends string = never>(
  spec: ResourceSpec<T, P> & { domain: D; collection: C; aliases?: readonly A[] },
): Resource<T, D, C, A> {
  return { ...spec, ...keptListing(spec), prefix: domainPrefix(spec.domain) } as unknown as Resource<T, D, C, A>;
}

interface Listing<T, P extends string> {
  snap: Snapshot<P>;
  objects: readonly T[];
  names?: readonly string[];
}

/**
 * `spec.list`, kept for the last snapshot of each version of the kind's package, with the
 * objects' names once an object is looked up. The store hands out one read-only package per
 * version of a file, so the same packages list the same objects: a write's plan, its
 * read-back, the list answer and the config events list each version once. A lookup goes
 * through the names (strings: a find through objects of many shapes costs ~50 µs at 500
 * rules). Every caller shares the list, the names and the objects: they copy what they change.
 */
function keptListing<T extends AnyObject, P extends string>(spec: ResourceSpec<T, P>) {
  const names = [spec.config, ...(spec.reads ?? [])];
  const kept = new WeakMap<UciPackage, Listing<T, P>>();
  const listing = (snap: Snapshot<P>): Listing<T, P> => {
    const own = snap[spec.config];
    const hit = own === undefined ? undefined : kept.get(own);
    if (hit && names.every((n) => hit.snap[n] === snap[n])) return hit;
    // the list frozen, not its objects: a frozen object takes V8 about three times the memory
    const entry: Listing<T, P> = { snap, objects: Object.freeze(spec.list(snap)) };
    if (own !== undefined) kept.set(own, entry);
    return entry;
  };
  return {
    list: (snap: Snapshot<P>): readonly T[] => listing(snap).objects,
    find(snap: Snapshot<P>, name: string): T | undefined {
      const entry = listing(snap);
      if (entry.names === undefined) {
        const all: string[] = new Array<string>(entry.objects.length);
        for (let i = 0; i < all.length; i++) all[i] = entry.objects[i]!.name;
        entry.names = all;
      }
      const i = entry.names.indexOf(name);
      return i === -1 ? undefined : entry.objects[i];
    },
  };
}
