/**
 * A long-lived child process running sdewan-uci's command line (the same runUciCli the
 * executable calls) for many jobs over IPC: a real process boundary and real files, without
 * paying a Node start-up per command. Run from dist/ (compiled), forked by the tests.
 */
import { runUciCli } from '../../src/uci/cli-main.js';

interface Job {
  id: number;
  argv: string[];
  input: string;
}

process.on('message', (job: Job) => {
  const r = runUciCli(job.argv, { readInput: () => Buffer.from(job.input, 'utf8') });
  process.send?.({ id: job.id, exit: r.exit, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') });
});
process.on('disconnect', () => process.exit(0));
