/** Public API of the UCI layer. */
export * from './types.js';
export { UciBatchError, UciNameError, UciParseError, UciValueError } from './errors.js';
export { quoteUciValue } from './quote.js';
export { buildBatch, isUciName } from './batch.js';
export { parseUci } from './parser.js';
export { exportUci, serializeUci, showUci } from './serialize.js';
export { UciEngine, type EngineOptions } from './engine.js';
export { runUciCli } from './cli-main.js';
export { EmbeddedRunner } from './runner-embedded.js';
export { BinaryRunner } from './runner-binary.js';
export { createRunner, findExecutable } from './runner.js';
export { createUciStore, type UciStoreOptions } from './store.js';
export { atomicWriteFileSync } from './atomic.js';
