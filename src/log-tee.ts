// A second destination for the agent's log lines (SDEWAN_LOG_TEE). Under procd the agent's
// stdout is a pipe to logd, so `kubectl logs`, which reads the container's stdout (the stdout
// of PID 1), shows nothing; /proc/1/fd/1 opened for writing is that stdout. The file is opened
// once, at start; a write that fails later (the reader went away) drops the copy, never the
// agent or its own stdout.
import { openSync, writeSync, closeSync } from 'node:fs';
import { Writable } from 'node:stream';

export interface Tee {
  stream?: Writable;
  /** Why the file cannot be opened. */
  problem?: string;
}

export function openTee(file: string): Tee {
  let fd: number | undefined;
  try {
    // O_APPEND: the agent shares a regular file (or a console) with other writers.
    fd = openSync(file, 'a');
  } catch (err) {
    return { problem: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (fd !== undefined) {
        try {
          writeSync(fd, chunk);
        } catch {
          const broken = fd;
          fd = undefined;
          try {
            closeSync(broken);
          } catch {
            // already unusable
          }
        }
      }
      done();
    },
  });
  return { stream };
}
