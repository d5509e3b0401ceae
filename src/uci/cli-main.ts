/**
 * uci's main(): the options, the usage text, the input file, then one command of the engine.
 * bin/sdewan-uci (src/uci/cli.ts) runs it.
 */
import * as fs from 'node:fs';
import { type EngineOptions, UciEngine, usage } from './engine.js';

export interface CliResult {
  exit: number;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * uci's main(): options, then one command. `argv` excludes the program name.
 * Strings are UTF-8; they are handled as bytes inside.
 */
export function runUciCli(argv: string[], io: { readInput: () => Buffer; readFile?: (p: string) => Buffer; appname?: string }): CliResult {
  const args = argv.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
  const opts: EngineOptions = { confdir: '/etc/config', savedir: '/tmp/.uci', appname: io.appname ?? 'uci' };
  const deltaPaths: string[] = [];
  let inputFile: string | null = null;
  const early = (exit: number, stderr: string): CliResult => ({ exit, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr, 'latin1') });
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a.length < 2) break;
    i++;
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      const needsArg = 'cCdfpPt'.includes(c);
      let val = '';
      if (needsArg) {
        if (k + 1 < a.length) val = a.slice(k + 1);
        else if (i < args.length) val = args[i++]!;
        else return early(0, `${opts.appname}: option requires an argument -- '${c}'\n${usage(opts.appname!)}`);
      }
      switch (c) {
        case 'c':
          opts.confdir = val;
          break;
        case 'C':
          break; // no config override directory in the embedded engine
        case 'd':
          opts.delimiter = val;
          break;
        case 'f':
          if (inputFile !== null) return early(1, 'Too many input files.\n');
          inputFile = val;
          break;
        case 'm':
          opts.merge = true;
          break;
        case 's':
          opts.strict = true;
          break;
        case 'S':
          opts.strict = false;
          opts.printParseErrors = true;
          break;
        case 'n':
          opts.exportName = true;
          break;
        case 'N':
          opts.exportName = false;
          break;
        case 'p':
          deltaPaths.push(val);
          break;
        case 'P':
          opts.savedir = val;
          opts.noCommit = true;
          break;
        case 'q':
          opts.quiet = true;
          break;
        case 't':
          opts.savedir = val;
          break;
        case 'X':
          opts.showExtended = false;
          break;
        default:
          return early(0, `${opts.appname}: invalid option -- '${c}'\n${usage(opts.appname!)}`);
      }
      if (needsArg) break;
    }
  }
  opts.deltaPaths = deltaPaths;
  let fileInput: Buffer | null = null;
  if (inputFile !== null) {
    try {
      fileInput = (io.readFile ?? ((p: string) => fs.readFileSync(p)))(Buffer.from(inputFile, 'latin1').toString('utf8'));
    } catch (e) {
      const msg = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? 'No such file or directory' : 'I/O error';
      return early(1, `uci: ${msg}`);
    }
  }
  opts.input = () => (fileInput ?? io.readInput()).toString('latin1');
  const rest = args.slice(i);
  const engine = new UciEngine(opts);
  if (rest.length === 0) {
    return { exit: 0, stdout: Buffer.alloc(0), stderr: Buffer.from(usage(opts.appname!), 'latin1') };
  }
  let ret = engine.command(rest);
  let stderr = engine.stderr;
  if (ret === 255) stderr += usage(opts.appname!);
  ret &= 0xff;
  return { exit: ret, stdout: Buffer.from(engine.stdout, 'latin1'), stderr: Buffer.from(stderr, 'latin1') };
}
