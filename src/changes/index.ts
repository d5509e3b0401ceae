// The write path's door: the routes, the bootstrap and change sets use only these.
export { applyChange, commit, type ChangeDeps, type ChangeResult, type CommitTarget, type PackageHolds } from './apply.js';
export { type Change, type Plan } from './plan.js';
export { listText, readObject, type ReadDeps } from './read.js';
export { ChangeSets, type SetDeps, type SetOutcome } from './sets.js';
export { type SetRecord, type SetState } from './set-records.js';
