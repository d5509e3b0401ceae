import type * as z from 'zod';
import type { BatchOp, UciPackage } from '../uci/types.js';

/** The services whose configs the agent writes; each resource names the one that reloads it. */
export type ServiceName = 'mwan3' | 'firewall' | 'ipsec';

/** The UCI packages loaded for one request, keyed by package name (config + reads). */
export type Snapshot = Readonly<Record<string, UciPackage>>;

/** A file beside the UCI config that a resource owns (IPsec certificates). */
export interface OwnedFile {
  /** Path relative to the resource's file root. */
  path: string;
  content: string;
  mode: number;
}

/**
 * A declarative definition of one kind of object. Everything here is pure translation:
 * no I/O. The generic route factory (src/http/resource-routes.ts) does the I/O around it.
 * Errors are thrown as ApiError (src/http/errors.ts).
 */
export interface ResourceDef<T extends { name: string }> {
  /** Path segment and JSON list key, e.g. `policies`. */
  collection: string;
  /** Other path segments serving the same collection (`sites` for IPsec remotes). */
  aliases?: string[];
  /** Path prefix under /cgi-bin/luci, e.g. `/sdewan/mwan3/v1`. */
  prefix: string;
  /** The UCI package this kind lives in (and the one written). */
  config: string;
  /** Other packages read for reference checks (read-only). */
  reads?: string[];
  /** The service reloaded after a committed change. */
  service: ServiceName;
  /**
   * Validates a request body after "" and null were removed; returns the object with
   * only the fields that were set. Messages must name the field.
   */
  schema: z.ZodType<T>;
  /** Every object of this kind in the snapshot, in file order. */
  list(snap: Snapshot): T[];
  /** Reference checks against the snapshot beyond the schema (400/409/428 as ApiError). */
  check?(obj: T, snap: Snapshot, existing: T | undefined): void;
  /** Operations that create `obj`, or replace the existing object of that name. */
  toBatch(obj: T, snap: Snapshot, existing: T | undefined): BatchOp[];
  /** Operations that delete the object. */
  deleteBatch(name: string, snap: Snapshot): BatchOp[];
  /** A message when another object still uses `name` (DELETE is refused with 400). */
  usedBy?(name: string, snap: Snapshot): string | undefined;
  /** Files owned by the object, written before commit and removed on delete. */
  files?(obj: T): OwnedFile[];
  /**
   * Directories (relative to the file root) that hold this kind's files and nothing else: at
   * start, a file in them that no object references (`readFiles` asks for it) is removed, as
   * is a temporary file of the atomic writer (src/startup/orphan-files.ts).
   */
  ownedDirs?: readonly string[];
  /**
   * Paths (relative to the file root) of the files the stored object `name` owns now: removed
   * when it is deleted, or after a write whose `files` no longer lists them.
   */
  ownedPaths?(name: string, snap: Snapshot): string[];
  /**
   * The object with the fields kept in its owned files filled in; `read` gives the bytes of a
   * path under the file root (undefined when the file is missing). Pure: the factory reads.
   */
  readFiles?(obj: T, snap: Snapshot, read: (path: string) => Buffer | undefined): T;
}
