/** Errors of the UCI layer. */

/** A config file that uci cannot parse. `line` is 1-based. */
export class UciParseError extends Error {
  override readonly name = 'UciParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly byte?: number,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** A name (package, section, option, type) that does not follow uci's rule [A-Za-z0-9_]. */
export class UciNameError extends Error {
  override readonly name = 'UciNameError';
  constructor(
    readonly kind: 'package' | 'section' | 'option' | 'type',
    readonly value: string,
  ) {
    super(`invalid UCI ${kind} name ${JSON.stringify(value)}: only A-Z, a-z, 0-9 and _ are allowed`);
  }
}

/** A value that uci cannot carry (control characters other than tab, CR and LF). */
export class UciValueError extends Error {
  override readonly name = 'UciValueError';
  constructor(value: string) {
    super('UCI values may not contain control characters other than tab, CR and LF');
    // the value may be a secret (a pre-shared key): never an enumerable property of the error
    Object.defineProperty(this, 'value', { value, enumerable: false });
  }
  declare readonly value: string;
}

/** uci reported an error for a batch: nothing was written. */
export class UciBatchError extends Error {
  override readonly name = 'UciBatchError';
  constructor(
    readonly pkg: string,
    readonly exit: number,
    readonly stderr: string,
    batch: string,
  ) {
    super(`uci batch on ${pkg} failed${exit !== 0 ? ` (exit ${exit})` : ''}: ${stderr.trim() || 'no message'}`);
    // The batch holds request values (pre-shared keys among them): kept off the error's
    // enumerable properties, so that a logged error never carries it.
    Object.defineProperty(this, 'batch', { value: batch, enumerable: false });
  }
  declare readonly batch: string;
}
