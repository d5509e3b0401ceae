/**
 * Child of the journal kill test: finishes what a killed predecessor left (recoverJournals),
 * then commits version after version of the files in <dir>/files through the journal in
 * <dir>/journal, forever. Prints "ready" once it is committing.
 * Usage: node journal-child.js <dir>
 */
import * as path from 'node:path';
import { commitFiles, recoverJournals } from '../../src/changes/journal.js';
import { journalVersion, versionWrites } from './journal-version.js';

const dir = process.argv[2]!;
const files = path.join(dir, 'files');
const journal = path.join(dir, 'journal');
recoverJournals(journal);
let n = journalVersion(files);
let announced = false;
for (;;) {
  n++;
  commitFiles(journal, versionWrites(files, n));
  if (!announced) {
    process.stdout.write('ready\n');
    announced = true;
  }
}
