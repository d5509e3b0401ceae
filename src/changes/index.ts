// The write path's door: the routes, the bootstrap and change sets use only these.
export { applyChange, commit, planFromStore, type ChangeDeps, type CommitDeps, type ChangeResult, type CommitTarget, type PackageHolds } from './apply.js';
export { etagOf, ifMatchPasses, ifNoneMatchHits, objectBytes, objectEtag } from './etag.js';
export { type Change, NAME_MISMATCH, type Plan } from './plan.js';
export { listText, readObject, type ReadDeps } from './read.js';
export { ChangeSets, type SetDeps, type SetOutcome } from './sets.js';
export { type SetRecord, type SetState } from './set-records.js';
