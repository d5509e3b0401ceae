import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest from start to end, longest first: each restarts an agent or a
 * child process 50 to 200 times in a row, so that it cannot end before some tens of seconds
 * however many cores there are. They start first, the short files fill the time beside them.
 */
const LONG_FILES = [
  'test/hardening/set-kill.test.ts',
  'test/hardening/kill.test.ts',
  'test/hardening/kill-certs.test.ts',
  'test/uci/crash.test.ts',
];

/** vitest's order (by the durations of the last run when it has them), the long files first. */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FILES.indexOf(path.relative(f.project.config.root, f.moduleId));
      return i < 0 ? LONG_FILES.length : i;
    };
    // a stable sort: the other files keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on agent processes, sockets and files rather than the CPU: more files at
    // once than cores, so that the long files above and the CPU-bound ones share the two cores
    // of a small machine (vitest's default on 2 cores is one file at a time).
    maxWorkers: 4,
    // Each worker process runs file after file instead of a new process per file: a file no
    // longer pays for Node, vitest and the modules it shares with others (zod, fastify, src/)
    // again, about a quarter of a second of CPU each. No test file changes process-wide state
    // it does not put back (environment, working directory, umask, timers).
    isolate: false,
    sequence: { sequencer: LongFilesFirst },
  },
});
